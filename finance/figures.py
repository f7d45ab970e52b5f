"""The finance instruments' figures and the rows behind each, as of any date: pure reads of
the referrals, the capital-market files and the cases' dated history (no cache, no scope —
the indicators' ``FinanceSource`` counts them from the cases' facts, the rows page narrows
them to what a person may see).

Places: the country, a province (the office that held the case on the day that counts: a
transferred case counts in its new province from the transfer), a park (the unit's park of
today). Flows count from 1 Farvardin of the report date's Jalali year to the report date.

Referrals (``finance_referral``):

- ``referrals``: introduced to a bank (the case's opening day); ``requested``: the amounts
  they asked for (rials);
- ``decided``: the bank's decisions recorded (approved, in part, refused) on their day;
  ``approved``: those approved in full or in part; ``granted``: the amounts granted;
  ``days_waiting``: the median of the days from the introduction to the decision;
- ``paid``: referrals paid (the money reached the unit) on the payment's day;
  ``paid_amount``: the amounts paid.

Each has the breakdowns ``bank`` (the bank's id), ``instrument`` and, per bank, its
referrals by instrument (``instrument@<bank id>``: a bank's own ledger).

Capital-market files (``capital_listing``): ``pipeline`` (a stock: files at an open stage
at the end of the date; breakdown ``stage``: every stage, the closed ones counting the
files that ended there), ``admitted`` (files admitted on the day) and ``raised`` (the
amount raised), with the breakdown ``market``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, OuterRef, QuerySet, Subquery

from cases.models import Case, CaseEvent
from cases.selectors import cases_at_stage, office_on
from persian.jalali import year_start

from . import market
from .models import Decision, Listing, Referral

FlowItem = tuple[str, dt.date, str, int, dt.date]
APPROVED = (Decision.APPROVED, Decision.PARTLY)
REFERRAL_DIMS = ("bank", "instrument")


# --- the flows, case by case (the indicators' pre-aggregated facts) --------------------------


def _with_dims(
    measure: str, day: dt.date, amount: int, dims: dict[str, str], office_day: dt.date
) -> list[FlowItem]:
    return [(measure, day, "", amount, office_day)] + [
        (f"{measure}:{dim}", day, value, amount, office_day) for dim, value in dims.items()
    ]


def referral_flows(case_ids: list[int]) -> dict[int, list[FlowItem]]:
    """What each referral adds to the flows above, as items ``(measure, day, value, amount,
    office day)`` summed by ``indicators.casefacts``."""
    out: dict[int, list[FlowItem]] = defaultdict(list)
    for r in Referral.objects.filter(case_id__in=case_ids).select_related("case"):
        # ``instrument@<bank id>``: a bank's own flows by instrument, a measure per bank so
        # that its ledger is read from the facts' key (``indicators.finance.ledgers_from_facts``).
        dims = {
            "bank": str(r.bank_id),
            "instrument": r.instrument,
            f"instrument@{r.bank_id}": r.instrument,
        }
        opened = r.case.opened_on
        items = _with_dims("referrals", opened, 1, dims, opened)
        items += _with_dims("requested", opened, r.amount_requested, dims, opened)
        if r.decision and r.decided_on is not None:
            day = r.decided_on
            items += _with_dims("decided", day, 1, dims, day)
            waited = str((day - opened).days)
            items.append(("days_waiting", day, waited, 1, day))
            items += [
                (f"days_waiting:{dim}", day, f"{value}:{waited}", 1, day)
                for dim, value in dims.items()
            ]
            if r.decision in APPROVED:
                items += _with_dims("approved", day, 1, dims, day)
                items += _with_dims("granted", day, r.amount_granted or 0, dims, day)
        if r.paid_on is not None:
            items += _with_dims("paid", r.paid_on, 1, dims, r.paid_on)
            items += _with_dims("paid_amount", r.paid_on, r.amount_paid or 0, dims, r.paid_on)
        out[r.case_id] = items
    return dict(out)


def listing_flows(case_ids: list[int]) -> dict[int, list[FlowItem]]:
    """What each capital-market file adds to the flows: its admission and the amount
    raised, on the day it was admitted; and each stage it left, with the days it spent
    there (``stage_days``, values ``"<stage>:<days>"``, on the day it left)."""
    out: dict[int, list[FlowItem]] = defaultdict(list)
    admitted: dict[int, dt.date] = {}
    for case_id, steps in _stage_steps(case_ids).items():
        for (stage, entered), (next_stage, left) in zip(steps, steps[1:], strict=False):
            days = str((left - entered).days)
            out[case_id].append(("stage_days", left, f"{stage}:{days}", 1, left))
            if next_stage == market.ADMITTED:
                admitted.setdefault(case_id, left)
    for listing in Listing.objects.filter(case_id__in=admitted):
        day = admitted[listing.case_id]
        dims = {"market": listing.market}
        out[listing.case_id] += _with_dims("admitted", day, 1, dims, day) + _with_dims(
            "raised", day, listing.amount_raised or 0, dims, day
        )
    return dict(out)


def _stage_steps(case_ids: list[int]) -> dict[int, list[tuple[str, dt.date]]]:
    """Each file's stages in order with the day it entered each."""
    steps: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    for case_id, stage, date in (
        CaseEvent.objects.filter(case_id__in=case_ids, kind__in=["open", "stage"])
        .order_by("case_id", "date", "id")
        .values_list("case_id", "stage", "date")
    ):
        steps[case_id].append((stage, date))
    return steps


def days_in_stages(case_ids: list[int], as_of: dt.date) -> dict[str, list[int]]:
    """For each stage, the days each file spent in it, of the stages left by the end of
    ``as_of`` (what ``stage_days`` counts, from the rows)."""
    spent: dict[str, list[int]] = {}
    for steps in _stage_steps(case_ids).values():
        for (stage, entered), (_next, left) in zip(steps, steps[1:], strict=False):
            if left <= as_of:
                spent.setdefault(stage, []).append((left - entered).days)
    return spent


# --- the rows ------------------------------------------------------------------------------


def _at(rows: QuerySet, province_id: int | None, park_id: int | None, unit: str) -> QuerySet:
    if province_id is not None:
        rows = rows.filter(province_then=province_id)
    if park_id is not None:
        rows = rows.filter(**{f"{unit}__park_id": park_id})
    return rows


# The day each referral flow counts on.
REFERRAL_DAY = {
    "referrals": "case__opened_on",
    "requested": "case__opened_on",
    "decided": "decided_on",
    "approved": "decided_on",
    "granted": "decided_on",
    "days_waiting": "decided_on",
    "paid": "paid_on",
    "paid_amount": "paid_on",
}


def referrals(
    measure: str,
    as_of: dt.date,
    *,
    province_id: int | None = None,
    park_id: int | None = None,
    bank: str | None = None,
    instrument: str | None = None,
) -> QuerySet[Referral]:
    """The referrals a referral flow counts from 1 Farvardin to ``as_of``, annotated with
    ``day`` (the day it counts on) and ``province_then``."""
    field = REFERRAL_DAY[measure]
    rows = Referral.objects.filter(
        **{f"{field}__gte": year_start(as_of), f"{field}__lte": as_of}
    ).annotate(day=F(field), province_then=office_on("case", field))
    if measure in ("approved", "granted"):
        rows = rows.filter(decision__in=APPROVED)
    if bank is not None:
        rows = rows.filter(bank_id=bank)
    if instrument is not None:
        rows = rows.filter(instrument=instrument)
    return _at(rows, province_id, park_id, "case__enterprise")


def files_at(
    as_of: dt.date,
    stages: list[str] | None = None,
    *,
    province_id: int | None = None,
    park_id: int | None = None,
) -> QuerySet[Case]:
    """Capital-market files at ``stages`` (the open ones when None) at the end of ``as_of``,
    annotated with ``stage_then`` and ``province_then``."""
    chosen = stages if stages is not None else list(market.LISTING.open_stages)
    return _at(cases_at_stage(market.TYPE, as_of, chosen), province_id, park_id, "enterprise")


def admitted(
    as_of: dt.date,
    *,
    province_id: int | None = None,
    park_id: int | None = None,
    market_code: str | None = None,
) -> QuerySet[Listing]:
    """Files admitted from 1 Farvardin to ``as_of``, annotated with ``day`` and
    ``province_then``."""
    when = CaseEvent.objects.filter(
        case=OuterRef("case"), stage=market.ADMITTED, kind="stage"
    ).order_by("date", "id")
    rows = (
        Listing.objects.annotate(day=Subquery(when.values("date")[:1]))
        .filter(day__gte=year_start(as_of), day__lte=as_of)
        .annotate(province_then=office_on("case", "day"))
    )
    if market_code is not None:
        rows = rows.filter(market=market_code)
    return _at(rows, province_id, park_id, "case__enterprise")
