from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ops import health


@never_cache
@require_safe
def health_view(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database and the task queue answer,
    503 naming the check that failed. Public, no login, never cached."""
    healthy, checks = health.run()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )
