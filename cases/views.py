"""The case pages every case type shares: move a stage, assign, transfer, set the due date,
follow-ups, notes and documents. Each answers 404 to anyone the access rules do not let
do it (``cases.access``); a case's own page belongs to its type's app (``Case.get_absolute_url``).
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scope import Scope
from clusters import uploads
from exports.responses import stored_file_response
from persian import jalali
from pishran.forms import submit

from . import services
from .forms import (
    AssignForm,
    DocumentForm,
    DueForm,
    FollowUpDoneForm,
    FollowUpForm,
    NoteForm,
    StageForm,
    TransferForm,
)
from .models import Case, CaseDocument, FollowUp
from .selectors import case_get_visible


def case_for(request: HttpRequest, pk: int, action: str) -> Case:
    """The case, if the person may see it and do ``action`` on it; 404 otherwise."""
    case = case_get_visible(request.user, pk)
    if not Scope.of(request.user).can(f"cases.{action}", case):
        raise Http404
    return case


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _page(
    request: HttpRequest,
    case: Case,
    form: django_forms.BaseForm,
    title: str,
    action: Any,
    success: str,
    *,
    intro: str = "",
    multipart: bool = False,
) -> HttpResponse:
    done = submit(request, form, action, success, case)
    if done is not None:
        return done
    return render(
        request,
        "cases/form.html",
        {"case": case, "form": form, "title": title, "intro": intro, "multipart": multipart},
    )


@login_required
@require_http_methods(["GET", "POST"])
def stage(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, "work")
    form = StageForm(_data(request), case=case)
    missing = services.unmet(case)
    intro = _("Now at “%(stage)s” since %(date)s.") % {
        "stage": case.stage_label,
        "date": jalali.format_date(case.stage_since),
    }
    if missing:
        intro += " " + " ".join(str(r.message) for r in missing)
    return _page(
        request,
        case,
        form,
        _("Move the case"),
        lambda d: services.case_move(actor=request.user, case=case, **d),
        _("The stage was recorded."),
        intro=intro,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, "assign")
    form = AssignForm(_data(request), case=case)
    return _page(
        request,
        case,
        form,
        _("Assign the case"),
        lambda d: services.case_assign(actor=request.user, case=case, **d),
        _("The case was assigned."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, "transfer")
    form = TransferForm(_data(request))
    return _page(
        request,
        case,
        form,
        _("Transfer to another province's office"),
        lambda d: services.case_transfer(actor=request.user, case=case, **d),
        _("The case was transferred with its history."),
        intro=_(
            "The receiving office keeps the whole history; the assignee keeps the case only if they hold a grant there."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def due(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, "work")
    form = DueForm(_data(request), initial={"due_on": case.due_on})
    return _page(
        request,
        case,
        form,
        _("Due date"),
        lambda d: services.case_set_due(actor=request.user, case=case, due_on=d["due_on"]),
        _("The due date was saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, "work")
    form = FollowUpForm(_data(request))
    return _page(
        request,
        case,
        form,
        _("Schedule a follow-up"),
        lambda d: services.follow_up_add(actor=request.user, case=case, **d),
        _("The follow-up was scheduled."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_done(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    case = case_for(request, pk, "work")
    item = get_object_or_404(FollowUp, pk=item_pk, case=case)
    form = FollowUpDoneForm(_data(request))
    return _page(
        request,
        case,
        form,
        _("Follow-up done: %(title)s") % {"title": item.title},
        lambda d: services.follow_up_done(actor=request.user, item=item, **d),
        _("The follow-up was recorded as done."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, "work")
    form = NoteForm(_data(request))
    return _page(
        request,
        case,
        form,
        _("Add a note"),
        lambda d: services.note_add(actor=request.user, case=case, **d),
        _("The note was added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk, "upload")
    form = DocumentForm(_data(request), request.FILES or None)
    return _page(
        request,
        case,
        form,
        _("Upload a document"),
        lambda d: services.document_upload(
            actor=request.user, case=case, title=d["title"], upload=d["file"]
        ),
        _("The document was uploaded."),
        multipart=True,
    )


@login_required
@require_http_methods(["GET"])
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    case = case_get_visible(request.user, pk)
    document = get_object_or_404(CaseDocument, pk=doc_pk, case=case)
    return stored_file_response(
        document.file, document.original_name, uploads.ALLOWED[document.file_type]
    )
