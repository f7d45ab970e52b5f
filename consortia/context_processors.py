"""The "Consortia" menu link, for those the consortia's rules let see the list."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.scope import Scope


def menu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"can_see_consortia": lambda: Scope.of(user).can("consortia.see_list")}
