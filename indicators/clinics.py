"""The business clinics as a source of indicators (``indicators.sources``), registered by
``IndicatorsConfig.ready`` under the key ``clinics``. It reads ``clinics.figures`` (the
indicators build on the clinics; the clinics know nothing of them) and, for the
candidates, the registry's facts.

Measures (definitions in ``clinics.figures``; places: the country, a province, a park):

- ``candidates``: a stock, units idle or semi-active, or under construction and at least
  60% built, at the end of the report date where they stood that day — read from the
  registry's facts (the same rows ``clinics.figures.candidates`` lists);
- ``open``: a stock, clinic cases at an open stage at the end of the report date, in the
  province of the office holding them that day; breakdown ``stage``;
- flows from 1 Farvardin of the report year to the report date (by month: those dated in
  each Jalali month): ``diagnosed`` (cases diagnosed; breakdowns ``cause_primary`` and
  ``cause``), ``revived`` (revivals with the clinic), ``jobs`` (the jobs they restored),
  ``days_to_revival`` (the median of the days from opening to revival; no monthly series),
  ``held_6`` and ``held_12`` (revivals whose 6- or 12-month mark fell in the period and
  that held until it, read from the status history).

Figures are kept (``indicators.sources.memo``) until the figures version changes: every
case event (``case.``, published by ``cases.services`` and ``clinics.services``) and every
registry change starts a new one once its transaction commits (``IndicatorsConfig.ready``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, ClassVar

from clinics import figures

from .base import Number, Place, Source
from .facts import month_index
from .sources import RegistrySource, memo

CANDIDATES, OPEN = "candidates", "open"
DIAGNOSED, REVIVED, JOBS, DAYS = "diagnosed", "revived", "jobs", "days_to_revival"
HELD = {"held_6": 6, "held_12": 12}
FLOWS = frozenset({DIAGNOSED, REVIVED, JOBS, DAYS, *HELD})

# The candidates as two registry figures whose sum they are (the registry source reads its
# facts; ``pk`` only names them in its memo).
CANDIDATE_PARTS = (
    SimpleNamespace(
        pk="clinic-candidates-operating",
        measure="units",
        filters={"status": ["idle", "semi_active"]},
    ),
    SimpleNamespace(
        pk="clinic-candidates-projects",
        measure="units",
        filters={"status": ["under_construction"], "semi_finished": True},
    ),
)
_REGISTRY = RegistrySource()
# Since the beginning (the monthly series of a flow).
EVER = dt.date(1900, 1, 1)


def _where(place: Place) -> dict[str, Any]:
    if place.level == "p":
        return {"province_id": place.id}
    if place.level == "k":
        return {"park_id": place.id}
    return {}


def _records(
    measure: str, as_of: dt.date, since: dt.date | None, where: dict[str, Any]
) -> list[tuple[dt.date, int | None, int]]:
    """(the day a flow counts on, the province it counts in, the amount) for each row."""
    if measure == DIAGNOSED:
        found = figures.diagnosed(as_of, since=since, **where)
        pairs = found.values_list("diagnosed_on", "province_then")  # type: ignore[misc]  # annotated
        return [(d, p, 1) for d, p in pairs]
    if measure in HELD:
        return [
            (mark, r.province_then, 1)  # type: ignore[attr-defined]
            for r, mark, held in figures.sustained_marks(HELD[measure], as_of, since=since, **where)
            if held
        ]
    out = []
    revived = figures.revivals(as_of, since=since, **where)
    for day, province, jobs, opened in revived.values_list(  # type: ignore[misc]  # annotated
        "date", "province_then", "jobs", "opened_on"
    ):
        amount = jobs if measure == JOBS else (day - opened).days if measure == DAYS else 1
        out.append((day, province, amount))
    return out


def _total(measure: str, amounts: Iterable[int]) -> Number | None:
    amounts = list(amounts)
    if measure != DAYS:
        return sum(amounts)
    if not amounts:
        return None
    return Decimal(str(statistics.median(amounts))).quantize(Decimal("0.1"))


class ClinicSource(Source):
    """Clinic candidates, open cases, diagnoses, revivals with the clinic and whether they
    held, from the registry's and the cases' dated history."""

    key = "clinics"
    measures: ClassVar[dict[str, str]] = {
        m: m for m in (CANDIDATES, OPEN, DIAGNOSED, REVIVED, JOBS, DAYS, *HELD)
    }
    flows = FLOWS
    breakdowns = ("province", "park", "stage", "cause_primary", "cause")

    def value(self, indicator: Any, place: Place, as_of: dt.date) -> Number:
        measure = indicator.measure
        return memo(  # type: ignore[no-any-return]
            ("clinics", "value", measure, place, as_of), lambda: self._value(measure, place, as_of)
        )

    def _value(self, measure: str, place: Place, as_of: dt.date) -> Number | None:
        if measure == CANDIDATES:
            return sum(int(_REGISTRY.value(part, place, as_of)) for part in CANDIDATE_PARTS)
        if measure == OPEN:
            return sum(figures.open_by_stage(as_of, **_where(place)).values())
        if measure not in FLOWS:
            return 0
        return _total(measure, (n for _d, _p, n in _records(measure, as_of, None, _where(place))))

    def by_province(self, indicator: Any, as_of: dt.date) -> dict[int, Number]:
        measure = indicator.measure
        return memo(  # type: ignore[no-any-return]
            ("clinics", "by_province", measure, as_of), lambda: self._by_province(measure, as_of)
        )

    def _by_province(self, measure: str, as_of: dt.date) -> dict[int, Number | None]:
        if measure == CANDIDATES:
            out: dict[int, int] = defaultdict(int)
            for part in CANDIDATE_PARTS:
                for province, n in _REGISTRY.by_province(part, as_of).items():
                    out[province] += int(n)
            return dict(out)
        if measure == OPEN:
            from django.db.models import Count

            rows = figures.open_cases(as_of).values("province_then").annotate(n=Count("id"))  # type: ignore[misc]
            return {r["province_then"]: r["n"] for r in rows.order_by()}
        if measure not in FLOWS:
            return {}
        amounts: dict[int, list[int]] = defaultdict(list)
        for _d, where_then, n in _records(measure, as_of, None, {}):
            if where_then is not None:
                amounts[where_then].append(n)
        if measure == DAYS:  # a province without a revival has no median (not one of 0)
            from places.models import Province

            return {
                p: _total(measure, amounts.get(p, []))
                for p in Province.objects.values_list("pk", flat=True)
            }
        return {p: _total(measure, ns) for p, ns in amounts.items()}

    def breakdown(
        self, indicator: Any, place: Place, as_of: dt.date, dim: str
    ) -> dict[str, Number]:
        measure = indicator.measure
        return memo(  # type: ignore[no-any-return]
            ("clinics", "breakdown", measure, place, as_of, dim),
            lambda: self._breakdown(measure, place, as_of, dim),
        )

    def _breakdown(self, measure: str, place: Place, as_of: dt.date, dim: str) -> dict[str, int]:
        if measure == OPEN and dim == "stage":
            return figures.open_by_stage(as_of, **_where(place))
        if measure == DIAGNOSED and dim in ("cause", "cause_primary"):
            cases = figures.diagnosed(as_of, **_where(place))
            return figures.causes(cases, primary=dim == "cause_primary")
        return {}

    def monthly(self, indicator: Any, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        measure = indicator.measure
        return memo(  # type: ignore[no-any-return]
            ("clinics", "monthly", measure, place, as_of),
            lambda: self._monthly(measure, place, as_of),
        )

    def _monthly(self, measure: str, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        """(Jalali month index, as ``indicators.facts.month_index``; the stock at the
        month's end — at ``as_of`` for its own month — or the flow dated in the month up to
        ``as_of``), from the first month with a change. The median has no series."""
        if measure == CANDIDATES:
            out: dict[int, int] = defaultdict(int)
            for part in CANDIDATE_PARTS:
                for month, n in _REGISTRY.monthly(part, place, as_of):
                    out[month] += int(n)
            return sorted(out.items())  # type: ignore[arg-type]
        if measure == OPEN:
            return figures.open_by_month(as_of, **_where(place))  # type: ignore[return-value]
        if measure not in FLOWS or measure == DAYS:
            return []
        by_month: dict[int, int] = defaultdict(int)
        for day, _p, n in _records(measure, as_of, EVER, _where(place)):
            by_month[month_index(day)] += n
        if not by_month:
            return []
        return [(m, by_month.get(m, 0)) for m in range(min(by_month), month_index(as_of) + 1)]
