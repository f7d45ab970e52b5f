"""The business clinics' figures and the rows behind each, as of any date: pure reads of
the registry's history and of the cases' dated history (no cache, no request, no scope —
the indicators' ``ClinicSource`` keeps and counts them, the rows page narrows them to
what a person may see).

A place is the country (no ``province_id`` and no ``park_id``), a province or a park:

- a case counts in the province of the office that held it on the day that matters (the
  report date for a stock, the day of the diagnosis or revival for a flow), read from its
  history (``CaseEvent.province``: a transfer counts from its date); in a park by the
  unit's current park;
- a unit (a candidate) counts where its location history put it on the report date.

Flows count from 1 Farvardin of the report date's Jalali year to the report date (``since``
may start them earlier: the monthly series).
"""

from __future__ import annotations

import datetime as dt
import functools
import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from cases.models import Case, CaseEvent
from cases.selectors import cases_at_stage, counts_by_stage, office_on
from enterprises.models import (
    REVIVAL_FROM,
    Enterprise,
    LocationEvent,
    Status,
    StatusEvent,
)
from enterprises.selectors import semi_finished_q, with_progress_then
from persian import jalali
from persian.jalali import year_start

from . import casetype
from .models import Diagnosis, DiagnosisCause, Revival

SUSTAIN_MONTHS = (6, 12)


# --- candidates: units of the registry a clinic may take, on the date ------------------------


def candidate_q(as_of: dt.date, status: str = "status_then") -> Q:
    """Idle or semi-active on the date, or a semi-finished project that day (under
    construction, at least 60% built and no progress recorded for 6 months, from the
    history: on ``with_progress_then``) — ``CLINIC_CANDIDATE`` as of a date."""
    return Q(**{f"{status}__in": sorted(REVIVAL_FROM)}) | semi_finished_q(as_of, status)


def units_then(units: QuerySet[Enterprise], as_of: dt.date) -> QuerySet[Enterprise]:
    """``units`` annotated with their status, province and park at the end of ``as_of``
    from their history (``status_then`` is None before a unit was registered)."""
    status = StatusEvent.objects.filter(enterprise=OuterRef("pk"), date__lte=as_of).order_by(
        "-date", "-id"
    )
    location = LocationEvent.objects.filter(enterprise=OuterRef("pk"), date__lte=as_of).order_by(
        "-date", "-id"
    )
    return units.annotate(
        status_then=Subquery(status.values("to_status")[:1]),
        province_then=Subquery(location.values("province_id")[:1]),
        park_then=Subquery(location.values("park_id")[:1]),
    )


def candidates(
    as_of: dt.date, *, province_id: int | None = None, park_id: int | None = None
) -> QuerySet[Enterprise]:
    """The units that were clinic candidates at the end of ``as_of`` at the place."""
    units = with_progress_then(units_then(Enterprise.objects.all(), as_of), as_of).filter(
        candidate_q(as_of)
    )
    if province_id is not None:
        units = units.filter(province_then=province_id)  # type: ignore[misc]  # annotated
    if park_id is not None:
        units = units.filter(park_then=park_id)  # type: ignore[misc]  # annotated
    return units


def _at(rows: QuerySet, province_id: int | None, park_id: int | None) -> QuerySet:
    """Cases (or revivals) counted in the province their office held (``province_then``)
    or in the park their unit is in today."""
    if province_id is not None:
        rows = rows.filter(province_then=province_id)
    if park_id is not None:
        rows = rows.filter(enterprise__park_id=park_id)
    return rows


# --- open cases by stage -------------------------------------------------------------------


def open_by_stage(
    as_of: dt.date, *, province_id: int | None = None, park_id: int | None = None
) -> dict[str, int]:
    """Open clinic cases at each open stage at the end of ``as_of`` (every open stage
    named, 0 included)."""
    counts = counts_by_stage(casetype.TYPE, as_of, province_id=province_id, park_id=park_id)
    return {stage: counts.get(stage, 0) for stage in casetype.CLINIC.open_stages}


def open_cases(
    as_of: dt.date,
    *,
    province_id: int | None = None,
    park_id: int | None = None,
    stages: list[str] | None = None,
) -> QuerySet[Case]:
    """The rows of ``open_by_stage`` (``stages``: some of the open stages only), annotated
    with ``stage_then`` and ``province_then``."""
    open_stages = list(casetype.CLINIC.open_stages)
    chosen = [s for s in stages if s in open_stages] if stages is not None else open_stages
    return _at(cases_at_stage(casetype.TYPE, as_of, chosen), province_id, park_id)


@functools.lru_cache(maxsize=8192)
def month_of(day: dt.date) -> int:
    """The Jalali month index of a day: year × 12 + month − 1 (kept: a history repeats its
    days, and the calendar conversion is the slow part of a monthly series)."""
    j = jalali.to_jalali(day)
    return j.year * 12 + j.month - 1


def open_by_month(
    as_of: dt.date, *, province_id: int | None = None, park_id: int | None = None
) -> list[tuple[int, int]]:
    """Open clinic cases at the place at each Jalali month's end (at ``as_of`` for its
    own month), from the first month with a case; one read of the cases' history."""
    steps = CaseEvent.objects.filter(case__type=casetype.TYPE, date__lte=as_of)
    if park_id is not None:
        steps = steps.filter(case__enterprise__park_id=park_id)
    open_stages = set(casetype.CLINIC.open_stages)
    change: dict[int, int] = defaultdict(int)
    case, month, state, kept = None, 0, False, False  # kept: counted at the last month's end

    def flush() -> None:
        if case is not None and state != kept:
            change[month] += 1 if state else -1

    for case_id, date, stage, province in steps.order_by("case_id", "date", "id").values_list(
        "case_id", "date", "stage", "province_id"
    ):
        step_month = month_of(date)
        if case_id != case or step_month != month:
            flush()
            kept = False if case_id != case else state
            case, month = case_id, step_month
        state = stage in open_stages and (province_id is None or province == province_id)
    flush()
    if not change:
        return []
    out, running = [], 0
    for m in range(min(change), month_of(as_of) + 1):
        running += change.get(m, 0)
        out.append((m, running))
    return out


# --- flows: diagnoses, revivals, revivals that held ------------------------------------------


def diagnosed(
    as_of: dt.date,
    *,
    province_id: int | None = None,
    park_id: int | None = None,
    since: dt.date | None = None,
) -> QuerySet[Case]:
    """Clinic cases whose diagnosis is dated from 1 Farvardin of the year (or ``since``) to
    ``as_of``, counted where the office held them on that day; annotated with
    ``diagnosed_on`` and ``province_then``."""
    cases = Case.objects.filter(
        type=casetype.TYPE,
        diagnosis__date__gte=since or year_start(as_of),
        diagnosis__date__lte=as_of,
    ).annotate(diagnosed_on=F("diagnosis__date"), province_then=office_on("pk", "diagnosis__date"))
    return _at(cases, province_id, park_id)


def with_cause(cases: QuerySet[Case], cause: str, primary: bool = False) -> QuerySet[Case]:
    """Those of ``cases`` diagnosed with ``cause`` (as their primary cause, if ``primary``)."""
    q = Q(diagnosis__causes__cause=cause)
    if primary:
        q &= Q(diagnosis__causes__primary=True)
    return cases.filter(pk__in=Case.objects.filter(q).values("pk"))


def causes(cases: QuerySet[Case], primary: bool = False) -> dict[str, int]:
    """How many of ``cases`` were diagnosed with each cause (as their primary one, if
    ``primary``); every cause of the list named, 0 included."""
    from .models import Cause

    found = DiagnosisCause.objects.filter(diagnosis__case__in=cases.values("pk"))
    if primary:
        found = found.filter(primary=True)
    counts = dict(found.values_list("cause").annotate(n=Count("id")).order_by())
    return {cause: counts.get(cause, 0) for cause in Cause.values}


def revivals(
    as_of: dt.date,
    *,
    province_id: int | None = None,
    park_id: int | None = None,
    since: dt.date | None = None,
) -> QuerySet[Revival]:
    """Revivals with the clinic (a clinic case closed as revived, which wrote or linked the
    registry's status event) dated from 1 Farvardin of the year (or ``since``) to
    ``as_of``, counted where the office held the case that day; annotated with
    ``province_then``. A case revived twice counts twice."""
    found = Revival.objects.filter(date__gte=since or year_start(as_of), date__lte=as_of).annotate(
        province_then=office_on("case", "date")
    )
    return _at(found, province_id, park_id)


def jobs_restored(found: QuerySet[Revival]) -> int:
    """The jobs those revivals restored (each unit's recorded employees when revived)."""
    return int(found.aggregate(n=Sum("jobs"))["n"] or 0)


def median_days(found: QuerySet[Revival]) -> Decimal | None:
    """The median of the days from the case's opening to the revival (None: no revival)."""
    days = [(d - o).days for d, o in found.values_list("date", "opened_on")]
    if not days:
        return None
    return Decimal(str(statistics.median(days))).quantize(Decimal("0.1"))


def _relapsed(pairs: list[tuple[Revival, dt.date]]) -> set[int]:
    """The revivals among ``pairs`` (revival, check day) whose unit was recorded idle or
    closed again after the revival and by the check day — ``clinics.services.relapse``
    for many revivals in one query."""
    events: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for unit, date, pk in StatusEvent.objects.filter(
        enterprise_id__in={r.enterprise_id for r, _d in pairs},
        to_status__in=[Status.IDLE, Status.CLOSED],
    ).values_list("enterprise_id", "date", "pk"):
        events[unit].append((date, pk))
    return {
        r.pk
        for r, until in pairs
        if any(
            r.date <= date <= until and pk != r.status_event_id
            for date, pk in events[r.enterprise_id]
        )
    }


def sustained_marks(
    months: int,
    as_of: dt.date,
    *,
    province_id: int | None = None,
    park_id: int | None = None,
    since: dt.date | None = None,
) -> list[tuple[Revival, dt.date, bool]]:
    """Clinic revivals whose ``months``-month mark (``jalali.add_months``) fell from
    1 Farvardin of the year (or ``since``) to ``as_of``: (revival, mark, held), where held
    means the unit was not recorded idle or closed from the revival to the mark (read from
    the status history, so it is right as of any date whatever checks have run). Counted
    where the office held the case on the revival's day."""
    first = since or year_start(as_of)
    # Every revival whose mark can fall in [first, as_of] (revived from ``months`` + 1
    # months before ``first``), then the marks themselves (a month's last day is clamped).
    found = revivals(
        as_of,
        province_id=province_id,
        park_id=park_id,
        since=jalali.add_months(first, -months - 1),
    )
    pairs = [(r, jalali.add_months(r.date, months)) for r in found.order_by("date", "id")]
    pairs = [(r, mark) for r, mark in pairs if first <= mark <= as_of]
    relapsed = _relapsed(pairs)
    return [(r, mark, r.pk not in relapsed) for r, mark in pairs]


def sustained(
    months: int,
    as_of: dt.date,
    *,
    province_id: int | None = None,
    park_id: int | None = None,
    since: dt.date | None = None,
) -> QuerySet[Revival]:
    """The rows of the revivals that held ``months`` months (``sustained_marks``)."""
    held = [
        r.pk
        for r, _mark, ok in sustained_marks(
            months, as_of, province_id=province_id, park_id=park_id, since=since
        )
        if ok
    ]
    return Revival.objects.filter(pk__in=held).annotate(province_then=office_on("case", "date"))


# --- the flows, case by case (the indicators' pre-aggregated facts) --------------------------

FlowItem = tuple[str, dt.date, str, int, dt.date]


def case_flows(case_ids: list[int]) -> dict[int, list[FlowItem]]:
    """What each case adds to the flows above, as items ``(measure, day, value, amount,
    office day)`` — counted on ``day`` where the office held the case on ``office day``
    (``indicators.casefacts`` sums them): ``diagnosed``, ``diagnosed:cause`` and
    ``diagnosed:cause_primary`` (= the cause) on the diagnosis's day; ``revived``, ``jobs`` and ``days_to_revival`` (= the
    days from opening) on the revival's day; ``held_6`` and ``held_12`` on the mark's day, where
    the office held the case on the revival's day, when the unit was not recorded idle or
    closed from the revival to the mark (``sustained_marks``: the same rule)."""
    out: dict[int, list[FlowItem]] = defaultdict(list)
    for case_id, date in Diagnosis.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "date"
    ):
        out[case_id].append(("diagnosed", date, "", 1, date))
    for case_id, date, cause, primary in DiagnosisCause.objects.filter(
        diagnosis__case_id__in=case_ids
    ).values_list("diagnosis__case_id", "diagnosis__date", "cause", "primary"):
        out[case_id].append(("diagnosed:cause", date, cause, 1, date))
        if primary:
            out[case_id].append(("diagnosed:cause_primary", date, cause, 1, date))
    found = list(Revival.objects.filter(case_id__in=case_ids).order_by("date", "id"))
    marks = [
        (r, jalali.add_months(r.date, months), months) for r in found for months in SUSTAIN_MONTHS
    ]
    relapsed = {
        months: _relapsed([(r, mark) for r, mark, m in marks if m == months])
        for months in SUSTAIN_MONTHS
    }
    for r in found:
        out[r.case_id] += [
            ("revived", r.date, "", 1, r.date),
            ("jobs", r.date, "", r.jobs, r.date),
            ("days_to_revival", r.date, str((r.date - r.opened_on).days), 1, r.date),
        ]
    for r, mark, months in marks:
        if r.pk not in relapsed[months]:
            out[r.case_id].append((f"held_{months}", mark, "", 1, r.date))
    return dict(out)
