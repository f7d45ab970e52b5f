"""``/api/v1/changes``: the change feed — units' status events and moves, clusters' stage
events and cases' transitions, oldest first, with a cursor, so that another system can
follow Pishran without reading everything again.

Each kind is its own table with its own ids; the cursor holds the last id handed out of
each kind, and a page is the oldest ``limit`` events (by the time they were recorded)
after it. Only what the caller may see: a unit's events where they see its history
(``EnterpriseRules.history_q``: the public sees none), a cluster's where they see the
cluster, a case's where they see the case.

Events recorded in the last ``PISHRAN_API_FEED_LAG_SECONDS`` are held back: ids are given
when a row is written, not when its transaction commits, so an event written by a slower
transaction can carry a smaller id than one already committed; the lag gives it time to
commit before the cursor passes its id (a transaction longer than the lag can still be
missed: docs/api.md)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from accounts.scope import Scope
from cases.models import Case, CaseEvent
from clusters.models import Cluster, StageEvent
from enterprises.access import RULES as ENTERPRISE_RULES
from enterprises.models import LocationEvent, StatusEvent

from . import pagination
from .auth import caller_of
from .dates import jalali
from .errors import invalid
from .schemas import ERRORS

router = Router(tags=["changes"])


class Change(Schema):
    kind: str  # status, move, cluster_stage, case
    id: int
    recorded_at: dt.datetime
    date: dt.date
    date_jalali: str
    enterprise: int | None = None
    cluster: int | None = None
    case: int | None = None
    case_type: str | None = None
    event: str | None = None  # a cluster's or case's event kind (stage, open, transfer…)
    before: str | None = None  # the status or stage before
    after: str | None = None  # the status or stage after
    province: str | None = None  # a move's, a case event's office
    park: int | None = None  # a move's


class ChangePage(Schema):
    results: list[Change]
    next_cursor: str  # ask again with it; the same cursor when nothing new came


class Filters(Schema):
    cursor: str | None = Field(None, max_length=400)
    kinds: str | None = Field(
        None,
        max_length=60,
        pattern=r"^[a-z_,]+$",
        description="comma-separated: status, move, cluster_stage, case (all by default)",
    )
    limit: int | None = Field(None, ge=1, description="events per page (capped)")


def _status(user: Any) -> QuerySet[Any]:
    visible = ENTERPRISE_RULES.history_q(Scope.of(user), "enterprise__")
    return StatusEvent.objects.filter(visible)


def _moves(user: Any) -> QuerySet[Any]:
    visible = ENTERPRISE_RULES.history_q(Scope.of(user), "enterprise__")
    return LocationEvent.objects.filter(visible).select_related("province")


def _cluster_stages(user: Any) -> QuerySet[Any]:
    return StageEvent.objects.filter(Scope.of(user).visible_q(Cluster, prefix="cluster__"))


def _cases(user: Any) -> QuerySet[Any]:
    visible = Scope.of(user).visible_q(Case, prefix="case__")
    return CaseEvent.objects.filter(visible).select_related("case", "province")


def _shape(kind: str, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": kind,
        "id": row.pk,
        "recorded_at": row.recorded_at,
        "date": row.date,
        "date_jalali": jalali(row.date),
    }
    if kind == "status":
        out.update(enterprise=row.enterprise_id, before=row.from_status, after=row.to_status)
    elif kind == "move":
        out.update(enterprise=row.enterprise_id, province=row.province.code, park=row.park_id)
    elif kind == "cluster_stage":
        out.update(cluster=row.cluster_id, event=row.kind, before=row.from_stage)
        out["after"] = row.to_stage
    else:
        out.update(case=row.case_id, case_type=row.case.type, event=row.kind)
        out.update(before=row.from_stage, after=row.stage, province=row.province.code)
        out["enterprise"] = row.case.enterprise_id
    return out


KINDS: dict[str, Callable[[Any], QuerySet[Model]]] = {
    "status": _status,
    "move": _moves,
    "cluster_stage": _cluster_stages,
    "case": _cases,
}


def encode(last: dict[str, int]) -> str:
    return pagination.wrap(json.dumps(last, separators=(",", ":"), sort_keys=True))


def decode(cursor: str | None) -> dict[str, int]:
    if not cursor:
        return {}
    try:
        raw = json.loads(pagination.unwrap(cursor) or "null")
    except ValueError:
        raw = None
    if isinstance(raw, dict) and all(
        k in KINDS and type(v) is int and 0 <= v < 2**63 for k, v in raw.items()
    ):
        return raw
    raise pagination.not_a_cursor()


def _kinds(text: str | None) -> list[str]:
    if not text:
        return list(KINDS)
    asked = [k for k in text.split(",") if k]
    unknown = [k for k in asked if k not in KINDS]
    if unknown or not asked:
        raise invalid(
            "invalid_filter",
            "kinds",
            _("Kinds are status, move, cluster_stage and case, separated by commas."),
            text,
        )
    return asked


@router.get("", response={200: ChangePage, **ERRORS}, summary="What changed, oldest first")
def changes(request: HttpRequest, filters: Query[Filters]) -> dict[str, Any]:
    user = caller_of(request)
    last = decode(filters.cursor)
    size = pagination.page_size(filters.limit)
    settled = timezone.now() - dt.timedelta(seconds=settings.PISHRAN_API_FEED_LAG_SECONDS)
    queues: dict[str, list[Any]] = {}
    for kind in _kinds(filters.kinds):
        rows = KINDS[kind](user).filter(Q(pk__gt=last.get(kind, 0)), recorded_at__lte=settled)
        queues[kind] = list(rows.order_by("pk")[:size])
    # Merged by the time recorded, each kind taken in its id order (the cursor moves past
    # an id only once every smaller id of that kind was handed out).
    taken: list[tuple[str, Any]] = []
    heads = {kind: 0 for kind in queues}
    while len(taken) < size:
        ready = [(queues[k][i].recorded_at, k) for k, i in heads.items() if i < len(queues[k])]
        if not ready:
            break
        _at, kind = min(ready)
        row = queues[kind][heads[kind]]
        heads[kind] += 1
        taken.append((kind, row))
        last[kind] = row.pk
    return {"results": [_shape(kind, row) for kind, row in taken], "next_cursor": encode(last)}
