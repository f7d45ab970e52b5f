"""The "Finance" and "Capital market" menu links, for those the finance rules let see them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.scope import Scope


def menu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "can_see_finance": lambda: Scope.of(user).can("finance.see_ledger"),
        "can_see_pipeline": lambda: Scope.of(user).can("finance.see_pipeline"),
    }
