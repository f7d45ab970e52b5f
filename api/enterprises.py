"""``/api/v1/enterprises``: the registry's units, as the directory and the unit's page
show them to the caller, on today or ``as_of`` a past date.

Who sees what is the registry's rules (``enterprises.access``): a unit outside the
caller's scope is a 404; its history (status and place on a past date, "since" dates, the
event lists) only for those who see it (``history_visible``); its private fields only for
its full scope. The search is the directory's (``persian.text.search_terms``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from accounts.scope import Scope
from enterprises.access import RULES as ENTERPRISE_RULES
from enterprises.models import Enterprise, LocationEvent, Status, StatusEvent, size_band_for
from enterprises.selectors import Measures, enterprises_then, measures_on, then_could_be
from persian.jalali import today
from places.models import Park

from . import pagination
from .answers import json_answer
from .auth import caller_of
from .dates import jalali, parse_as_of
from .errors import invalid, not_found
from .filters import Reference, reference, searched
from .schemas import ERRORS, EnterpriseOut, EnterprisePage

router = Router(tags=["enterprises"])

MAX_ID = 2**63 - 1


# ``as_of`` in the OpenAPI description: what a past date changes in a unit's answer.
AS_OF = (
    "Jalali or ISO date. Each unit as it stood at the end of that day: its status (and "
    "since when), province and park, employees, size band and construction progress, "
    "from its dated history; a unit registered later is left out. A unit whose history "
    "you may not see is given as it is today."
)


class EnterpriseFilters(Schema):
    q: str | None = Field(None, max_length=100, description="words of the name or products")
    province: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}-[0-9]{2}$", description="ISO code, e.g. IR-23"
    )
    park: int | None = Field(None, ge=1, le=MAX_ID, description="park id")
    status: Status | None = None
    as_of: str | None = Field(None, max_length=40, description=AS_OF)
    cursor: str | None = Field(None, max_length=64)
    limit: int | None = Field(None, ge=1, description="rows per page (capped)")


class AsOf(Schema):
    as_of: str | None = Field(None, max_length=40, description=AS_OF)


# The columns a list row shows (``_row``): the rest of the unit's is not read (the
# industry group's key and the province's code come from ``Reference``, not a join).
LIST_FIELDS = (
    *("name", "industry_group_id", "isic_division_id", "size_band", "employees"),
    *("knowledge_based", "exporter"),
)


def _measures(units: list[Any], as_of: dt.date | None) -> dict[int, Measures]:
    """The head count and progress of ``units`` at the end of ``as_of``, for those whose
    history the caller sees (``measures_on``, one query; none today or without a date):
    the others are shown with today's, as their status and place are."""
    if as_of is None or as_of >= today():
        return {}
    return measures_on([(unit, as_of) for unit in units if unit.with_history])


def _row(unit: Any, known: Reference, measures: dict[int, Measures]) -> dict[str, Any]:
    since = unit.since_then
    then = measures.get(unit.pk)
    employees = unit.employees if then is None or then.employees is None else then.employees
    return {
        "id": unit.pk,
        "name": unit.name,
        "status": unit.status_then,
        "status_since": since,
        "status_since_jalali": jalali(since),
        "province": known.code(unit.province_then),
        "park": unit.park_then,
        "industry_group": known.group(unit.industry_group_id),
        "isic_division": unit.isic_division_id,
        "size_band": unit.size_band if then is None else size_band_for(employees or 0),
        "employees": employees,
        "knowledge_based": unit.knowledge_based,
        "exporter": unit.exporter,
        "history_visible": bool(unit.with_history),
    }


@router.get("", response={200: EnterprisePage, **ERRORS}, summary="List units of the registry")
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]) -> HttpResponse:
    as_of = parse_as_of(filters.as_of)
    known = reference()  # the rows' codes and keys and the filter's: no query
    qs = enterprises_then(caller_of(request), as_of)
    qs = searched(qs.only(*LIST_FIELDS), "search_text", filters.q)
    place: dict[str, int] = {}
    if filters.province:
        place["province_id"] = known.province_id(filters.province)
    if filters.park is not None:
        if not Park.objects.filter(pk=filters.park).exists():
            raise invalid("invalid_filter", "park", _("No park has this id."), filters.park)
        place["park_id"] = filters.park
    if filters.status:
        qs = qs.filter(status_then=filters.status)
    if as_of is not None and filters.status:  # the status's units by their index first
        qs = qs.filter(then_could_be(as_of, status=filters.status))
    ahead: tuple[pagination.Ahead, ...] = ()
    if as_of is not None and place:
        branches, moved_since = _by_place(qs, request, as_of, place, filters.cursor)
        ahead = (moved_since,)
    else:  # today's place is the place then
        branches = [qs.filter(**{f"{key[:-3]}_then": value for key, value in place.items()})]
    # Judged row by row from the history: a walk in id order (a search reads its words'
    # index instead, which only a bitmap scan reads).
    walk = pagination.INDEX if as_of is not None and not filters.q else ""
    rows, next_cursor = pagination.pages(branches, filters.cursor, filters.limit, walk, ahead)
    measures = _measures(rows, as_of)
    return json_answer(
        {
            "as_of": as_of,
            "as_of_jalali": jalali(as_of),
            "results": [_row(unit, known, measures) for unit in rows],
            "next_cursor": next_cursor,
        }
    )


def _by_place(
    qs: Any, request: HttpRequest, as_of: dt.date, place: dict[str, int], cursor: str | None
) -> tuple[list[pagination.Branch], pagination.Ahead]:
    """The units that stood in ``place`` at the end of ``as_of``, as two disjoint reads
    (as ``indicators.rows.counted``), each there by construction: those there today that
    have not moved since the date (or whose history the caller does not see: they are
    judged by today's place), read along the place's ``(place, id)`` index; and those
    whose location in force that day (``LocationEvent.valid_until``: it ended after the
    date) was there — a few thousand at most, their ids read first, so that the page walks
    them in id order and stops (read ahead: ``pagination.Ahead``, with the walk's
    settings)."""
    # Whose history the caller sees, as a condition on the row (not the ``with_history``
    # annotation: for national staff that is the constant true, and Django drops a filter
    # comparing a constant to False altogether).
    history = ENTERPRISE_RULES.history_q(Scope.of(caller_of(request)))
    # Not moved since: its latest location event is dated on or before the date — one
    # probe of the unit's own events per row (a NOT EXISTS here is planned as a hash of
    # every move since the date: 126,000 rows, 0.3 s).
    last_move = LocationEvent.objects.filter(enterprise=OuterRef("pk")).order_by("-date", "-id")
    qs = qs.alias(last_move=Subquery(last_move.values("date")[:1]))  # a condition, not a column
    stayed_q = Q(last_move__lte=as_of)
    stayed = qs.filter(**place).filter(stayed_q if not history else ~history | stayed_q)
    # Read from the place's index alone (``lev_closed_prov``, ``lev_closed_park``), unsorted;
    # the cursor is applied here: as a condition, the planner would add the units' index
    # of every event above it (100,000 entries for a deep page: 3-15 ms).
    closed = LocationEvent.objects.filter(
        **place, valid_until__isnull=False, date__lte=as_of, valid_until__gt=as_of
    ).order_by()
    after = pagination.decode(cursor) if cursor else 0
    moved_since = pagination.Ahead(closed, "enterprise_id")

    def moved(bound: int | None) -> Any:
        # Only the ids that can still be on the page: a list of thousands of parameters
        # costs more to send than the rows it finds.
        ids = sorted({i for i in moved_since.rows() if i > after and (bound is None or i < bound)})
        return qs.filter(history, pk__in=ids) if ids else None

    return [stayed, moved], moved_since


# What the unit's page shows whoever finds the unit; the rest is ``private``.
PUBLIC_FIELDS = ("products", "capabilities", "phone", "email", "website", "address")


@router.get(
    "/{int:unit_id}", response={200: EnterpriseOut, **ERRORS}, summary="One unit, with its history"
)
def enterprise_detail(request: HttpRequest, unit_id: int, params: Query[AsOf]) -> dict[str, Any]:
    return unit_detail(caller_of(request), unit_id, parse_as_of(params.as_of))


def unit_detail(user: Any, unit_id: int, as_of: dt.date | None) -> dict[str, Any]:
    """A unit as ``user`` may see it on ``as_of`` (``EnterpriseOut``); 404 outside it."""
    unit = enterprises_then(user, as_of).filter(pk=unit_id).first() if unit_id <= MAX_ID else None
    if unit is None:
        raise not_found()
    known = reference()
    measures = _measures([unit], as_of)
    then = measures.get(unit.pk)
    out = {
        **_row(unit, known, measures),
        **{name: getattr(unit, name) for name in PUBLIC_FIELDS},
        "as_of": as_of,
        "as_of_jalali": jalali(as_of),
        "private": None,
        "status_history": [],
        "location_history": [],
    }
    if Enterprise.objects.filter(Scope.of(user).full_q(Enterprise), pk=unit.pk).exists():
        out["private"] = {
            "legal_id": unit.legal_id,
            "business_id": unit.business_id,
            "permit_number": unit.permit_number,
            "permit_date": unit.permit_date,
            "permit_date_jalali": jalali(unit.permit_date),
            "construction_progress": (
                unit.construction_progress
                if then is None or then.construction_progress is None
                else then.construction_progress
            ),
            "mobile": unit.mobile,
            "published": unit.published,
            "latitude": unit.latitude,
            "longitude": unit.longitude,
            "version": unit.version,
        }
    if unit.with_history:
        out["status_history"] = [
            {
                "date": event.date,
                "date_jalali": jalali(event.date),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "reason": event.reason,
            }
            for event in _until(StatusEvent.objects.filter(enterprise=unit), as_of)
        ]
        out["location_history"] = [
            {
                "date": event.date,
                "date_jalali": jalali(event.date),
                "province": known.code(event.province_id),
                "park": event.park_id,
            }
            for event in _until(LocationEvent.objects.filter(enterprise=unit), as_of)
        ]
    return out


def _until(events: Any, as_of: dt.date | None) -> Any:
    """The events on or before ``as_of`` (all of them without one), oldest first."""
    if as_of is not None:
        events = events.filter(date__lte=as_of)
    return events.order_by("date", "id")
