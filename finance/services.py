"""Every write of the finance referrals: introduce a unit to a bank (a case of the type
``finance_referral`` and its referral row, in one transaction), record the bank's decision,
record the payment. Each moves the case through ``cases.services`` and is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.events import CaseChanged
from cases.models import Case
from cases.services import case_move, case_open
from enterprises.models import Enterprise
from persian.jalali import format_date, today
from persian.text import normalize
from pishran.events import publish

from . import casetype
from . import market as market_type
from .models import AdviserFirm, Bank, Decision, Instrument, Listing, Market, Referral

# One referral cannot ask for more than this (10,000,000 billion rials): a typo's guard.
MAX_RIALS = 10**16


def _amount(field: str, value: Any) -> int:
    if value is None or isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("Enter the amount in rials, in digits.")})
    if value <= 0:
        raise ValidationError({field: _("The amount must be more than zero rials.")})
    if value > MAX_RIALS:
        raise ValidationError(
            {field: _("The amount is too large: enter it in rials, not in a larger unit.")}
        )
    return value


@transaction.atomic
def referral_introduce(
    *,
    actor: Any,
    enterprise: Enterprise,
    bank: Bank,
    branch: str,
    instrument: str,
    amount_requested: int,
    date: dt.date,
    clinic_case: Case | None = None,
    assignee: Any = None,
) -> Referral:
    """Introduce a unit to a bank branch for an instrument and an amount (in rials)."""
    errors: dict[str, str] = {}
    branch = normalize(branch or "").strip()
    if not branch:
        errors["branch"] = _("Name the bank branch.")
    if instrument not in Instrument.values:
        errors["instrument"] = _("Choose an instrument from the list.")
    if errors:
        raise ValidationError(errors)
    amount_requested = _amount("amount_requested", amount_requested)
    if clinic_case is not None and (
        clinic_case.type != "clinic" or clinic_case.enterprise_id != enterprise.pk
    ):
        raise ValidationError({"clinic_case": _("The clinic case must be this unit's.")})
    case = case_open(
        actor=actor,
        type=casetype.TYPE,
        enterprise=enterprise,
        date=date,
        assignee=assignee,
        summary=f"{bank} · {Instrument(instrument).label}",
        reason=_("Introduced to %(bank)s, %(branch)s") % {"bank": bank, "branch": branch},
    )
    referral = Referral.objects.create(
        case=case,
        bank=bank,
        branch=branch[:120],
        instrument=instrument,
        amount_requested=amount_requested,
        opened_on=case.opened_on,
        clinic_case=clinic_case,
    )
    audit_record(
        actor=actor,
        action="referral_introduce",
        target=referral,
        subject=case,
        changes={"bank": [None, bank.code], "amount_requested": [None, amount_requested]},
    )
    # The case's opening announced before the referral existed: its bank, instrument and
    # amount count in the figures from this announcement.
    publish(CaseChanged(case_id=case.pk, type=case.type, what="referral"))
    return referral


def _lock(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("case", "bank").get(pk=referral.pk)


@transaction.atomic
def referral_decide(
    *,
    actor: Any,
    referral: Referral,
    decision: str,
    date: dt.date,
    amount_granted: int | None = None,
    reasons: str = "",
) -> Referral:
    """The bank's decision: approved (the amount requested, unless told), approved in part
    (less than requested) or refused (with its reasons)."""
    referral = _lock(referral)
    if referral.decision:
        raise ValidationError({"decision": _("The bank's decision is already recorded.")})
    if referral.case.closed_on is not None:
        raise ValidationError({"decision": _("The referral is closed.")})
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    reasons = normalize(reasons or "").strip()
    if decision == Decision.REFUSED:
        if not reasons:
            raise ValidationError({"reasons": _("Give the bank's reasons for refusing.")})
        amount_granted = None
    else:
        if amount_granted is None and decision == Decision.APPROVED:
            amount_granted = referral.amount_requested
        amount_granted = _amount("amount_granted", amount_granted)
        if amount_granted > referral.amount_requested:
            raise ValidationError(
                {"amount_granted": _("The bank cannot grant more than was requested.")}
            )
        if decision == Decision.APPROVED and amount_granted != referral.amount_requested:
            raise ValidationError(
                {
                    "amount_granted": _(
                        "Less than requested is an approval in part: choose that decision."
                    )
                }
            )
        if decision == Decision.PARTLY and amount_granted == referral.amount_requested:
            raise ValidationError(
                {
                    "amount_granted": _(
                        "The whole amount requested is an approval, not an approval in part."
                    )
                }
            )
    referral.decision, referral.decided_on = decision, date
    referral.amount_granted, referral.decision_reasons = amount_granted, reasons[:500]
    referral.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    referral.save()
    case_move(
        actor=actor,
        case=referral.case,
        to_stage=casetype.REFUSED if decision == Decision.REFUSED else casetype.DECIDED,
        date=date,
        reason=reasons or str(Decision(decision).label),
    )
    audit_record(
        actor=actor,
        action="referral_decide",
        target=referral,
        subject=referral.case,
        changes={"decision": [None, decision], "amount_granted": [None, amount_granted]},
        note=reasons,
    )
    return referral


@transaction.atomic
def referral_pay(*, actor: Any, referral: Referral, date: dt.date, amount_paid: int) -> Referral:
    """The money paid (in rials, at most the amount granted), which closes the referral."""
    referral = _lock(referral)
    if referral.decision not in (Decision.APPROVED, Decision.PARTLY):
        raise ValidationError({"amount_paid": _("Only an approved referral is paid.")})
    if referral.paid_on is not None:
        raise ValidationError({"amount_paid": _("The payment is already recorded.")})
    amount_paid = _amount("amount_paid", amount_paid)
    if amount_paid > (referral.amount_granted or 0):
        raise ValidationError({"amount_paid": _("More than the amount granted cannot be paid.")})
    if date > today():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    if referral.decided_on and date < referral.decided_on:
        raise ValidationError(
            {
                "date": _("The payment cannot be before the decision (%(date)s).")
                % {"date": format_date(referral.decided_on)}
            }
        )
    referral.paid_on, referral.amount_paid = date, amount_paid
    referral.save(update_fields=["paid_on", "amount_paid"])
    case_move(actor=actor, case=referral.case, to_stage=casetype.PAID, date=date, reason=_("Paid"))
    audit_record(
        actor=actor,
        action="referral_pay",
        target=referral,
        subject=referral.case,
        changes={"amount_paid": [None, amount_paid], "paid_on": [None, date.isoformat()]},
    )
    return referral


# --- the capital-market pipeline ---------------------------------------------------------


@transaction.atomic
def listing_introduce(
    *,
    actor: Any,
    enterprise: Enterprise,
    date: dt.date,
    adviser: AdviserFirm | None = None,
    market: str = "",
) -> Listing:
    """Introduce an active unit to the exchange: a case of the type ``capital_listing``."""
    if market and market not in Market.values:
        raise ValidationError({"market": _("Choose a market from the list.")})
    case = case_open(
        actor=actor,
        type=market_type.TYPE,
        enterprise=enterprise,
        date=date,
        reason=_("Introduced to the capital market"),
    )
    listing = Listing.objects.create(case=case, adviser=adviser, market=market)
    audit_record(
        actor=actor,
        action="listing_introduce",
        target=listing,
        subject=case,
        changes={"adviser": [None, adviser.code if adviser else None], "market": [None, market]},
    )
    publish(CaseChanged(case_id=case.pk, type=case.type, what="listing"))
    return listing


@transaction.atomic
def listing_update(
    *,
    actor: Any,
    listing: Listing,
    adviser: AdviserFirm | None,
    market: str,
    amount_raised: int | None,
) -> Listing:
    """The file's adviser, the market it aims at and the amount raised (in rials)."""
    listing = Listing.objects.select_for_update().select_related("case").get(pk=listing.pk)
    if listing.case.closed_on is not None:
        raise ValidationError({"market": _("The file is closed.")})
    if market and market not in Market.values:
        raise ValidationError({"market": _("Choose a market from the list.")})
    if amount_raised is not None:
        amount_raised = _amount("amount_raised", amount_raised)
    before = (listing.adviser_id, listing.market, listing.amount_raised)
    listing.adviser, listing.market, listing.amount_raised = adviser, market, amount_raised
    listing.save()
    audit_record(
        actor=actor,
        action="listing_update",
        target=listing,
        subject=listing.case,
        changes={
            "adviser": [before[0], listing.adviser_id],
            "market": [before[1], market],
            "amount_raised": [before[2], amount_raised],
        },
    )
    publish(CaseChanged(case_id=listing.case_id, type=listing.case.type, what="listing"))
    return listing
