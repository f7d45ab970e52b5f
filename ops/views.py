from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.scope import Scope
from exports.responses import stored_file_response
from ops import health
from ops.models import ExportJob

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


# --- downloads prepared in the background ---------------------------------------------------


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    job = ExportJob.objects.filter(pk=pk, owner_id=request.user.pk).first()
    if job is None:
        raise Http404
    return job


@login_required
@require_http_methods(["POST"])
def export_start(request: HttpRequest) -> HttpResponse:
    """Prepare the directory's Excel file in the background, with the page's filters."""
    from django.shortcuts import redirect

    from enterprises.selectors import DirectoryQuery

    from .exports import start_directory_export

    query = DirectoryQuery.from_params(request.POST)
    job = start_directory_export(request.user, query.filter_params())
    return redirect("export_job", job.pk)


@login_required
@require_http_methods(["GET"])
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress (htmx reloads the fragment every two seconds until it is done)."""
    job = _own_job(request, pk)
    template = (
        "ops/export_job.html#progress"
        if request.headers.get("HX-Request")
        else "ops/export_job.html"
    )
    return render(request, template, {"job": job})


@login_required
@require_http_methods(["GET"])
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404
    return stored_file_response(
        job.file,
        job.filename,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
