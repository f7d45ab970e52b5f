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
from types import SimpleNamespace
from typing import Any, ClassVar

from clinics.casetype import CLINIC, TYPE
from clinics.models import Cause

from .base import Number, Place
from .casesource import CaseSource
from .sources import RegistrySource

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


class ClinicSource(CaseSource):
    """Clinic candidates (from the registry's facts), open cases, diagnoses, revivals with
    the clinic and whether they held (from the cases' facts)."""

    key = "clinics"
    measures: ClassVar[dict[str, str]] = {
        m: m for m in (CANDIDATES, OPEN, DIAGNOSED, REVIVED, JOBS, DAYS, *HELD)
    }
    flows = FLOWS
    breakdowns = ("province", "park", "stage", "cause_primary", "cause")
    stocks: ClassVar[dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
        OPEN: (TYPE, OPEN_STAGES, OPEN_STAGES)
    }
    flow_types: ClassVar[dict[str, str]] = dict.fromkeys(FLOWS, TYPE)
    medians = frozenset({DAYS})

    def _value(self, measure: str, place: Place, as_of: dt.date) -> Number | None:
        if measure == CANDIDATES:
            return sum(int(_REGISTRY.value(part, place, as_of)) for part in CANDIDATE_PARTS)
        return super()._value(measure, place, as_of)

    def _by_province(self, measure: str, as_of: dt.date) -> dict[int, Number | None]:
        if measure == CANDIDATES:
            out: dict[int, int] = defaultdict(int)
            for part in CANDIDATE_PARTS:
                for province, n in _REGISTRY.by_province(part, as_of).items():
                    out[province] += int(n)
            return dict(out)
        return super()._by_province(measure, as_of)

    def _breakdown(self, measure: str, place: Place, as_of: dt.date, dim: str) -> dict[str, Any]:
        if measure == DIAGNOSED and dim in ("cause", "cause_primary"):
            found = super()._breakdown(measure, place, as_of, dim)
            return {cause: found.get(cause, 0) for cause in Cause.values}
        if measure == OPEN:
            return super()._breakdown(measure, place, as_of, dim)
        return {}

    def _monthly(self, measure: str, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        if measure == CANDIDATES:
            out: dict[int, int] = defaultdict(int)
            for part in CANDIDATE_PARTS:
                for month, n in _REGISTRY.monthly(part, place, as_of):
                    out[month] += int(n)
            return sorted(out.items())  # type: ignore[arg-type]
        return super()._monthly(measure, place, as_of)
