"""``/api/v1/consortia``: export consortia, as their pages show them to the caller, today
or ``as_of`` a past date.

Who sees what is the consortia's rules (``consortia.access``, through
``consortia.selectors``): national staff every consortium, a provincial officer their
provinces', a promoter theirs, a unit's owner those their unit belongs to; the public
none. Any other consortium is a 404. A consortium formed after ``as_of`` is left out;
its members on a date are those who had joined by then and not yet left (``Member``'s
``joined_on``/``left_on``), as the figures count them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from consortia.models import Member
from consortia.selectors import ListQuery, consortia_listed
from persian import jalali as persian_jalali

from . import pagination
from .auth import caller_of
from .dates import jalali, parse_as_of
from .errors import not_found
from .filters import MAX_ID, PROVINCE_PATTERN, province_by_code
from .schemas import ERRORS

router = Router(tags=["consortia"])


class ConsortiumFilters(Schema):
    q: str | None = Field(None, max_length=100, description="words of the name")
    province: str | None = Field(None, pattern=PROVINCE_PATTERN, description="ISO code, IR-23")
    cluster: int | None = Field(None, ge=1, le=MAX_ID, description="the cluster's id")
    market: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="a country, IQ")
    as_of: str | None = Field(None, max_length=40, description="Jalali or ISO date")
    cursor: str | None = Field(None, max_length=64)
    limit: int | None = Field(None, ge=1, description="rows per page (capped)")


class AsOf(Schema):
    as_of: str | None = Field(None, max_length=40, description="Jalali or ISO date")


class ConsortiumRow(Schema):
    id: int
    name: str
    province: str  # ISO code
    cluster: int | None
    products: str
    industry_group: str | None
    formed_on: dt.date
    formed_on_jalali: str
    member_count: int  # members on the date asked (today by default)


class ConsortiumPage(Schema):
    as_of: dt.date | None
    as_of_jalali: str | None
    results: list[ConsortiumRow]
    next_cursor: str | None


class MemberOut(Schema):
    enterprise: int
    enterprise_name: str
    joined_on: dt.date
    joined_on_jalali: str
    left_on: dt.date | None  # only when it was on or before the date asked
    left_on_jalali: str | None


class ConsortiumOut(ConsortiumRow):
    as_of: dt.date | None
    as_of_jalali: str | None
    markets: list[str]  # ISO 3166 country codes
    members: list[MemberOut]  # members on the date
    former_members: list[MemberOut]  # those who had left by the date


def _row(consortium: Any) -> dict[str, Any]:
    return {
        "id": consortium.pk,
        "name": consortium.name,
        "province": consortium.province.code,
        "cluster": consortium.cluster_id,
        "products": consortium.products,
        "industry_group": consortium.industry_group.key if consortium.industry_group else None,
        "formed_on": consortium.formed_on,
        "formed_on_jalali": jalali(consortium.formed_on),
        "member_count": consortium.member_count,
    }


def _listed(request: HttpRequest, as_of: dt.date | None, **filters: Any) -> Any:
    query = ListQuery(as_of=as_of, **filters)
    return consortia_listed(caller_of(request), query).select_related("industry_group")


@router.get("", response={200: ConsortiumPage, **ERRORS}, summary="List export consortia")
def consortium_list(request: HttpRequest, filters: Query[ConsortiumFilters]) -> dict[str, Any]:
    as_of = parse_as_of(filters.as_of)
    province = province_by_code(filters.province).code if filters.province else ""
    qs = _listed(
        request,
        as_of,
        province=province,
        cluster=filters.cluster,
        market=(filters.market or "").upper(),
        q=(filters.q or "").replace("\x00", ""),
    )
    rows, next_cursor = pagination.page(qs, filters.cursor, filters.limit)
    return {
        "as_of": as_of,
        "as_of_jalali": jalali(as_of),
        "results": [_row(consortium) for consortium in rows],
        "next_cursor": next_cursor,
    }


def _member(member: Member, day: dt.date) -> dict[str, Any]:
    left = member.left_on if member.left_on is not None and member.left_on <= day else None
    return {
        "enterprise": member.enterprise_id,
        "enterprise_name": member.enterprise.name,
        "joined_on": member.joined_on,
        "joined_on_jalali": jalali(member.joined_on),
        "left_on": left,
        "left_on_jalali": jalali(left),
    }


@router.get(
    "/{int:consortium_id}",
    response={200: ConsortiumOut, **ERRORS},
    summary="One export consortium, with its members",
)
def consortium_detail(
    request: HttpRequest, consortium_id: int, params: Query[AsOf]
) -> dict[str, Any]:
    as_of = parse_as_of(params.as_of)
    consortium = (
        _listed(request, as_of).filter(pk=consortium_id).first()
        if consortium_id <= MAX_ID
        else None
    )
    if consortium is None:
        raise not_found()
    day = as_of or persian_jalali.today()
    members = (
        Member.objects.filter(consortium=consortium, joined_on__lte=day)
        .select_related("enterprise")
        .order_by("joined_on", "pk")
    )
    still = Q(left_on__isnull=True) | Q(left_on__gt=day)
    return {
        **_row(consortium),
        "as_of": as_of,
        "as_of_jalali": jalali(as_of),
        "markets": sorted(consortium.markets.values_list("country", flat=True)),
        "members": [_member(m, day) for m in members.filter(still)],
        "former_members": [_member(m, day) for m in members.exclude(still)],
    }
