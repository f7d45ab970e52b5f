"""Rate limits on the expensive pages: downloads (CSV, XLSX, the PDF report) and the rows
behind a figure (``settings.PISHRAN_RATE_LIMITS``, docs/deploy.md).

A person who is logged in is counted as themself, wherever they come from (an office of
fifty people behind one address is not one client); anyone else by their address, the
real client's behind our proxies (``accounts.client_ip``). Over the limit the page answers
429 with ``Retry-After`` and a message saying how long to wait.

Counted here in Django's cache, not with django-ratelimit: that library answers a refusal
with a 403 (``PermissionDenied``) and does not say when its window ends, which is what
``Retry-After`` and the message need; the count itself is two cache calls. The cache is
the one the site already has: Redis, shared by every process, when ``REDIS_URL`` is set
(``INCR`` is atomic there), else each process's memory (one process: the same thing).
Fixed windows of ``PISHRAN_RATE_WINDOW_SECONDS``: at most twice the limit across a window's
edge, which is enough to keep one client from occupying the workers.

When the cache cannot be reached the request is served, not refused: the limits protect
the site, and a Redis outage must not turn every download into an error.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .client_ip import client_ip

logger = logging.getLogger(__name__)

View = Callable[..., Any]


def _who(request: HttpRequest) -> tuple[str, str]:
    """("person", id) for someone logged in, else ("address", their address)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return "person", str(user.pk)
    return "address", client_ip(request) or "unknown"


def wait_seconds(request: HttpRequest, kind: str) -> int:
    """Count this request against ``kind``'s limit: 0 when it may go on, else the seconds
    until the window ends."""
    if not settings.PISHRAN_RATE_LIMITS_ENABLED:
        return 0
    by, who = _who(request)
    limit = settings.PISHRAN_RATE_LIMITS[kind][by]
    window = settings.PISHRAN_RATE_WINDOW_SECONDS
    now = time.time()
    index = int(now // window)
    key = f"throttle:{kind}:{by}:{who}:{index}"
    try:
        cache.add(key, 0, timeout=window + 1)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        return 0
    except Exception:
        logger.warning("rate limit not counted: the cache is unavailable", exc_info=True)
        return 0
    if count <= limit:
        return 0
    return max(1, math.ceil((index + 1) * window - now))


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(request, "429.html", {"minutes": math.ceil(wait / 60)}, status=429)
    response["Retry-After"] = str(wait)
    return response


def asks_download(request: HttpRequest) -> bool:
    """A page's ``?export=`` (CSV, XLSX, PDF) rather than the page itself."""
    return bool(request.GET.get("export"))


def throttled(
    kind: str, when: Callable[[HttpRequest], bool] | None = None
) -> Callable[[View], View]:
    """Limit a view (or, with ``when``, the requests of it that ``when`` picks) to
    ``settings.PISHRAN_RATE_LIMITS[kind]`` per person or address."""

    def decorate(view: View) -> View:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if when is None or when(request):
                if wait := wait_seconds(request, kind):
                    return too_many(request, wait)
            return view(request, *args, **kwargs)

        return limited

    return decorate
