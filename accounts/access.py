"""Access rules, one set per app, registered here so that every reader asks the same ones.

Each app declares in its own ``access`` module which of its rows a person sees in full,
which they may find, and what they may do, as a subclass of ``Rules`` registered from the
app's ``AppConfig.ready``. The core keeps identity only (``accounts.scope.Scope``: who,
holding which grants); views, selectors, exports, history pages and the API ask
``scope.full_q(Model)``, ``scope.visible_q(Model)`` and ``scope.can("app.action", obj)``,
which look the rules up here.

A row outside someone's scope answers 404, never 403, so nobody learns that it exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from .scope import Scope

NOTHING = Q(pk__in=[])


def held_q(scope: Scope, fields: dict[str, str], prefix: str = "") -> Q:
    """Rows whose ``field`` is one of the places over which the person holds ``role``, for
    each ``role: field`` of ``fields`` (``{Role.PARK_MANAGER: "park_id"}``)."""
    q = NOTHING
    for role, field in fields.items():
        if places := scope.places(role):
            q |= Q(**{f"{prefix}{field}__in": places})
    return q


class Rules:
    """An app's access rules. ``label`` names them in ``scope.can("label.action")``;
    ``model`` (``"app.Model"``) is the row kind ``full_q``/``visible_q`` filter.

    Actions are methods ``can_<action>(scope, obj=None) -> bool``; an action nobody
    declared raises ``LookupError`` rather than answering no."""

    label: ClassVar[str]
    model: ClassVar[str]

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        """Rows whose every field and history this person may see and keep."""
        return NOTHING

    def visible_q(self, scope: Scope, prefix: str = "") -> Q:
        """Rows this person may find at all (their full scope plus what is published)."""
        return self.full_q(scope, prefix)

    def can(self, scope: Scope, action: str, obj: Any = None) -> bool:
        check = getattr(self, f"can_{action}", None)
        if check is None:
            raise LookupError(f"{self.label} declares no action {action!r}")
        return bool(check(scope, obj))


_BY_LABEL: dict[str, Rules] = {}
_BY_MODEL: dict[str, Rules] = {}


def register(rules: Rules) -> Rules:
    _BY_LABEL[rules.label] = rules
    _BY_MODEL[rules.model.lower()] = rules
    return rules


def _model_key(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def rules_for(key: str | type[models.Model] | models.Model) -> Rules:
    """The rules registered for an app label (``"clusters"``) or a model (class or row)."""
    if isinstance(key, str):
        found = _BY_LABEL.get(key) or _BY_MODEL.get(key.lower())
    else:
        found = _BY_MODEL.get(_model_key(key))
    if found is None:
        raise LookupError(f"no access rules registered for {key!r}")
    return found
