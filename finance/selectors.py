"""Reads of the finance referrals, from the person's ``Scope`` (through the cases' rules),
and the ledger's figures: per bank and per instrument, referrals, decisions, approval rate,
days waiting and amounts."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet

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
        if decision and decided_on is not None:
            row.decided += 1
            row.waits.append((decided_on - opened_on).days)
        if decision in (Decision.APPROVED, Decision.PARTLY):
            row.approved += 1
            row.granted += granted or 0
    return sorted(rows.values(), key=lambda r: (-r.referrals, r.label))


# --- the capital-market pipeline -------------------------------------------------------------


def listings_visible(user: Any) -> QuerySet[Any]:
    from .market import TYPE
    from .models import Listing

    return (
        Listing.objects.filter(case__in=cases_visible(user, TYPE))
        .select_related("case", "case__enterprise", "case__province", "adviser")
        .order_by("-case__opened_on", "-pk")
    )


def days_in_stages(case_ids: list[int]) -> dict[str, list[int]]:
    """For each stage, the days each case spent in it (stages already left), from the
    dated history."""
    from cases.models import CaseEvent

    spent: dict[str, list[int]] = {}
    previous: dict[int, Any] = {}
    for event in (
        CaseEvent.objects.filter(case_id__in=case_ids, kind__in=["open", "stage"])
        .order_by("case_id", "date", "id")
        .only("case_id", "date", "stage")
    ):
        last = previous.get(event.case_id)
        if last is not None:
            spent.setdefault(last.stage, []).append((event.date - last.date).days)
        previous[event.case_id] = event
    return spent


def _point(condition: Any) -> Any:
    """1 when ``condition`` holds, else 0 (a readiness point)."""
    from django.db.models import Case as When_
    from django.db.models import IntegerField, When

    return When_(When(condition, then=1), default=0, output_field=IntegerField())


def readiness(user: Any, province_id: int, day: Any, limit: int = 50) -> list[dict[str, Any]]:
    """Whom to introduce to the exchange next, in ``province_id`` (units the person keeps):
    active units with no open or admitted file, scored one point each for 50 or more
    employees, an operating permit three or more years old, exports, being knowledge-based
    and never having been idle; the reasons listed."""
    from django.db.models import Exists, OuterRef, Value

    from accounts.scope import Scope
    from cases.models import Case
    from enterprises.models import Enterprise, Status, StatusEvent
    from persian.jalali import add_months

    from .market import ADMITTED, TYPE

    three_years_ago = add_months(day, -36)
    filed = Case.objects.filter(enterprise=OuterRef("pk"), type=TYPE).filter(
        Q(closed_on__isnull=True) | Q(stage=ADMITTED)
    )
    idle_ever = StatusEvent.objects.filter(enterprise=OuterRef("pk"), to_status=Status.IDLE)
    units = (
        Enterprise.objects.filter(Scope.of(user).full_q(Enterprise))
        .filter(province_id=province_id, status=Status.ACTIVE)
        .filter(~Exists(filed))
        .annotate(
            big=_point(Q(employees__gte=50)),
            seasoned=_point(Q(permit_date__lte=three_years_ago)),
            never_idle=_point(~Exists(idle_ever)),
            exp=_point(Q(exporter=True)),
            kb=_point(Q(knowledge_based=True)),
        )
        .annotate(score=F("big") + F("seasoned") + F("never_idle") + F("exp") + F("kb") + Value(0))
        .order_by("-score", "-employees", "id")[:limit]
    )
    from django.utils.translation import gettext as _

    out = []
    for unit in units:
        reasons = []
        if unit.big:
            reasons.append(_("%(n)s employees") % {"n": unit.employees})
        if unit.seasoned:
            reasons.append(_("operating permit three or more years old"))
        if unit.exp:
            reasons.append(_("exporter"))
        if unit.kb:
            reasons.append(_("knowledge-based"))
        if unit.never_idle:
            reasons.append(_("never idle"))
        out.append({"unit": unit, "score": unit.score, "reasons": reasons})
    return out


# --- the unit after the money ------------------------------------------------------------------

AFTER_MONTHS = (6, 12)


@dataclass(frozen=True)
class StatusAfter:
    """The unit's registry status ``months`` Jalali months after the money (on ``on``):
    ``status`` a ``Status`` code, None when the registry holds no status for it then;
    ``pending`` when that day has not come yet."""

    months: int
    on: Any
    status: str | None
    pending: bool

    @property
    def label(self) -> str:
        from enterprises.models import Status

        return str(Status(self.status).label) if self.status else "—"


def money_date(referral: Referral) -> Any:
    """The day the money came: the payment's when recorded, otherwise the bank's approval
    (in full or in part); None for a referral refused or not decided."""
    if referral.decision not in (Decision.APPROVED, Decision.PARTLY):
        return None
    return referral.paid_on or referral.decided_on


def with_status_after(referrals: list[Referral], day: Any = None) -> list[Referral]:
    """Sets ``status_after`` (a list of ``StatusAfter``, one per ``AFTER_MONTHS``; empty
    when no money came) on each referral, read from the units' status history in one query
    for the whole page."""
    from enterprises.models import StatusEvent
    from persian.jalali import add_months, today

    day = day or today()
    targets: dict[int, list[tuple[int, Any]]] = {}
    for referral in referrals:
        start = money_date(referral)
        targets[referral.pk] = (
            [(m, add_months(start, m)) for m in AFTER_MONTHS] if start is not None else []
        )
    units = {r.case.enterprise_id for r in referrals if any(on <= day for _m, on in targets[r.pk])}
    history: dict[int, list[tuple[Any, str, str]]] = {}
    for unit, date, before, after in (
        StatusEvent.objects.filter(enterprise_id__in=units)
        .order_by("enterprise_id", "date", "id")
        .values_list("enterprise_id", "date", "from_status", "to_status")
        if units
        else []
    ):
        history.setdefault(unit, []).append((date, before, after))
    for referral in referrals:
        events = history.get(referral.case.enterprise_id, [])
        found = []
        for months, on in targets[referral.pk]:
            status = None
            if on <= day:
                then = [e for e in events if e[0] <= on]
                if then:
                    status = then[-1][2]
                elif events:  # changed only later: what it was before the first change
                    status = events[0][1] or None
                else:  # never changed: it has kept its status
                    status = referral.case.enterprise.status
            found.append(StatusAfter(months, on, status, on > day))
        referral.status_after = found  # type: ignore[attr-defined]
    return referrals
