"""The export consortia as a source of indicators (``indicators.sources``), registered by
``IndicatorsConfig.ready`` under the key ``consortia``. It reads the consortia's own tables
directly (``consortia.models``): they are small — a few hundred consortia and their
members, support entries and caps — so every figure is computed from the rows themselves,
kept per figures version (``indicators.sources.memo``), with no facts table.

Measures (places: the country, a province — the consortium's; a park's value is 0):

- ``consortia``: a stock, consortia formed on or before the report date;
- ``members``: a stock, memberships in force at the end of the report date (joined on or
  before it, not left by then);
- ``support``: a flow, support recorded (rials) from 1 Farvardin of the report year to the
  report date;
- ``support_cap``: what those consortia may receive in the report year — the year's cap
  (``consortia.SupportCap``, else the default) times the consortia counted — the ceiling
  the support is read against.

Every consortium event (``consortium.``, published by ``consortia.services``) starts a new
figures version once its transaction commits (``IndicatorsConfig.ready``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, ClassVar

from consortia.models import DEFAULT_CAP, Consortium, Member, SupportCap, SupportEntry
from persian import jalali

from .base import Number, Place, Source
from .facts import month_index
from .sources import memo

CONSORTIA, MEMBERS, SUPPORT, CAP = "consortia", "members", "support", "support_cap"


def _consortia() -> list[tuple[int, dt.date]]:
    """(province, formed on) of every consortium."""
    return memo(
        ("consortia", "rows"),
        lambda: list(Consortium.objects.values_list("province_id", "formed_on")),
    )


def _members() -> list[tuple[int, dt.date, dt.date | None]]:
    """(the consortium's province, joined on, left on) of every membership."""
    return memo(
        ("consortia", "members"),
        lambda: list(Member.objects.values_list("consortium__province_id", "joined_on", "left_on")),
    )


def _support() -> list[tuple[int, dt.date, int]]:
    return memo(
        ("consortia", "support"),
        lambda: list(SupportEntry.objects.values_list("consortium__province_id", "date", "amount")),
    )


def _cap(year: int) -> int:
    caps = memo(
        ("consortia", "caps"), lambda: dict(SupportCap.objects.values_list("year", "amount"))
    )
    return int(caps.get(year, DEFAULT_CAP))


def _amounts(measure: str, as_of: dt.date) -> list[tuple[int, dt.date, int]]:
    """(province, the day it counts from, amount) for each row that counts at ``as_of``."""
    if measure in (CONSORTIA, CAP):
        cap = _cap(jalali.year_of(as_of)) if measure == CAP else 1
        return [(p, formed, cap) for p, formed in _consortia() if formed <= as_of]
    if measure == MEMBERS:
        return [
            (p, joined, 1)
            for p, joined, left in _members()
            if joined <= as_of and (left is None or left > as_of)
        ]
    if measure == SUPPORT:
        first = jalali.year_start(as_of)
        return [(p, day, n) for p, day, n in _support() if first <= day <= as_of]
    return []


class ConsortiumSource(Source):
    """Export consortia, their members, and the support recorded against the year's cap."""

    key = "consortia"
    measures: ClassVar[dict[str, str]] = {m: m for m in (CONSORTIA, MEMBERS, SUPPORT, CAP)}
    flows = frozenset({SUPPORT})
    breakdowns = ("province",)

    def value(self, indicator: Any, place: Place, as_of: dt.date) -> Number:
        if place.level not in ("c", "p"):
            return 0
        rows = _amounts(indicator.measure, as_of)
        return sum(n for p, _d, n in rows if place.level == "c" or p == place.id)

    def by_province(self, indicator: Any, as_of: dt.date) -> dict[int, Number]:
        out: dict[int, int] = defaultdict(int)
        for province, _d, n in _amounts(indicator.measure, as_of):
            out[province] += n
        return dict(out)

    def monthly(self, indicator: Any, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        """The support recorded in each Jalali month up to ``as_of``; the stocks at each
        month's end (at ``as_of`` for its own month)."""
        if place.level not in ("c", "p"):
            return []
        measure = indicator.measure
        mine = [
            (d, n) for p, d, n in _amounts(measure, as_of) if place.level == "c" or p == place.id
        ]
        if measure == SUPPORT:
            rows = [
                (d, n)
                for p, d, n in _support()
                if d <= as_of and (place.level == "c" or p == place.id)
            ]
            by_month: dict[int, int] = defaultdict(int)
            for day, n in rows:
                by_month[month_index(day)] += n
            if not by_month:
                return []
            return [(m, by_month.get(m, 0)) for m in range(min(by_month), month_index(as_of) + 1)]
        if not mine:
            return []
        first = month_index(min(d for d, _n in mine))
        out = []
        for m in range(first, month_index(as_of) + 1):
            end = min(_month_end(m), as_of)
            out.append((m, self.value(indicator, place, end)))
        return out


def _month_end(index: int) -> dt.date:
    year, month = divmod(index, 12)
    return jalali.month_bounds(year, month + 1)[1]
