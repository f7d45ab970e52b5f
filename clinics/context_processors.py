"""What every page's menu needs to know about the clinics (``TEMPLATES`` settings)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.roles import Role
from accounts.scope import Scope


def menu(request: HttpRequest) -> dict[str, Any]:
    """``can_see_clinics``: the "Clinics" link, for those who work cases and for owners
    (their own unit's case), asked of the access rules; computed only if shown."""
    user = getattr(request, "user", None)

    def can_see() -> bool:
        scope = Scope.of(user)
        return scope.can("cases.follow_cases") or scope.holds(Role.ENTERPRISE_OWNER)

    return {"can_see_clinics": can_see}
