"""Rate limits of the API: per token, or per address for the public, over ninja's cache
based throttle (``settings.PISHRAN_API_RATE_PER_TOKEN`` / ``_PER_ADDRESS``). Over the
limit: 429 with ``Retry-After`` (ninja sets the header) and the error code ``throttled``.

The rate is read from the settings at each call rather than once at import, so that a
deployment's environment and the tests' ``override_settings`` both apply.

ninja keeps one throttle object per API and writes each call's state on it (its key, the
history of calls read from the cache, the rate); the site runs several threads per
process (gunicorn gthread, docs/deploy.md), so that state is kept per thread here."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from accounts.client_ip import client_ip

_state = threading.local()


class _PerThread:
    """An attribute of the throttle kept apart for each thread."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return getattr(_state, self.name, None)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(_state, self.name, value)


class CallerThrottle(SimpleRateThrottle):
    scope = "api"
    cache_format = "api-throttle:%(ident)s"
    key = _PerThread()
    history = _PerThread()
    now = _PerThread()
    rate = _PerThread()
    num_requests = _PerThread()
    duration = _PerThread()

    def __init__(self) -> None:
        super().__init__(rate=settings.PISHRAN_API_RATE_PER_TOKEN)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if not settings.PISHRAN_RATE_LIMITS_ENABLED:
            return None
        caller = getattr(request, "auth", None)
        token = getattr(caller, "token", None)
        if token is not None:
            self.rate = settings.PISHRAN_API_RATE_PER_TOKEN
            ident = f"token:{token.pk}"
        else:
            self.rate = settings.PISHRAN_API_RATE_PER_ADDRESS
            ident = f"address:{client_ip(request) or 'unknown'}"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return self.cache_format % {"ident": ident}
