"""Who may bring a register in (registered in ``ImportsConfig``): national staff, for any
province, and provincial officers, for their provinces only. Everyone else gets a 404 on
the import pages. An import is seen by the person who started it, and by national staff."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.access import Rules
from accounts.roles import Role
from accounts.scope import Scope


class ImportRules(Rules):
    label = "imports"
    model = "imports.ImportJob"

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        if scope.national:
            return Q()
        if not scope.holds(Role.PROVINCIAL_OFFICER):
            return Q(pk__in=[])
        return Q(**{f"{prefix}owner_id": scope.user_id})

    def can_start(self, scope: Scope, obj: Any = None) -> bool:
        return scope.national or scope.holds(Role.PROVINCIAL_OFFICER)

    def provinces_q(self, scope: Scope) -> Q:
        """The provinces a person may import into."""
        if scope.national:
            return Q()
        return Q(pk__in=scope.places(Role.PROVINCIAL_OFFICER))


RULES = ImportRules()
