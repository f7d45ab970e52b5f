"""The import pages: upload → columns → dry-run report → commit → progress → result.

National staff and provincial officers only (``imports.access``); an import is seen by
the person who started it and by national staff; anyone else gets a 404."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from accounts.scope import Scope
from exports.responses import FORMATS, export_response
from exports.tables import Column, Table
from places.models import Province

from . import services
from .access import RULES
from .columns import TARGETS
from .forms import MappingForm, UploadForm
from .models import ImportJob
from .reader import ImportFileError
from .tasks import check_task, commit_task

SHOWN_PROBLEMS = 200


# The example row of each sample file (a unit of Qom in park شکوهیه; a zone of Qom).
SAMPLES: dict[str, dict[str, str]] = {
    "units": {
        "legal_id": "10100000009", "name": "صنایع غذایی نمونه", "province": "قم",
        "park": "شهرک صنعتی شکوهیه", "status": "فعال", "status_date": "1402/05/21",
        "employees": "25", "isic": "10", "permit_number": "12345",
        "permit_date": "1399/01/15", "business_id": "", "products": "کنسرو", "phone": "",
        "address": "", "reason": "",
    },
    "parks": {
        "name": "ناحیه صنعتی نمونه", "province": "قم", "kind": "ناحیه صنعتی",
        "ownership": "دولتی", "specialty": "", "area_ha": "120.5",
        "established_on": "1385/03/01", "plots_total": "200", "plots_allocated": "150",
    },
}  # fmt: skip


def _importer(request: HttpRequest) -> Scope:
    scope = Scope.of(request.user)
    if not scope.can("imports.start"):
        raise Http404
    return scope


def _job(request: HttpRequest, pk: int) -> ImportJob:
    scope = _importer(request)
    job = (
        ImportJob.objects.filter(scope.full_q(ImportJob), pk=pk)
        .select_related("province", "owner")
        .first()
    )
    if job is None:
        raise Http404
    return job


@login_required
@require_http_methods(["GET"])
def import_list(request: HttpRequest) -> HttpResponse:
    scope = _importer(request)
    jobs = ImportJob.objects.filter(scope.full_q(ImportJob)).select_related("province", "owner")
    return render(request, "imports/list.html", {"jobs": jobs[:50], "menu_section": "imports"})


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    scope = _importer(request)
    provinces = Province.objects.filter(RULES.provinces_q(scope)).order_by("name_fa")
    form = UploadForm(
        request.POST or None, request.FILES or None, provinces=provinces, national=scope.national
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_upload(
                actor=request.user,
                province=form.cleaned_data["province"],
                upload=form.cleaned_data["file"],
                language=get_language() or "fa",
                target=form.cleaned_data["target"] or ImportJob.Target.UNITS,
            )
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            return redirect("import_columns", job.pk)
    return render(
        request,
        "imports/new.html",
        {"form": form, "targets": ImportJob.Target.choices, "menu_section": "imports"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.state not in (ImportJob.State.UPLOADED, ImportJob.State.CHECKED, ImportJob.State.FAILED):
        return redirect("import_detail", job.pk)
    initial = {key: str(index) for key, index in job.mapping.items()}
    form = MappingForm(
        request.POST or None, headers=job.headers, target=job.target, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        services.import_map(actor=request.user, job=job, mapping=form.mapping())
        check_task.enqueue(job.pk)
        return redirect("import_detail", job.pk)
    return render(
        request, "imports/columns.html", {"job": job, "form": form, "menu_section": "imports"}
    )


@login_required
@require_http_methods(["GET"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run's report, the commit's progress and its result (htmx reloads the
    progress fragment every two seconds while the worker runs)."""
    job = _job(request, pk)
    if job.state == ImportJob.State.UPLOADED:
        return redirect("import_columns", job.pk)
    if job.state == ImportJob.State.COMMITTING:
        done = services.progress_read(job.pk)
        if done is not None:
            job.rows_done = done
    template = (
        "imports/detail.html#progress"
        if request.headers.get("HX-Request")
        else "imports/detail.html"
    )
    context = {
        "job": job,
        "problems": job.problems[:SHOWN_PROBLEMS],
        "more": max(0, job.problems_count - SHOWN_PROBLEMS),
        "menu_section": "imports",
    }
    return render(request, template, context)


@login_required
@require_http_methods(["POST"])
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.can_commit:
        updated = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
            state=ImportJob.State.COMMITTING, rows_done=0
        )
        if updated:
            commit_task.enqueue(job.pk)
    return redirect("import_detail", job.pk)


@login_required
@require_http_methods(["GET"])
def import_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """Every problem of the dry run: row, column, message (CSV or XLSX)."""
    job = _job(request, pk)
    if fmt not in FORMATS:
        raise Http404
    table = Table(
        title=_("Problems of the import %(name)s") % {"name": job.filename},
        columns=[
            Column("row", _("row"), "int"),
            Column("column", _("column")),
            Column("message", _("problem")),
        ],
        rows=job.problems,
        filename=f"import-{job.pk}-problems",
    )
    return export_response(table, fmt)


@login_required
@require_http_methods(["GET"])
def import_sample(request: HttpRequest, target: str, fmt: str) -> HttpResponse:
    """A sample file of units or of parks, ready to fill and import: the header row (the
    first name each field is known by) and one row as a province would write it. Written
    here rather than by ``exports``: an export puts its title above the header row, which
    the import would take for the header."""
    _importer(request)
    if target not in SAMPLES or fmt not in ("csv", "xlsx"):
        raise Http404
    fields = TARGETS[target]
    rows = [[f.names[0] for f in fields], [SAMPLES[target][f.key] for f in fields]]
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        content, kind = ("\ufeff" + out.getvalue()).encode(), "text/csv; charset=utf-8"
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for row in rows:
            sheet.append(row)
        stream = io.BytesIO()
        book.save(stream)
        content = stream.getvalue()
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="import-sample-{target}.{fmt}"'
    return response
