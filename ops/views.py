from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.scope import Scope
from ops import health

LOOPBACK = frozenset({"127.0.0.1", "::1"})


def _sees_details(request: HttpRequest) -> bool:
    """National staff, or a caller on this machine: ``REMOTE_ADDR`` on loopback and no
    ``X-Forwarded-For``. The nginx of docs/deploy.md also talks from 127.0.0.1 but always sends
    that header, so the public through it is still the public."""
    local = request.META.get("REMOTE_ADDR") in LOOPBACK
    if local and "HTTP_X_FORWARDED_FOR" not in request.META:
        return True
    try:
        return Scope.of(request.user).national
    except Exception:  # the database that holds the grants is down: the bare answer
        return False


@never_cache
@require_safe
def health_view(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: 200 when the database and the task queue answer,
    503 otherwise. Public, no login, never cached. Everyone gets the bare word ("ok" or
    "unavailable"); the checks' figures, and which one failed, only national staff and
    callers on this machine."""
    healthy, checks = health.run()
    status = 200 if healthy else 503
    if _sees_details(request):
        return JsonResponse(
            {"status": "ok" if healthy else "error", "checks": checks}, status=status
        )
    # A protocol word for monitors to match, the same in every language: not translated.
    return HttpResponse(
        "ok" if healthy else "unavailable", status=status, content_type="text/plain; charset=utf-8"
    )
