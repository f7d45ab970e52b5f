"""``/api/v1/clusters``: the cluster programme's clusters with their stage history, as the
directory and the cluster's page show them to the caller, today or ``as_of`` a past date.

Who sees what is the programme's rules (``clusters.access``): national staff every
cluster, a provincial officer their provinces', an agent their own, everyone the published
profiles; any other cluster is a 404. The stage on a date is read from the dated stage
history (``StageEvent``: every event carries the stage after it), so a cluster recorded
after the date is left out and its stage, suspension and implementation year are those of
its latest event on or before the date."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.scope import Scope
from clusters import stages
from clusters.models import Cluster, Membership, StageEvent

from . import pagination
from .auth import caller_of
from .dates import jalali, parse_as_of
from .errors import not_found
from .filters import MAX_ID, PROVINCE_PATTERN, province_by_code, searched
from .schemas import ERRORS

router = Router(tags=["clusters"])

ClusterStage = enum.Enum(  # type: ignore[misc]
    "ClusterStage", {code: code for code in stages.ORDER}, type=str
)
# The events that put a cluster in a stage (the others keep the stage it was in).
REACHED = (StageEvent.Kind.START, StageEvent.Kind.ADVANCE, StageEvent.Kind.SKIP)
PAUSES = (StageEvent.Kind.SUSPEND, StageEvent.Kind.RESUME)


class ClusterFilters(Schema):
    q: str | None = Field(None, max_length=100, description="words of the name, city or brand")
    province: str | None = Field(None, pattern=PROVINCE_PATTERN, description="ISO code, IR-23")
    stage: ClusterStage | None = Field(None, description="the stage then (ten, in order)")
    as_of: str | None = Field(None, max_length=40, description="Jalali or ISO date")
    cursor: str | None = Field(None, max_length=64)
    limit: int | None = Field(None, ge=1, description="rows per page (capped)")


class AsOf(Schema):
    as_of: str | None = Field(None, max_length=40, description="Jalali or ISO date")


class ClusterRow(Schema):
    id: int
    name: str
    province: str  # ISO code
    city: str
    industry_group: str | None
    isic_division: str | None
    stage: str  # on the date asked (today by default)
    stage_order: int  # 1…10
    stage_since: dt.date | None
    stage_since_jalali: str | None
    suspended: bool
    implementation_year: int | None
    published: bool


class ClusterPage(Schema):
    as_of: dt.date | None
    as_of_jalali: str | None
    results: list[ClusterRow]
    next_cursor: str | None


class StageEventOut(Schema):
    date: dt.date
    date_jalali: str
    kind: str  # start, advance, skip, suspend, resume, year
    from_stage: str
    to_stage: str
    implementation_year: int | None
    reason: str | None  # only for those who keep the cluster


class ClusterOut(ClusterRow):
    as_of: dt.date | None
    as_of_jalali: str | None
    year_identified: int | None
    common_brand: str
    export_consortium: bool
    description: str
    members: list[int]  # the member units' ids (published ones unless the caller keeps it)
    full: bool  # whether the caller keeps the cluster (reasons, every member)
    stage_history: list[StageEventOut]


def clusters_then(user: Any, as_of: dt.date | None) -> QuerySet[Any]:
    """The clusters ``user`` may find, annotated with their stage (``stage_then``), its
    date, suspension and implementation year at the end of ``as_of`` (today's without)."""
    qs = Cluster.objects.filter(Scope.of(user).visible_q(Cluster))
    if as_of is None:
        return qs.annotate(
            stage_then=F("stage"),
            since_then=F("stage_since"),
            pause_then=F("suspended"),
            year_then=F("implementation_year"),
        )
    latest = StageEvent.objects.filter(cluster=OuterRef("pk"), date__lte=as_of).order_by(
        "-date", "-id"
    )
    return qs.annotate(
        stage_then=Subquery(latest.values("to_stage")[:1]),
        since_then=Subquery(latest.filter(kind__in=REACHED).values("date")[:1]),
        pause_then=Subquery(latest.filter(kind__in=PAUSES).values("kind")[:1]),
        year_then=Subquery(
            latest.filter(kind=StageEvent.Kind.YEAR).values("implementation_year")[:1]
        ),
    ).filter(stage_then__isnull=False)


def _row(cluster: Any) -> dict[str, Any]:
    pause = cluster.pause_then
    return {
        "id": cluster.pk,
        "name": cluster.name,
        "province": cluster.province.code,
        "city": cluster.city,
        "industry_group": cluster.industry_group.key if cluster.industry_group else None,
        "isic_division": cluster.isic_division_id,
        "stage": cluster.stage_then,
        "stage_order": stages.order(cluster.stage_then),
        "stage_since": cluster.since_then,
        "stage_since_jalali": jalali(cluster.since_then),
        "suspended": pause is True or pause == StageEvent.Kind.SUSPEND,
        "implementation_year": cluster.year_then,
        "published": cluster.published,
    }


@router.get("", response={200: ClusterPage, **ERRORS}, summary="List clusters")
def cluster_list(request: HttpRequest, filters: Query[ClusterFilters]) -> dict[str, Any]:
    as_of = parse_as_of(filters.as_of)
    qs = searched(clusters_then(caller_of(request), as_of), "search_text", filters.q)
    if filters.province:
        qs = qs.filter(province=province_by_code(filters.province))
    if filters.stage:
        qs = qs.filter(stage_then=filters.stage.value)
    qs = qs.select_related("province", "industry_group")
    walk = pagination.ID_ORDER if as_of is not None and not filters.q else ""  # as for cases
    rows, next_cursor = pagination.page(qs, filters.cursor, filters.limit, walk)
    return {
        "as_of": as_of,
        "as_of_jalali": jalali(as_of),
        "results": [_row(cluster) for cluster in rows],
        "next_cursor": next_cursor,
    }


@router.get(
    "/{int:cluster_id}",
    response={200: ClusterOut, **ERRORS},
    summary="One cluster, with its stage history",
)
def cluster_detail(request: HttpRequest, cluster_id: int, params: Query[AsOf]) -> dict[str, Any]:
    as_of = parse_as_of(params.as_of)
    user = caller_of(request)
    cluster = (
        clusters_then(user, as_of)
        .select_related("province", "industry_group")
        .filter(pk=cluster_id)
        .first()
        if cluster_id <= MAX_ID
        else None
    )
    if cluster is None:
        raise not_found()
    full = Cluster.objects.filter(Scope.of(user).full_q(Cluster), pk=cluster.pk).exists()
    events = StageEvent.objects.filter(cluster=cluster)
    members = Membership.objects.filter(cluster=cluster)
    if as_of is not None:
        events = events.filter(date__lte=as_of)
        members = members.filter(joined_on__lte=as_of)
    if not full:  # the public profile names the published members only
        members = members.filter(enterprise__published=True)
    return {
        **_row(cluster),
        "as_of": as_of,
        "as_of_jalali": jalali(as_of),
        "year_identified": cluster.year_identified,
        "common_brand": cluster.common_brand,
        "export_consortium": cluster.export_consortium,
        "description": cluster.description,
        "members": list(members.order_by("enterprise_id").values_list("enterprise_id", flat=True)),
        "full": full,
        "stage_history": [
            {
                "date": event.date,
                "date_jalali": jalali(event.date),
                "kind": event.kind,
                "from_stage": event.from_stage,
                "to_stage": event.to_stage,
                "implementation_year": event.implementation_year,
                "reason": event.reason if full else None,
            }
            for event in events.order_by("date", "id")
        ],
    }
