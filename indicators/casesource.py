"""A source of indicators read from the cases' facts (``indicators.casefacts``): what the
business clinics' and the finance instruments' sources have in common.

A subclass declares its measures:

- ``stocks``: measure → (case type, the stages it counts, the stages of its ``stage``
  breakdown): cases at those stages at the end of the report date;
- ``flow_types``: measure → case type, for the flows the type's ``case_flows`` declares
  (``casefacts.register_flows``); a flow's breakdown ``dim`` reads the flow
  ``"<measure>:<dim>"`` (values such as a bank's id or a cause); ``medians``: the flows
  whose figure is the median of their values (days), not their sum — their breakdown
  values are ``"<key>:<days>"``.

Flows run from 1 Farvardin of the report date's Jalali year to the report date; by month
in the series. Every figure is kept per figures version (``indicators.sources.memo``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any, ClassVar

from persian.jalali import year_start

from . import casefacts
from .base import COUNTRY, Number, Place, Source
from .facts import month_index
from .sources import memo


def median(histogram: dict[str, int]) -> Number | None:
    """The median of whole numbers from their counts (``{"12": 3}``: three twelves); None
    when there is none."""
    values = sorted((int(v), n) for v, n in histogram.items() if n > 0)
    total = sum(n for _v, n in values)
    if not total:
        return None

    def nth(k: int) -> int:  # the k-th smallest (from 0)
        for v, n in values:
            if k < n:
                return v
            k -= n
        raise IndexError(k)

    middle = (nth((total - 1) // 2) + nth(total // 2)) / 2
    return Decimal(str(middle)).quantize(Decimal("0.1"))


def _medians(found: dict[str, int]) -> dict[str, Number | None]:
    """Per breakdown value, the median of the ``"<value>:<days>"`` counts."""
    grouped: dict[str, dict[str, int]] = defaultdict(dict)
    for cell, n in found.items():
        value, _sep, days = cell.rpartition(":")
        grouped[value][days] = n
    return {value: median(histogram) for value, histogram in grouped.items()}


class CaseSource(Source):
    stocks: ClassVar[dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {}
    flow_types: ClassVar[dict[str, str]] = {}
    medians: ClassVar[frozenset[str]] = frozenset()

    # --- kept per figures version -----------------------------------------------------------

    def value(self, indicator: Any, place: Place, as_of: dt.date) -> Number:
        measure = indicator.measure
        return memo(  # type: ignore[no-any-return]
            (self.key, "value", measure, place, as_of), lambda: self._value(measure, place, as_of)
        )

    def by_province(self, indicator: Any, as_of: dt.date) -> dict[int, Number]:
        measure = indicator.measure
        return memo(  # type: ignore[no-any-return]
            (self.key, "by_province", measure, as_of), lambda: self._by_province(measure, as_of)
        )

    def breakdown(
        self, indicator: Any, place: Place, as_of: dt.date, dim: str
    ) -> dict[str, Number]:
        measure = indicator.measure
        return memo(  # type: ignore[no-any-return]
            (self.key, "breakdown", measure, place, as_of, dim),
            lambda: self._breakdown(measure, place, as_of, dim),
        )

    def monthly(self, indicator: Any, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        measure = indicator.measure
        return memo(  # type: ignore[no-any-return]
            (self.key, "monthly", measure, place, as_of),
            lambda: self._monthly(measure, place, as_of),
        )

    # --- from the facts ---------------------------------------------------------------------

    def _place_facts(
        self, case_type: str, place: Place, as_of: dt.date
    ) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        """Every flow of ``case_type`` at a province or a park from 1 Farvardin to
        ``as_of``, and its cases at each stage at the end of ``as_of``: two queries for all
        the figures of a place's page (a dozen per source), kept per figures version. (The
        country's flows are many more rows; its figures read one measure each.)"""

        def read() -> tuple[dict[str, dict[str, int]], dict[str, int]]:
            flows = casefacts.flows(case_type, None, [place], year_start(as_of), as_of)
            return flows, casefacts.stock(case_type, place, as_of)

        return memo(("case-facts", case_type, place, as_of), read)  # type: ignore[no-any-return]

    def _stock(
        self, case_type: str, place: Place, as_of: dt.date, stages: tuple[str, ...]
    ) -> dict[str, int]:
        if place.level == COUNTRY.level:
            return casefacts.stock(case_type, place, as_of, stages)
        found = self._place_facts(case_type, place, as_of)[1]
        return {stage: found[stage] for stage in stages if stage in found}

    def _flow(self, case_type: str, measure: str, place: Place, as_of: dt.date) -> dict[str, int]:
        if place.level == COUNTRY.level:
            return casefacts.flow(case_type, measure, place, year_start(as_of), as_of)
        return dict(self._place_facts(case_type, place, as_of)[0].get(measure, {}))

    def _amount(self, measure: str, found: dict[str, int]) -> Number | None:
        return median(found) if measure in self.medians else sum(found.values())

    def _value(self, measure: str, place: Place, as_of: dt.date) -> Number | None:
        if measure in self.stocks:
            case_type, counted, _stages = self.stocks[measure]
            return sum(self._stock(case_type, place, as_of, counted).values())
        if measure in self.flow_types:
            found = self._flow(self.flow_types[measure], measure, place, as_of)
            return self._amount(measure, found)
        return 0

    def _by_province(self, measure: str, as_of: dt.date) -> dict[int, Number | None]:
        if measure in self.stocks:
            case_type, counted, _stages = self.stocks[measure]
            found = casefacts.by_province(case_type, casefacts.STAGE, None, as_of, counted)
            return {p: sum(stages.values()) for p, stages in found.items()}
        if measure not in self.flow_types:
            return {}
        found = casefacts.by_province(self.flow_types[measure], measure, year_start(as_of), as_of)
        if measure in self.medians:  # a province without a value has no median (not 0)
            from places.models import Province

            return {
                p: median(found.get(p, {})) for p in Province.objects.values_list("pk", flat=True)
            }
        return {p: self._amount(measure, values) for p, values in found.items()}

    def _breakdown(self, measure: str, place: Place, as_of: dt.date, dim: str) -> dict[str, Any]:
        if measure in self.stocks and dim == "stage":
            case_type, _counted, stages = self.stocks[measure]
            found = self._stock(case_type, place, as_of, stages)
            return {stage: found.get(stage, 0) for stage in stages}
        if measure not in self.flow_types or dim not in self.breakdowns:
            return {}
        found = self._flow(self.flow_types[measure], f"{measure}:{dim}", place, as_of)
        if measure in self.medians:
            return _medians(found)
        return found

    def _monthly(self, measure: str, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        """(Jalali month index, as ``indicators.facts.month_index``; the stock at the
        month's end — at ``as_of`` for its own month — or the flow dated in the month up to
        ``as_of``), from the first month with a change. A median has no series."""
        if measure in self.stocks:
            case_type, counted, _stages = self.stocks[measure]
            changes = casefacts.monthly(case_type, casefacts.STAGE, place, as_of, counted)
        elif measure in self.flow_types and measure not in self.medians:
            changes = casefacts.monthly(self.flow_types[measure], measure, place, as_of)
        else:
            return []
        changes = {m: n for m, n in changes.items() if n}
        if not changes:
            return []
        months = range(min(changes), month_index(as_of) + 1)
        if measure not in self.stocks:
            return [(m, changes.get(m, 0)) for m in months]
        series: list[tuple[int, Number]] = []
        running = 0
        for m in months:
            running += changes.get(m, 0)
            series.append((m, running))
        return series
