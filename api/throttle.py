"""Rate limits of the API: per token, or per address for the public, over ninja's cache
based throttle (``settings.PISHRAN_API_RATE_PER_TOKEN`` / ``_PER_ADDRESS``). Over the
limit: 429 with ``Retry-After`` (ninja sets the header) and the error code ``throttled``.

The rate is read from the settings at each call rather than once at import, so that a
deployment's environment and the tests' ``override_settings`` both apply."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from accounts.client_ip import client_ip


class CallerThrottle(SimpleRateThrottle):
    scope = "api"
    cache_format = "api-throttle:%(ident)s"

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
