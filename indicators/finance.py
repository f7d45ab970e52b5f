"""The finance instruments as a source of indicators (``indicators.sources``), registered
by ``IndicatorsConfig.ready`` under the key ``finance``: finance referrals to banks and the
capital-market pipeline, read from the cases' facts (``indicators.casefacts``: the flows
``finance.figures.referral_flows`` and ``listing_flows`` declare, and the files' stages).
Definitions and rows: ``finance.figures``.
"""

from __future__ import annotations

from typing import ClassVar

from finance import casetype, market

from .casesource import CaseSource

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
