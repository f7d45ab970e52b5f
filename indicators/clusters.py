"""The cluster programme as a source of indicators (``indicators.sources``), registered by
``IndicatorsConfig.ready`` under the key ``clusters``. It reads ``clusters.selectors``
(the indicators build on the programme; the programme knows nothing of them).

Measures (definitions in ``clusters.selectors``):

- ``identified``, ``in_development``, ``completed``: stocks, the clusters in that state at
  the end of the report date (``programme_counts``);
- ``completed_in_period``: a flow, like the registry's revivals and permits: the completion
  licences dated from 1 Farvardin of the report year to the report date; by month, those
  dated in each Jalali month.

Places: the country (level c) and a province (p, its id). Clusters are not counted by park:
the indicators do not offer the park breakdown, and a park's value is 0.

Figures are kept (``indicators.sources.memo``) until the figures version changes: every
event of the programme (``cluster.``, published by ``clusters.services``) starts a new one
once its transaction commits (``IndicatorsConfig.ready``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, ClassVar

from clusters.selectors import Milestones, counts_by_province, milestones, programme_counts
from persian import jalali
from places.models import Province

from .base import Number, Place, Source
from .facts import month_index
from .sources import memo

STOCKS = ("identified", "in_development", "completed")
COMPLETED_IN_PERIOD = "completed_in_period"


def _province_ids() -> dict[str, int]:
    """Province code → id."""
    return memo(
        ("clusters", "province-ids"), lambda: dict(Province.objects.values_list("code", "pk"))
    )


def _milestones() -> list[Milestones]:
    """Every cluster's milestone dates (one query, kept until the figures change)."""
    return memo(("clusters", "milestones"), milestones)


def _rows_at(place: Place) -> list[Milestones]:
    rows = _milestones()
    if place.level == "c":
        return rows
    if place.level == "p":
        return [r for r in rows if _province_ids().get(r.province_code) == place.id]
    return []  # clusters are not counted by park


def _span(row: Milestones, measure: str) -> tuple[dt.date | None, dt.date | None]:
    """The days a cluster counts towards a stock: from the first (inclusive) until the
    second (exclusive; None: still counted)."""
    if measure == "identified":
        return row.identified, None
    if measure == "in_development":
        return row.development, row.completed
    return row.completed, None


class ClusterSource(Source):
    """Clusters identified, in development and completed, from the dated stage history."""

    key = "clusters"
    measures: ClassVar[dict[str, str]] = {
        "identified": "identified",
        "in_development": "in_development",
        "completed": "completed",
        COMPLETED_IN_PERIOD: COMPLETED_IN_PERIOD,
    }
    flows = frozenset({COMPLETED_IN_PERIOD})
    breakdowns = ("province",)

    def value(self, indicator: Any, place: Place, as_of: dt.date) -> Number:
        measure = indicator.measure
        return memo(
            ("clusters", "value", measure, place, as_of), lambda: self._value(measure, place, as_of)
        )

    def _value(self, measure: str, place: Place, as_of: dt.date) -> int:
        if place.level not in ("c", "p"):
            return 0
        if measure == COMPLETED_IN_PERIOD:
            first = jalali.year_start(as_of)
            return sum(
                1
                for r in _rows_at(place)
                if r.completed is not None and first <= r.completed <= as_of
            )
        if measure not in STOCKS:
            return 0
        province = None
        if place.level == "p":
            province = Province.objects.filter(pk=place.id).first()
            if province is None:
                return 0
        return programme_counts(as_of, province)[measure]

    def by_province(self, indicator: Any, as_of: dt.date) -> dict[int, Number]:
        measure = indicator.measure
        return memo(
            ("clusters", "by_province", measure, as_of), lambda: self._by_province(measure, as_of)
        )

    def _by_province(self, measure: str, as_of: dt.date) -> dict[int, Number]:
        ids = _province_ids()
        if measure == COMPLETED_IN_PERIOD:
            first = jalali.year_start(as_of)
            out: dict[int, Number] = dict.fromkeys(ids.values(), 0)
            for r in _milestones():
                if r.completed is not None and first <= r.completed <= as_of:
                    out[ids[r.province_code]] += 1
            return out
        if measure not in STOCKS:
            return {}
        return {ids[code]: counts[measure] for code, counts in counts_by_province(as_of).items()}

    def monthly(self, indicator: Any, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        measure = indicator.measure
        return memo(
            ("clusters", "monthly", measure, place, as_of),
            lambda: self._monthly(measure, place, as_of),
        )

    def _monthly(self, measure: str, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        """(Jalali month index = year × 12 + month − 1, as ``indicators.facts.month_index``;
        the stock at the month's end — at ``as_of`` for its own month — or the completions
        dated in the month up to ``as_of``), from the first month with a change."""
        if measure not in self.measures:
            return []
        change: dict[int, int] = defaultdict(int)
        for row in _rows_at(place):
            if measure == COMPLETED_IN_PERIOD:
                if row.completed is not None and row.completed <= as_of:
                    change[month_index(row.completed)] += 1
                continue
            start, end = _span(row, measure)
            if start is None or start > as_of:
                continue
            change[month_index(start)] += 1
            if end is not None and end <= as_of:
                change[month_index(end)] -= 1
        if not change:
            return []
        months = range(min(change), month_index(as_of) + 1)
        if measure == COMPLETED_IN_PERIOD:
            return [(m, change.get(m, 0)) for m in months]
        running, out = 0, []
        for m in months:
            running += change.get(m, 0)
            out.append((m, running))
        return out  # type: ignore[return-value]


def counted_ids(measure: str, place: Place, as_of: dt.date) -> list[int]:
    """The clusters a figure counted at ``place`` on ``as_of`` (its rows: as many as the
    figure, read from the same milestones)."""
    rows = _rows_at(place)
    if measure == COMPLETED_IN_PERIOD:
        first = jalali.year_start(as_of)
        return [
            r.cluster_id for r in rows if r.completed is not None and first <= r.completed <= as_of
        ]
    if measure not in STOCKS:
        return []
    return [r.cluster_id for r in rows if r.state_on(as_of)[measure]]
