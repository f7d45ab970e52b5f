"""Who sees and sets the indicators' targets (registered in ``IndicatorsConfig``).

- everyone, the public included, sees every target: the dashboards show them beside the
  figures, and the targets page sets them side by side with what was reached;
- national administrators set them, for the country and each province (the agency's
  programme is set nationally and split by province); nobody else does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.access import Rules
from accounts.scope import Scope


class TargetRules(Rules):
    label = "indicators"
    model = "indicators.Target"

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        return Q()  # targets are published figures: nothing in them is kept from anyone

    def can_set_targets(self, scope: Scope, obj: Any = None) -> bool:
        return scope.national


RULES = TargetRules()
