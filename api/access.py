"""Who sees which API tokens (registered in ``ApiConfig``): a token is its owner's alone.
Nobody else, national staff included, sees, creates or revokes it: the token acts as its
owner, so it is theirs to keep."""

from __future__ import annotations

from django.db.models import Q

from accounts.access import NOTHING, Rules
from accounts.scope import Scope


class ApiTokenRules(Rules):
    label = "api"
    model = "api.ApiToken"

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        if scope.user_id is None:
            return NOTHING
        return Q(**{f"{prefix}owner_id": scope.user_id})

    def visible_q(self, scope: Scope, prefix: str = "") -> Q:
        return self.full_q(scope, prefix)


RULES = ApiTokenRules()
