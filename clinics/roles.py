"""The clinics' own role, registered with the others (``accounts.roles``) from
``ClinicsConfig.ready``: a clinic consultant works the cases assigned to them in any
province their grants name; a provincial officer may hand the role out in their province."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import RoleSpec, register_role

CLINIC_CONSULTANT = "clinic_consultant"


def register() -> None:
    register_role(RoleSpec(CLINIC_CONSULTANT, _("clinic consultant"), "province", provincial=True))
