"""The consortium promoter's role and the consortium as a kind of place, registered from
``ConsortiaConfig.ready``: a promoter is granted over a consortium and keeps that
consortium's members' readiness and exports (not its support ledger)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import PlaceKind, RoleSpec, register_place, register_role

PROMOTER = "consortium_promoter"


def register() -> None:
    # A consortium lies in a province: that province's officer hands the role out.
    register_place(
        PlaceKind("consortium", _("export consortium"), "consortia.Consortium", "province")
    )
    register_role(RoleSpec(PROMOTER, _("consortium promoter"), "consortium", provincial=True))
