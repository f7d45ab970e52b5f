"""The finance app's role and kind of place, registered from ``FinanceConfig.ready``: a bank
officer is granted over a bank and sees and decides that bank's referrals only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import PlaceKind, RoleSpec, register_place, register_role

BANK_OFFICER = "bank_officer"
MARKET_ADVISER = "market_adviser"


def register() -> None:
    # Banks are national: they lie in no province, so only a national administrator hands
    # the role out (``provincial=False``), and no province's people page lists it.
    register_place(PlaceKind("bank", _("bank"), "finance.Bank", "", typed_fields=("code",)))
    register_role(RoleSpec(BANK_OFFICER, _("bank officer"), "bank"))
    register_place(PlaceKind("adviser", _("capital-market adviser"), "finance.AdviserFirm", ""))
    register_role(RoleSpec(MARKET_ADVISER, _("capital-market adviser's staff"), "adviser"))
