"""Reads of the finance referrals, from the person's ``Scope`` (through the cases' rules),
and the ledger's figures: per bank and per instrument, referrals, decisions, approval rate,
days waiting and amounts."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from cases.selectors import cases_visible

from . import casetype
from .models import Decision, Referral


def referrals_visible(user: Any) -> QuerySet[Referral]:
    cases = cases_visible(user, casetype.TYPE)
    return (
        Referral.objects.filter(case__in=cases)
        .select_related("case", "case__enterprise", "case__province", "bank")
        .order_by("-case__opened_on", "-pk")
    )


@dataclass
class LedgerRow:
    label: str
    referrals: int = 0
    decided: int = 0
    approved: int = 0  # in full or in part
    requested: int = 0
    granted: int = 0
    paid: int = 0
    waits: list[int] = field(default_factory=list)

    @property
    def approval_rate(self) -> float | None:
        return round(100 * self.approved / self.decided, 1) if self.decided else None

    @property
    def median_wait(self) -> float | None:
        return statistics.median(self.waits) if self.waits else None


def ledger(referrals: QuerySet[Referral], by: str) -> list[LedgerRow]:
    """Per bank (``by="bank"``), instrument or province: the referrals' counts and amounts,
    the approval rate among those decided, and the median days from introduction to the
    decision."""
    rows: dict[Any, LedgerRow] = {}
    labels: dict[Any, str] = {}
    values = referrals.values_list(
        "bank__name", "instrument", "case__province__name_fa", "decision", "decided_on",
        "case__opened_on", "amount_requested", "amount_granted", "amount_paid",
    )  # fmt: skip
    from .models import Instrument

    for bank, instrument, province, decision, decided_on, opened_on, req, granted, paid in values:
        key = {"bank": bank, "instrument": instrument, "province": province}[by]
        labels[key] = str(Instrument(instrument).label) if by == "instrument" else key
        row = rows.setdefault(key, LedgerRow(labels[key]))
        row.referrals += 1
        row.requested += req
        row.paid += paid or 0
        if decision:
            row.decided += 1
            row.waits.append((decided_on - opened_on).days)
        if decision in (Decision.APPROVED, Decision.PARTLY):
            row.approved += 1
            row.granted += granted or 0
    return sorted(rows.values(), key=lambda r: (-r.referrals, r.label))
