"""The finance instruments as a source of indicators (``indicators.sources``), registered
by ``IndicatorsConfig.ready`` under the key ``finance``: finance referrals to banks and the
capital-market pipeline, read from the cases' facts (``indicators.casefacts``: the flows
``finance.figures.referral_flows`` and ``listing_flows`` declare, and the files' stages).
Definitions and rows: ``finance.figures``.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from accounts.scope import Scope
from finance import casetype, market
from finance.roles import BANK_OFFICER
from finance.selectors import LedgerRow, banks_only

from . import casefacts
from .base import COUNTRY, Place
from .casesource import CaseSource, _medians
from .sources import memo

REFERRAL_FLOWS = (
    "referrals",
    "requested",
    "decided",
    "approved",
    "granted",
    "days_waiting",
    "paid",
    "paid_amount",
)
LISTING_FLOWS = ("admitted", "raised")
PIPELINE = "pipeline"


class FinanceSource(CaseSource):
    """Referrals, decisions and money by bank and instrument; capital-market files by stage
    and their admissions."""

    key = "finance"
    measures: ClassVar[dict[str, str]] = {m: m for m in (*REFERRAL_FLOWS, *LISTING_FLOWS, PIPELINE)}
    flows = frozenset(REFERRAL_FLOWS + LISTING_FLOWS)
    breakdowns = ("province", "park", "bank", "instrument", "stage", "market")
    stocks: ClassVar[dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
        PIPELINE: (
            market.TYPE,
            tuple(market.LISTING.open_stages),
            tuple(s.code for s in market.LISTING.stages),
        )
    }
    flow_types: ClassVar[dict[str, str]] = {
        **dict.fromkeys(REFERRAL_FLOWS, casetype.TYPE),
        **dict.fromkeys(LISTING_FLOWS, market.TYPE),
    }
    medians = frozenset({"days_waiting"})


# --- the referral list's ledgers, from the same facts -----------------------------------------

# LedgerRow field ← the flow it sums (``days_waiting``: the median, not a sum).
_LEDGER_SUMS = {
    "referrals": "referrals",
    "decided": "decided",
    "approved": "approved",
    "requested": "requested",
    "granted": "granted",
    "paid": "paid_amount",
}


def ledgers_from_facts(scope: Scope, by: tuple[str, ...]) -> dict[str, list[LedgerRow]] | None:
    """The ledgers of the referral list (``finance.selectors.ledgers``: per bank and per
    instrument, since the first referral) read from the facts, for the scopes whose
    referrals are a place's or a bank's: national staff (the country), a person whose only
    finance role is the provincial officer's (their provinces, each referral counted in
    the province of the office that held it on the day of each step) or the bank
    officer's (their banks, from the flows by bank and instrument together). None for
    any other scope (owners, a mix of roles): their rows are few enough to be summed."""
    from persian import jalali

    if any(name not in ("bank", "instrument") for name in by):
        return None
    flows = (*_LEDGER_SUMS.values(), "days_waiting")
    today = jalali.today()
    # Kept per figures version like every figure (``sources.memo``): a case event starts a
    # new one.
    banks = tuple(sorted(banks_only(scope)))
    if banks:

        def by_bank() -> dict[str, list[LedgerRow]]:
            measures = [f"{flow}:instrument@{pk}" for flow in flows for pk in banks]
            found = casefacts.flows(casetype.TYPE, measures, [COUNTRY], None, today)
            return {name: _ledger(name, _fold(found, name)) for name in by}

        return memo(("finance-ledgers", "banks", banks, by, today), by_bank)  # type: ignore[no-any-return]
    places = _places(scope, BANK_OFFICER)
    if places is None:
        return None

    def at_places() -> dict[str, list[LedgerRow]]:
        measures = sorted({f"{flow}:{name}" for name in by for flow in flows})
        found = casefacts.flows(casetype.TYPE, measures, places, None, today)
        return {name: _ledger(name, found) for name in by}

    return memo(("finance-ledgers", tuple(places), by, today), at_places)  # type: ignore[no-any-return]


def _places(scope: Scope, *others: str) -> list[Place] | None:
    """The country for national staff; a provincial officer's provinces when they hold
    none of ``others`` (the roles that see a case type's rows besides the office's)."""
    from accounts.roles import Role

    if scope.national:
        return [COUNTRY]
    if scope.holds(Role.PROVINCIAL_OFFICER) and not scope.holds(Role.ENTERPRISE_OWNER, *others):
        return [Place("p", pk) for pk in sorted(scope.places(Role.PROVINCIAL_OFFICER))]
    return None


def pipeline_from_facts(
    scope: Scope, as_of: dt.date
) -> tuple[dict[str, int], dict[str, float]] | None:
    """The capital-market pipeline's files at each stage at the end of ``as_of`` and the
    median days spent in each stage left by then, for national staff and provincial
    officers (as ``ledgers_from_facts``; the adviser firms' staff and owners get theirs
    from the rows)."""
    from finance.roles import MARKET_ADVISER

    places = _places(scope, MARKET_ADVISER)
    if places is None:
        return None
    return memo(  # type: ignore[no-any-return]
        ("finance-pipeline", tuple(places), as_of), lambda: _pipeline(places, as_of)
    )


def _pipeline(places: list[Place], as_of: dt.date) -> tuple[dict[str, int], dict[str, float]]:
    stages = [s.code for s in market.LISTING.stages]
    counts: dict[str, int] = {}
    for place in places:
        for stage, n in casefacts.stock(market.TYPE, place, as_of, stages).items():
            counts[stage] = counts.get(stage, 0) + n
    found = casefacts.flows(market.TYPE, ["stage_days"], places, None, as_of)
    medians = {
        stage: float(days)
        for stage, days in _medians(found["stage_days"]).items()
        if days is not None
    }
    return counts, medians


def _fold(found: dict[str, dict[str, int]], name: str) -> dict[str, dict[str, int]]:
    """A bank's flows by instrument (``"<flow>:instrument@<bank>"``) summed by bank or by
    instrument, as ``"<flow>:<name>"`` (days waiting: ``"<key>:<days>"`` counts)."""
    out: dict[str, dict[str, int]] = {}
    for measure, values in found.items():
        flow, _colon, rest = measure.partition(":")
        bank = rest.partition("@")[2]
        sums = out.setdefault(f"{flow}:{name}", {})
        for value, n in values.items():
            if name == "bank":
                key = bank + (":" + value.rpartition(":")[2] if flow == "days_waiting" else "")
            else:
                key = value
            sums[key] = sums.get(key, 0) + n
    return out


def _ledger(name: str, found: dict[str, dict[str, int]]) -> list[LedgerRow]:
    from finance.models import Bank, Instrument

    rows: dict[str, LedgerRow] = {}
    labels: dict[str, str] = {}
    if name == "bank":
        ids = {int(v) for v in found[f"referrals:{name}"]}
        labels = {str(pk): n for pk, n in Bank.objects.filter(pk__in=ids).values_list("pk", "name")}
    for field, flow in _LEDGER_SUMS.items():
        for value, n in found[f"{flow}:{name}"].items():
            row = rows.get(value)
            if row is None:
                label = (
                    str(Instrument(value).label)
                    if name == "instrument"
                    else labels.get(value, value)
                )
                row = rows[value] = LedgerRow(label)
            setattr(row, field, getattr(row, field) + n)
    for value, wait in _medians(found[f"days_waiting:{name}"]).items():
        if value in rows and wait is not None:
            rows[value].median_wait = float(wait)
    return sorted(
        (row for row in rows.values() if row.referrals),
        key=lambda r: (-r.referrals, r.label),
    )
