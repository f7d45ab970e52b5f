"""Who sees and keeps which cases (registered in ``CasesConfig``).

- national staff: every case;
- a provincial officer: the cases their provinces' offices hold;
- the person a case is assigned to (a clinic consultant…): their assigned cases, while
  they hold the type's role over the case's province;
- a unit's owner: their own unit's cases — stage, plan and documents, never the notes;
- a type's other parties (``CaseType.parties_q``: a bank officer, their bank's referrals):
  those cases, through the type's own pages, never the notes;
- the public: no case (the figures only).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.access import NOTHING, Rules, held_q
from accounts.roles import Role
from accounts.scope import Scope

from . import types


class CaseRules(Rules):
    label = "cases"
    model = "cases.Case"

    def assigned_q(self, scope: Scope, prefix: str = "") -> Q:
        """The cases assigned to the person in a province where they hold the type's role."""
        q = NOTHING
        if scope.user_id is None:
            return q
        for case_type in types.all_types():
            if places := scope.places(case_type.assignee_role):
                q |= Q(
                    **{
                        f"{prefix}type": case_type.code,
                        f"{prefix}assignee_id": scope.user_id,
                        f"{prefix}province_id__in": places,
                    }
                )
        return q

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        if scope.national:
            return Q()
        return held_q(scope, {Role.PROVINCIAL_OFFICER: "province_id"}, prefix) | self.assigned_q(
            scope, prefix
        )

    def visible_q(self, scope: Scope, prefix: str = "") -> Q:
        if scope.national:
            return Q()
        q = self.full_q(scope, prefix) | held_q(
            scope, {Role.ENTERPRISE_OWNER: "enterprise_id"}, prefix
        )
        for case_type in types.all_types():  # the types' other parties (a bank's officers)
            if case_type.parties_q is not None:
                q |= Q(**{f"{prefix}type": case_type.code}) & case_type.parties_q(scope, prefix)
        return q

    # --- what a person may do ---------------------------------------------------------------
    def _office(self, scope: Scope, province_id: int) -> bool:
        return scope.national or province_id in scope.places(Role.PROVINCIAL_OFFICER)

    def _keeps(self, scope: Scope, case: Any) -> bool:
        return self._office(scope, case.province_id) or (
            scope.user_id is not None
            and case.assignee_id == scope.user_id
            and case.province_id in scope.places(case.case_type.assignee_role)
        )

    def can_open(self, scope: Scope, obj: Any = None) -> bool:
        """Open a case for a unit: its province's office (``obj``: the province id, or
        None for "somewhere")."""
        if obj is None:
            return scope.national or scope.holds(Role.PROVINCIAL_OFFICER)
        return self._office(scope, obj)

    def can_see_notes(self, scope: Scope, obj: Any = None) -> bool:
        return self._keeps(scope, obj)

    def can_work(self, scope: Scope, obj: Any = None) -> bool:
        """Move the case through its stages, keep its plan, notes and follow-ups."""
        return obj.is_open and self._keeps(scope, obj) or self._office(scope, obj.province_id)

    def can_assign(self, scope: Scope, obj: Any = None) -> bool:
        return self._office(scope, obj.province_id)

    def can_transfer(self, scope: Scope, obj: Any = None) -> bool:
        return obj.is_open and self._office(scope, obj.province_id)

    def can_upload(self, scope: Scope, obj: Any = None) -> bool:
        """Staff who keep the case, and the unit's owner (they bring the papers)."""
        return self._keeps(scope, obj) or obj.enterprise_id in scope.places(Role.ENTERPRISE_OWNER)

    def can_follow_cases(self, scope: Scope, obj: Any = None) -> bool:
        """Whether the person answers for some cases (the menu's "my cases")."""
        if scope.national or scope.holds(Role.PROVINCIAL_OFFICER):
            return True
        return any(scope.holds(t.assignee_role) for t in types.all_types())

    def can_list_cases(self, scope: Scope, obj: Any = None) -> bool:
        """Reach a case type's list: those who answer for cases, and owners (their own)."""
        return self.can_follow_cases(scope) or scope.holds(Role.ENTERPRISE_OWNER)

    def can_see_caseload(self, scope: Scope, obj: Any = None) -> bool:
        """The open cases per assignee: national staff and the provinces' offices."""
        return scope.national or scope.holds(Role.PROVINCIAL_OFFICER)

    def office_q(self, scope: Scope, prefix: str = "") -> Q:
        """The cases held by the offices of the person's provinces."""
        return held_q(scope, {Role.PROVINCIAL_OFFICER: "province_id"}, prefix)

    def provinces_q(self, scope: Scope) -> Q:
        """The provinces whose offices the person keeps (a list's province filter)."""
        return Q() if scope.national else Q(pk__in=scope.places(Role.PROVINCIAL_OFFICER))


RULES = CaseRules()
