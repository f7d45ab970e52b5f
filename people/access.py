"""Who sees and manages which people (registered in ``PeopleConfig``), for the "people
and roles" pages.

- national administrator: everyone, and every grant;
- provincial officer: the people who hold or held a grant over a place in their provinces,
  and those grants (a person's grants elsewhere stay out of sight: the place of a grant can
  be an unpublished unit);
- nobody else sees anyone here.

Which grants someone may give or withdraw, and whom they may (de)activate or give a
password, is decided by ``accounts.services`` (``may_give``, ``may_manage_person``); the
actions here only ask them, so the pages and the services never disagree.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts import roles
from accounts.access import NOTHING, Rules
from accounts.models import Grant
from accounts.roles import Role
from accounts.scope import Scope
from accounts.selectors import grants_in_provinces_q
from accounts.services import may_give, may_manage_person, province_of_place


class PeopleRules(Rules):
    label = "people"
    model = "accounts.User"

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        """People this person may open and manage (``prefix`` for a relation to users)."""
        if scope.national:
            return Q()
        provinces = scope.places(Role.PROVINCIAL_OFFICER)
        if not provinces:
            return NOTHING

        holders = Grant.objects.filter(self.grants_q(scope)).values("user_id")
        return Q(**{f"{prefix}pk__in": holders})

    def grants_q(self, scope: Scope, prefix: str = "") -> Q:
        """The grants (given or withdrawn) this person sees: for an officer, those over a
        place in their provinces."""
        if scope.national:
            return Q()
        provinces = scope.places(Role.PROVINCIAL_OFFICER)
        if not provinces:
            return NOTHING

        return grants_in_provinces_q(provinces, prefix)

    # --- what a person may do ---------------------------------------------------------------
    def can_see_people(self, scope: Scope, obj: Any = None) -> bool:
        """Whether the person has the people pages at all (the menu link)."""
        return scope.national or scope.holds(Role.PROVINCIAL_OFFICER)

    def can_manage_province(self, scope: Scope, obj: Any = None) -> bool:
        """The people page of the province with id ``obj``: national staff, or an officer
        of that province."""
        return scope.national or obj in scope.places(Role.PROVINCIAL_OFFICER)

    def can_manage_person(self, scope: Scope, obj: Any = None) -> bool:
        """(De)activate ``obj`` or set their password (``services.may_manage_person``)."""

        return may_manage_person(scope, obj)

    def can_give(self, scope: Scope, obj: Any = None) -> bool:
        """Give or withdraw ``obj``, a grant (``services.may_give`` over its place)."""

        spec = roles.role(obj.role)
        return spec is not None and may_give(
            scope, spec, province_of_place(obj.place_kind, obj.place_id)
        )


RULES = PeopleRules()
