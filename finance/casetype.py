"""The finance-referral case type: introduced to a bank → decided (approved in full or in
part) → paid; or refused, or withdrawn.

    introduced ──► decided ──► paid
        │  └──────► refused
        └─────────► withdrawn

The bank's decision and the money are recorded through ``finance.services`` (which moves
the case); the stages' requirements keep the case and the referral in step.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from cases.types import CaseType, Requirement, Stage

from .roles import BANK_OFFICER

TYPE = "finance_referral"
INTRODUCED, DECIDED, PAID, REFUSED, WITHDRAWN = (
    "introduced",
    "decided",
    "paid",
    "refused",
    "withdrawn",
)


def _decided(case: Any) -> bool:
    referral = getattr(case, "referral", None)
    return referral is not None and bool(referral.decision)


def _paid(case: Any) -> bool:
    referral = getattr(case, "referral", None)
    return referral is not None and referral.paid_on is not None


def check_unit(enterprise: Any, day: Any = None) -> None:
    """Any registered unit that has not closed may be introduced to a bank (judged on
    today's status whatever ``day`` the referral is dated)."""
    from django.core.exceptions import ValidationError

    from enterprises.models import Status

    if enterprise.status == Status.CLOSED:
        raise ValidationError({"enterprise": _("A closed unit is not introduced to a bank.")})


def parties_q(scope: Any, prefix: str = "") -> Q:
    """A bank officer sees the referrals to the banks they hold the role over."""
    banks = scope.places(BANK_OFFICER)
    if not banks:
        return Q(pk__in=[])
    return Q(**{f"{prefix}referral__bank_id__in": banks})


REFERRAL = CaseType(
    code=TYPE,
    label=_("finance referral"),
    stages=(
        Stage(
            INTRODUCED,
            _("introduced to the bank"),
            due_days=30,
            requires=(
                Requirement(
                    "decision",
                    _("The bank's decision is recorded on the referral's decision form."),
                    _decided,
                    towards=frozenset({DECIDED, REFUSED}),
                ),
            ),
        ),
        Stage(
            DECIDED,
            _("approved, awaiting payment"),
            due_days=60,
            requires=(
                Requirement(
                    "paid_on",
                    _("The payment is recorded on the referral's payment form."),
                    _paid,
                    towards=frozenset({PAID}),
                ),
            ),
        ),
        Stage(PAID, _("paid"), closes=True),
        Stage(REFUSED, _("refused by the bank"), closes=True),
        Stage(WITHDRAWN, _("withdrawn"), closes=True),
    ),
    transitions={
        INTRODUCED: frozenset({DECIDED, REFUSED, WITHDRAWN}),
        DECIDED: frozenset({PAID, WITHDRAWN}),
    },
    # The agency's provincial officer follows a referral; the bank acts as a party.
    assignee_role=Role.PROVINCIAL_OFFICER,
    check_unit=check_unit,
    parties_q=parties_q,
    one_open_per_unit=False,
)
