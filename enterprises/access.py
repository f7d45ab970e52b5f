"""Who sees and keeps which units of the registry (registered in ``EnterprisesConfig``).

- national administrator: everything;
- provincial officer: the units in their provinces;
- park manager: the units in their parks;
- enterprise owner: their own units (profile, products, capabilities, contact);
- everyone, the public included: the published directory fields of the rest.

Status changes, moves and corrections of the history are staff actions (national,
provincial or park staff); owners keep their profile only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.access import Rules, held_q
from accounts.roles import Role
from accounts.scope import Scope


class EnterpriseRules(Rules):
    label = "enterprises"
    model = "enterprises.Enterprise"

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        if scope.national:
            return Q()
        return held_q(
            scope,
            {
                Role.PROVINCIAL_OFFICER: "province_id",
                Role.PARK_MANAGER: "park_id",
                Role.ENTERPRISE_OWNER: "id",
            },
            prefix,
        )

    def visible_q(self, scope: Scope, prefix: str = "") -> Q:
        if scope.national:
            return Q()
        return self.full_q(scope, prefix) | Q(**{f"{prefix}published": True})

    def history_q(self, scope: Scope, prefix: str = "") -> Q:
        """Units whose history (past statuses and places, "since" dates) the person sees:
        those in their full scope. Everyone else, the public included, sees a published
        unit as it is today: its current status and place, never what it was."""
        return self.full_q(scope, prefix)

    # --- what a person may do ---------------------------------------------------------------
    @staticmethod
    def keeps_registry(scope: Scope) -> bool:
        """National, provincial or park staff: people who keep the registry."""
        return scope.national or scope.holds(Role.PROVINCIAL_OFFICER, Role.PARK_MANAGER)

    def can_see_history(self, scope: Scope, obj: Any = None) -> bool:
        """Whether the person sees ``obj``'s past statuses and places (``history_q``)."""
        return type(obj).objects.filter(self.history_q(scope), pk=obj.pk).exists()

    def can_change_status(self, scope: Scope, obj: Any = None) -> bool:
        """Owners keep their profile; the status and location history is kept by staff."""
        return self.keeps_registry(scope)

    def can_create(self, scope: Scope, obj: Any = None) -> bool:
        return self.keeps_registry(scope)

    def can_edit_every_field(self, scope: Scope, obj: Any = None) -> bool:
        """Staff edit the whole profile; an owner only ``services.OWNER_FIELDS``."""
        return self.keeps_registry(scope)

    def can_see_private_columns(self, scope: Scope, obj: Any = None) -> bool:
        """Staff and owners: some units show them their private fields (a download of the
        directory carries those columns only for them)."""
        return self.keeps_registry(scope) or scope.holds(Role.ENTERPRISE_OWNER)

    def can_place_outside_parks(self, scope: Scope, obj: Any = None) -> bool:
        """Park managers keep units inside their parks: never outside any park."""
        return scope.national or scope.holds(Role.PROVINCIAL_OFFICER)

    def can_place(self, scope: Scope, obj: Any = None) -> bool:
        """Whether the person may register or move a unit to ``obj`` = (province id, park id
        or None). Each place is judged by the grants that cover it: outside parks only in
        a province they keep as its officer; inside a park of such a province or one of
        the parks they manage (an officer of Tehran who also manages a park in Qom may not
        put a unit outside that park in Qom)."""
        province_id, park_id = obj
        if scope.national or province_id in scope.places(Role.PROVINCIAL_OFFICER):
            return True
        return park_id is not None and park_id in scope.places(Role.PARK_MANAGER)

    def provinces_q(self, scope: Scope) -> Q:
        """Provinces in which this person may register or move units."""
        if scope.national:
            return Q()
        return Q(pk__in=scope.places(Role.PROVINCIAL_OFFICER)) | Q(
            parks__in=scope.places(Role.PARK_MANAGER)
        )


RULES = EnterpriseRules()
