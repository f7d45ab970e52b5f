"""The capital-market pipeline as a case type: a unit introduced to the exchange →
file opened → final stage → admitted; or rejected, or withdrawn. Each stage has the time it
usually takes (``due_days``): a file longer in a stage is flagged as stalled (the cases'
late list).

    introduced ──► file opened ──► final stage ──► admitted
        └──────────────┴────────────────┴────────► rejected / withdrawn
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from cases.types import CaseType, Requirement, Stage

from .roles import MARKET_ADVISER

TYPE = "capital_listing"
INTRODUCED, FILE_OPENED, FINAL, ADMITTED = "introduced", "file_opened", "final_stage", "admitted"
REJECTED, WITHDRAWN = "rejected", "withdrawn"


def _listing(case: Any) -> Any:
    return getattr(case, "listing", None)


def _has_adviser(case: Any) -> bool:
    listing = _listing(case)
    return listing is not None and listing.adviser_id is not None


def _admission_known(case: Any) -> bool:
    listing = _listing(case)
    return listing is not None and bool(listing.market) and listing.amount_raised is not None


def parties_q(scope: Any, prefix: str = "") -> Q:
    """An adviser's staff see their firm's files."""
    firms = scope.places(MARKET_ADVISER)
    if not firms:
        return Q(pk__in=[])
    return Q(**{f"{prefix}listing__adviser_id__in": firms})


def check_unit(enterprise: Any, day: Any = None) -> None:
    """Only an active unit (today, whatever ``day`` the file is dated)."""
    from django.core.exceptions import ValidationError

    from enterprises.models import Status

    if enterprise.status != Status.ACTIVE:
        raise ValidationError(
            {"enterprise": _("Only an active unit is introduced to the capital market.")}
        )


LISTING = CaseType(
    code=TYPE,
    label=_("capital-market file"),
    stages=(
        Stage(INTRODUCED, _("introduced to the exchange"), due_days=60),
        Stage(
            FILE_OPENED,
            _("file opened"),
            due_days=180,
            requires=(
                Requirement(
                    "adviser",
                    _("Name the capital-market adviser before the final stage."),
                    _has_adviser,
                    towards=frozenset({FINAL}),
                ),
            ),
        ),
        Stage(
            FINAL,
            _("final stage"),
            due_days=120,
            requires=(
                Requirement(
                    "amount_raised",
                    _("Record the market and the amount raised before the admission."),
                    _admission_known,
                    towards=frozenset({ADMITTED}),
                ),
            ),
        ),
        Stage(ADMITTED, _("admitted"), closes=True),
        Stage(REJECTED, _("rejected"), closes=True),
        Stage(WITHDRAWN, _("withdrawn"), closes=True),
    ),
    transitions={
        INTRODUCED: frozenset({FILE_OPENED, REJECTED, WITHDRAWN}),
        FILE_OPENED: frozenset({FINAL, REJECTED, WITHDRAWN}),
        FINAL: frozenset({ADMITTED, REJECTED, WITHDRAWN}),
    },
    assignee_role=Role.PROVINCIAL_OFFICER,
    check_unit=check_unit,
    parties_q=parties_q,
)
