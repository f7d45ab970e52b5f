"""Who keeps which parks and zones (registered in ``PlacesConfig``). Every park's public
page is open to everyone; keeping one (its form) belongs to national staff, the officers
of its province and its own managers."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.access import Rules, held_q
from accounts.roles import Role
from accounts.scope import Scope


class ParkRules(Rules):
    label = "places"
    model = "places.Park"

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        """Parks this person may edit."""
        if scope.national:
            return Q()
        fields: dict[str, str] = {Role.PROVINCIAL_OFFICER: "province_id", Role.PARK_MANAGER: "pk"}
        return held_q(scope, fields, prefix)

    def visible_q(self, scope: Scope, prefix: str = "") -> Q:
        return Q()

    def can_create(self, scope: Scope, obj: Any = None) -> bool:
        """Register a park somewhere (``obj``: a province id, to ask about that one)."""
        if scope.national:
            return True
        provinces = scope.places(Role.PROVINCIAL_OFFICER)
        return bool(provinces) if obj is None else obj in provinces

    def can_relocate(self, scope: Scope, obj: Any = None) -> bool:
        """Change the province a park belongs to: not its own manager."""
        return self.can_create(scope, obj.province_id)

    def provinces_q(self, scope: Scope) -> Q:
        """Provinces in which this person may register or keep parks."""
        return Q() if scope.national else Q(pk__in=scope.places(Role.PROVINCIAL_OFFICER))


RULES = ParkRules()
