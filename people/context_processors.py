"""What every page's menu needs to know about the person (``TEMPLATES`` settings)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.roles import place_label, role_label
from accounts.scope import Scope


def menu(request: HttpRequest) -> dict[str, Any]:
    """``can_see_people``: the "People" link, for national staff and provincial officers
    (asked of the access rules, never of roles in a template; computed only if shown)."""
    user = getattr(request, "user", None)
    return {
        "can_see_people": lambda: Scope.of(user).can("people.see_people"),
        "my_roles": lambda: my_roles(user),
        "is_national": lambda: Scope.of(user).national,
        "menu_section": menu_section(request),
    }


# The menu entry each page belongs to (marked ``aria-current`` in the menu), by the route's
# name: an exact name, else its first word (``enterprise_edit`` → ``enterprise``).
_SECTIONS = {
    "home": "home",
    "my_dashboard": "mine",
    "province": "provinces",
    "park": "parks",
    "enterprise": "enterprises",
    "cluster": "clusters",
    "stats": "stats",
    "targets": "targets",
    "people": "people",
    "person": "people",
    "grant": "people",
    "clinic": "clinics",
    "consortium": "consortia",
    "case": "clinics",  # the shared case steps (stage, notes…) of a clinic case
    "finance": "finance",
    "capital": "market",
}


def menu_section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    name = (match.url_name or "") if match else ""
    return _SECTIONS.get(name) or _SECTIONS.get(name.split("_", 1)[0], "")


def my_roles(user: Any) -> str:
    """The person's grants in force as the top bar names them: «افسر استانی (تهران) ·
    مدیر شهرک (شکوهیه)»; a superuser without grants is named as such."""
    if not getattr(user, "is_authenticated", False):
        return ""
    # The grants the request's scope already read: no second query for them.
    cache: dict = {}
    parts = [
        f"{role_label(role)} ({place_label(kind, pk, cache=cache)})"
        if pk is not None
        else role_label(role)
        for role, kind, pk in sorted(Scope.of(user).grants, key=lambda g: (g[0], g[2] or 0))[:4]
    ]
    if not parts and user.is_superuser:
        parts = [str(_("superuser"))]
    return " · ".join(parts)
