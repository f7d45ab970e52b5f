"""Who sees and keeps which export consortia (registered in ``ConsortiaConfig``).

National staff keep every consortium, a provincial officer their provinces' consortia, a
promoter the consortia they are granted over (their members' readiness and exports, not
the support ledger); a unit's owner sees the consortia their unit belongs to, read only;
the public sees none."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.access import Rules, held_q
from accounts.roles import Role
from accounts.scope import Scope

from .roles import PROMOTER


class ConsortiumRules(Rules):
    label = "consortia"
    model = "consortia.Consortium"

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        if scope.national:
            return Q()
        return held_q(scope, {Role.PROVINCIAL_OFFICER: "province_id", PROMOTER: "pk"}, prefix)

    def visible_q(self, scope: Scope, prefix: str = "") -> Q:
        if scope.national:
            return Q()
        q = self.full_q(scope, prefix)
        if units := scope.places(Role.ENTERPRISE_OWNER):
            from .models import Member

            members = Member.objects.filter(enterprise_id__in=units).values("consortium_id")
            q |= Q(**{f"{prefix}pk__in": members})
        return q

    def can_see_list(self, scope: Scope, obj: Any = None) -> bool:
        return scope.national or scope.holds(
            Role.PROVINCIAL_OFFICER, PROMOTER, Role.ENTERPRISE_OWNER
        )

    def can_form(self, scope: Scope, obj: Any = None) -> bool:
        """Form a consortium (in province ``obj``, an id; None: in some province)."""
        if scope.national:
            return True
        if obj is None:
            return scope.holds(Role.PROVINCIAL_OFFICER)
        return obj in scope.places(Role.PROVINCIAL_OFFICER)

    def can_manage(self, scope: Scope, obj: Any = None) -> bool:
        """Members and the support ledger: the consortium's province and national staff."""
        return scope.national or obj.province_id in scope.places(Role.PROVINCIAL_OFFICER)

    def can_record(self, scope: Scope, obj: Any = None) -> bool:
        """Members' readiness and exports: the office, and the consortium's promoters."""
        return self.can_manage(scope, obj) or obj.pk in scope.places(PROMOTER)

    def can_set_cap(self, scope: Scope, obj: Any = None) -> bool:
        return scope.national

    def provinces_q(self, scope: Scope) -> Q:
        """Provinces in which this person may form consortia."""
        return Q() if scope.national else Q(pk__in=scope.places(Role.PROVINCIAL_OFFICER))


RULES = ConsortiumRules()
