"""What every page's menu needs to know about the person (``TEMPLATES`` settings)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.scope import Scope


def menu(request: HttpRequest) -> dict[str, Any]:
    """``can_see_people``: the "People" link, for national staff and provincial officers
    (asked of the access rules, never of roles in a template; computed only if shown)."""
    user = getattr(request, "user", None)
    return {"can_see_people": lambda: Scope.of(user).can("people.see_people")}
