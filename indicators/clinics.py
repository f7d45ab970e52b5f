"""The business clinics as a source of indicators (``indicators.sources``), registered by
``IndicatorsConfig.ready`` under the key ``clinics``. It reads the cases' facts
(``indicators.casefacts``: the clinic cases' stages, and the flows ``clinics.figures.
case_flows`` declares case by case) and, for the candidates, the registry's facts; the
rows behind each figure are ``clinics.figures``' querysets, which the tests compare with
the facts (the indicators build on the clinics; the clinics know nothing of them).

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
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, ClassVar

from clinics.casetype import CLINIC, TYPE
from clinics.figures import year_start
from clinics.models import Cause

from . import casefacts
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
OPEN_STAGES = tuple(CLINIC.open_stages)


def _median(histogram: dict[str, int]) -> Number | None:
    """The median of the days from opening to revival, from their counts per number of
    days (None: no revival)."""
    days = sorted((int(d), n) for d, n in histogram.items() if n > 0)
    total = sum(n for _d, n in days)
    if not total:
        return None

    def nth(k: int) -> int:  # the k-th smallest (from 0)
        for d, n in days:
            if k < n:
                return d
            k -= n
        raise IndexError(k)

    middle = (nth((total - 1) // 2) + nth(total // 2)) / 2
    return Decimal(str(middle)).quantize(Decimal("0.1"))


def _amount(measure: str, found: dict[str, int]) -> Number | None:
    if measure == DAYS:
        return _median(found)
    return sum(found.values())


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
            return sum(casefacts.stock(TYPE, place, as_of, OPEN_STAGES).values())
        if measure not in FLOWS:
            return 0
        return _amount(measure, casefacts.flow(TYPE, measure, place, year_start(as_of), as_of))

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
            found = casefacts.by_province(TYPE, casefacts.STAGE, None, as_of, OPEN_STAGES)
            return {p: sum(stages.values()) for p, stages in found.items()}
        if measure not in FLOWS:
            return {}
        found = casefacts.by_province(TYPE, measure, year_start(as_of), as_of)
        if measure == DAYS:  # a province without a revival has no median (not one of 0)
            from places.models import Province

            return {
                p: _median(found.get(p, {})) for p in Province.objects.values_list("pk", flat=True)
            }
        return {p: _amount(measure, values) for p, values in found.items()}

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
            found = casefacts.stock(TYPE, place, as_of, OPEN_STAGES)
            return {stage: found.get(stage, 0) for stage in OPEN_STAGES}
        if measure == DIAGNOSED and dim in ("cause", "cause_primary"):
            found = casefacts.flow(TYPE, dim, place, year_start(as_of), as_of)
            return {cause: found.get(cause, 0) for cause in Cause.values}
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
        if measure not in FLOWS | {OPEN} or measure == DAYS:
            return []
        if measure == OPEN:
            changes = casefacts.monthly(TYPE, casefacts.STAGE, place, as_of, OPEN_STAGES)
        else:
            changes = casefacts.monthly(TYPE, measure, place, as_of)
        changes = {m: n for m, n in changes.items() if n}
        if not changes:
            return []
        months = range(min(changes), month_index(as_of) + 1)
        if measure != OPEN:
            return [(m, changes.get(m, 0)) for m in months]
        series: list[tuple[int, Number]] = []
        running = 0
        for m in months:
            running += changes.get(m, 0)
            series.append((m, running))
        return series
