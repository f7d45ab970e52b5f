"""What the indicators app announces (``pishran.events``): targets set or removed, the
shipped catalogue loaded, and the facts changed (a registry change applied, a rebuild
swapped in). ``IndicatorsConfig.ready`` starts a new figures version on each of them, as
on the events of the layers below."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pishran.events import Event


@dataclass(frozen=True)
class TargetSaved(Event):
    """A target created or its value changed (``indicators.services.target_set``)."""

    name: ClassVar[str] = "indicators.target_saved"
    target_id: int
    indicator_id: int
    province_id: int | None
    year: int
    created: bool


@dataclass(frozen=True)
class TargetDeleted(Event):
    name: ClassVar[str] = "indicators.target_deleted"
    target_id: int
    indicator_id: int
    province_id: int | None
    year: int


@dataclass(frozen=True)
class CatalogueLoaded(Event):
    """``load_indicators`` created shipped indicators or filled their English texts."""

    name: ClassVar[str] = "indicators.catalogue_loaded"
    created: int
    completed: int


@dataclass(frozen=True)
class FactsApplied(Event):
    """One committed registry change was added to the facts (its ``FactChange`` row)."""

    name: ClassVar[str] = "indicators.facts_applied"
    enterprise_id: int
    change_id: int
    # (level, place) of every cell the change added to or took from: which figures it
    # changed (``sources.figures_changed``); empty: not known, any figure.
    places: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class FactsRebuilt(Event):
    """A full rebuild swapped in new facts (its ``RefreshRun``)."""

    name: ClassVar[str] = "indicators.facts_rebuilt"
    run_id: int
    rows: int
