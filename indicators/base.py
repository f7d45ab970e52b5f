"""What a source of indicator values is, and where the registered ones are kept.

Imports nothing else of the indicators app, so that the models (``Indicator.is_flow``) and
the sources (``indicators.sources``, ``indicators.clusters``) both build on it without
importing each other. See ``docs/indicators.md``, "Add an indicator"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

Number = int | Decimal


@dataclass(frozen=True)
class Place:
    """The country (level c, id 0), a province (p) or a park (k)."""

    level: str
    id: int = 0


COUNTRY = Place("c", 0)


class Source:
    key: ClassVar[str] = ""
    measures: ClassVar[dict[str, str]] = {}
    flows: ClassVar[frozenset[str]] = frozenset()
    breakdowns: ClassVar[tuple[str, ...]] = ()

    def value(self, indicator: Any, place: Place, as_of: dt.date) -> Number:
        raise NotImplementedError

    def breakdown(
        self, indicator: Any, place: Place, as_of: dt.date, dim: str
    ) -> dict[str, Number]:
        return {}

    def by_province(self, indicator: Any, as_of: dt.date) -> dict[int, Number]:
        return {}

    def monthly(self, indicator: Any, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        """(month index, value at that month end, or counted in that month) up to as_of."""
        return []


_sources: dict[str, Source] = {}


def register(source: Source) -> None:
    _sources[source.key] = source


def source_for(key: str) -> Source | None:
    return _sources.get(key)


def all_sources() -> dict[str, Source]:
    return dict(_sources)


def is_flow(source: str, measure: str) -> bool:
    """Counted in a period (revivals, permits) rather than standing at a date."""
    found = source_for(source)
    return bool(found and measure in found.flows)
