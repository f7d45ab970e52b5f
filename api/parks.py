"""``/api/v1/parks``: industrial parks and zones, as their public pages show them.

A park has no dated history of its own: ``as_of`` leaves out the parks established after
the date (a park without a date of establishment is always listed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.scope import Scope
from places.models import Park

from . import pagination
from .auth import caller_of
from .dates import jalali, parse_as_of
from .errors import not_found
from .filters import Reference, reference
from .schemas import ERRORS, ParkOut, ParkPage

router = Router(tags=["parks"])


class ParkFilters(Schema):
    province: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}-[0-9]{2}$", description="ISO code, e.g. IR-23"
    )
    as_of: str | None = Field(None, max_length=40, description="Jalali or ISO date")
    cursor: str | None = Field(None, max_length=64)
    limit: int | None = Field(None, ge=1, description="rows per page (capped)")


def _parks(request: HttpRequest, as_of: dt.date | None) -> QuerySet[Park]:
    qs = Park.objects.filter(Scope.of(caller_of(request)).visible_q(Park))
    if as_of is not None:
        qs = qs.filter(Q(established_on__isnull=True) | Q(established_on__lte=as_of))
    return qs


def _out(park: Park, known: Reference) -> dict[str, Any]:
    return {
        **{
            name: getattr(park, name)
            for name in (
                "id",
                "name",
                "kind",
                "ownership",
                "specialty",
                "area_ha",
                "established_on",
                "is_active",
                "latitude",
                "longitude",
                "plots_total",
                "plots_allocated",
            )
        },  # fmt: skip
        "province": known.code(park.province_id),
        "established_on_jalali": jalali(park.established_on),
    }


@router.get("", response={200: ParkPage, **ERRORS}, summary="List parks and zones")
def park_list(request: HttpRequest, filters: Query[ParkFilters]) -> dict[str, Any]:
    as_of = parse_as_of(filters.as_of)
    qs = _parks(request, as_of)
    known = reference()  # the rows' codes and the filter's: no query
    if filters.province:
        qs = qs.filter(province_id=known.province_id(filters.province))
    rows, next_cursor = pagination.page(qs, filters.cursor, filters.limit)
    return {
        "as_of": as_of,
        "as_of_jalali": jalali(as_of),
        "results": [_out(park, known) for park in rows],
        "next_cursor": next_cursor,
    }


class AsOf(Schema):
    as_of: str | None = Field(None, max_length=40, description="Jalali or ISO date")


@router.get("/{int:park_id}", response={200: ParkOut, **ERRORS}, summary="One park or zone")
def park_detail(request: HttpRequest, park_id: int, params: Query[AsOf]) -> dict[str, Any]:
    as_of = parse_as_of(params.as_of)
    park = _parks(request, as_of).filter(pk=park_id).first() if park_id < 2**63 else None
    if park is None:
        raise not_found()
    return _out(park, reference())
