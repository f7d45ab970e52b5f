"""The "Imports" menu link, for national staff and provincial officers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.scope import Scope


def menu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"can_import": lambda: Scope.of(user).can("imports.start")}
