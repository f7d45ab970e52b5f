"""Staff sessions end after a while without a request.

A person with any grant of national administrator, provincial officer or park manager (or
a superuser) can change what many others see; a session of theirs left open on a shared
computer is logged out after ``PISHRAN_STAFF_IDLE_MINUTES`` without a request. Everyone
else keeps Django's session age. (Here rather than in ``pishran.middleware``: it reads the
grants, and the bottom layer may not import ``accounts``.)
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase

from .roles import Role
from .scope import Scope

LAST_SEEN = "pishran_last_seen"
STAFF_ROLES = (Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER, Role.PARK_MANAGER)
# The last-seen time is written at most this often (seconds), not on every request.
RESOLUTION = 60


def is_staff_session(user: object) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_superuser", False)) or Scope.of(user).holds(*STAFF_ROLES)


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_staff_session(request.user):
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.PISHRAN_STAFF_IDLE_MINUTES * 60:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
