"""The business-clinic pages: the cases list, a consultant's day, the candidates from the
registry, opening a case, a case's page with its diagnosis and remedy plan. The steps every
case type shares (stage, assignment, transfer, follow-ups, notes, documents) are the
``cases`` pages; everything answers 404 outside the person's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.scope import Scope
from audit.presenters import present
from audit.services import history_of
from cases import services as case_services
from cases.access import RULES as CASE_RULES
from cases.forms import OpenForm, assignees_for
from cases.models import Case, CaseEvent, FollowUp
from cases.selectors import caseload, cases_kept, follow_ups_due, overdue_q
from cases.views import case_for
from enterprises.models import Enterprise
from enterprises.selectors import unit_to_act_on
from persian import jalali
from persian.text import to_latin_digits
from pishran.forms import apply_errors, submit
from places.models import Province

from . import casetype, selectors, services
from .forms import ActionForm, ActionUpdateForm, DiagnosisForm
from .models import Cause, RemedyAction

PAGE_SIZE = 50
# The candidates are counted no further than this past the page's first row ("more than
# 1,050"): an exact total is a probe of every idle unit of the province or the country for
# an open case — 300,000 of them in the country at a million units (docs/benchmarks.md).
CANDIDATES_AHEAD = 1_000


def _follows_cases(request: HttpRequest) -> Scope:
    scope = Scope.of(request.user)
    if not scope.can("cases.list_cases"):
        raise Http404
    return scope


def _page_number(request: HttpRequest) -> int:
    raw = to_latin_digits(request.GET.get("page", "1"))
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 else 1


@login_required
@require_http_methods(["GET"])
def cases_list(request: HttpRequest) -> HttpResponse:
    """The clinic cases the person may see: an office's, a consultant's, an owner's own."""
    scope = _follows_cases(request)
    cases, ignored = selectors.cases_list(request.user, request.GET)
    page = selectors.paged(cases, _page_number(request), PAGE_SIZE)
    kept = cases_kept(request.user, casetype.TYPE)
    loads = caseload(kept) if scope.can("cases.see_caseload") else []
    for load in loads:
        load.columns = [load.by_stage.get(code, 0) for code in casetype.CLINIC.open_stages]  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        **_tabs(scope),
        "page": page,
        "query": _query(request),
        "ignored": ignored,
        "stages": casetype.CLINIC.stages,
        "open_stages": _open_stages(),
        "params": request.GET,
        "state_choices": STATES,
        "provinces": _provinces(scope),
        "by_stage": _by_stage(kept.filter(closed_on__isnull=True)),
        "loads": loads,
        "today": jalali.today(),
    }
    return render(request, "clinics/cases.html", context)


STATES = (
    ("open", pgettext_lazy("clinic cases", "open")),
    ("overdue", pgettext_lazy("clinic cases", "late")),
    ("closed", pgettext_lazy("clinic cases", "closed")),
    ("all", pgettext_lazy("clinic cases", "all")),
)


def _tabs(scope: Scope) -> dict[str, bool]:
    return {"can_follow": scope.can("cases.follow_cases"), "can_open": scope.can("cases.open")}


def _open_stages() -> list[Any]:
    return [s for s in casetype.CLINIC.stages if not s.closes]


def _provinces(scope: Scope) -> Any:
    return Province.objects.filter(CASE_RULES.provinces_q(scope))


def _by_stage(cases: Any) -> list[tuple[Any, int]]:
    """(stage, open cases at it) for every open stage, in the type's order."""
    counts = dict(cases.values_list("stage").annotate(n=Count("id")).order_by())
    return [(s, counts.get(s.code, 0)) for s in _open_stages()]


def _query(request: HttpRequest) -> str:
    """The list's parameters without the page, ready for ``?{{ query }}page=N``."""
    params = request.GET.copy()
    params.pop("page", None)
    return f"{params.urlencode()}&" if params else ""


@login_required
@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    """A consultant's (or officer's) day: late cases first, follow-ups due this fortnight,
    then every open case assigned to them."""
    scope = Scope.of(request.user)
    if not scope.can("cases.follow_cases"):
        raise Http404
    day = jalali.today()
    kept = cases_kept(request.user, casetype.TYPE)
    assigned = kept.filter(assignee_id=request.user.pk, closed_on__isnull=True)
    office = kept.filter(CASE_RULES.office_q(scope), closed_on__isnull=True)
    responsible = assigned | office
    late = responsible.filter(overdue_q(day)).select_related("enterprise", "province", "assignee")
    context = {
        "late": late.order_by("due_on", "stage_since", "pk")[:100],
        "assigned": assigned.select_related("enterprise", "province").order_by(
            "due_on", "-opened_on"
        )[:200],
        "follow_ups": follow_ups_due(responsible, day + dt.timedelta(days=14))[:100],
        "today": day,
        "by_stage": _by_stage(assigned),
        **_tabs(scope),
    }
    return render(request, "clinics/mine.html", context)


@login_required
@require_http_methods(["GET"])
def candidates(request: HttpRequest) -> HttpResponse:
    """Units the clinic may take on, ranked, with the reason for each rank."""
    scope = Scope.of(request.user)
    if not scope.can("cases.open"):
        raise Http404
    province = None
    code = request.GET.get("province", "").replace("\x00", "").strip().upper()
    if code:
        province = Province.objects.filter(code=code).first()
    units = selectors.candidates(request.user, province.pk if province else None)
    page = selectors.paged(units, _page_number(request), PAGE_SIZE, ahead=CANDIDATES_AHEAD)
    context = {
        "page": page,
        "rows": selectors.ranked(list(page.object_list), page.start_index() or 1),
        "more_than": page.paginator.count - 1,  # when capped: the rows up to the count's end
        "province": province,
        "ignored": ["province"] if code and province is None else [],
        "provinces": _provinces(scope),
        "query": _query(request),
        **_tabs(scope),
    }
    return render(request, "clinics/candidates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest) -> HttpResponse:
    """Open a clinic case, from the candidates list (``?unit=``) or by hand."""
    scope = Scope.of(request.user)
    if not scope.can("cases.open"):
        raise Http404
    unit = None
    typed = request.POST.get("unit") or request.GET.get("unit", "")
    try:
        unit = unit_to_act_on(request.user, typed, "cases.open") if typed else None
    except ValidationError:
        unit = None
    assignees = assignees_for(casetype.CLINIC, unit.province_id) if unit else []
    form = OpenForm(
        request.POST if request.method == "POST" else None,
        initial={"unit": typed},
        assignees=assignees,
    )

    def act(data: dict[str, Any]) -> None:
        found = unit_to_act_on(request.user, data["unit"], "cases.open")
        act.case = case_services.case_open(  # type: ignore[attr-defined]
            actor=request.user,
            type=casetype.TYPE,
            enterprise=found,
            date=data["date"],
            assignee=data["assignee"],
            due_on=data["due_on"],
            summary=data["summary"],
            reason=data["summary"],
        )

    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as exc:
            if "enterprise" in exc.message_dict:
                exc = ValidationError({"unit": exc.message_dict["enterprise"]})
            apply_errors(exc, form)
        else:
            from django.contrib import messages

            messages.success(request, _("The case was opened."))
            return redirect(act.case)  # type: ignore[attr-defined]
    return render(request, "clinics/open.html", {"form": form, "unit": unit, **_tabs(scope)})


@login_required
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors_case(request, pk)
    scope = Scope.of(request.user)
    keeps = scope.can("cases.see_notes", case)
    context: dict[str, Any] = {
        "case": case,
        "keeps": keeps,
        "can_work": scope.can("cases.work", case),
        "can_assign": scope.can("cases.assign", case),
        "can_transfer": scope.can("cases.transfer", case),
        "can_upload": scope.can("cases.upload", case),
        "can_introduce": scope.can("finance.introduce", case.province_id),
        # A consultant works the case, not the registry: the unit's own page only for those
        # the registry's rules let find it.
        "unit_visible": Enterprise.objects.filter(
            scope.visible_q(Enterprise), pk=case.enterprise_id
        ).exists(),
        "events": list(
            CaseEvent.objects.filter(case=case).select_related("case", "province", "assignee")
        ),
        "follow_ups": list(FollowUp.objects.filter(case=case)),
        "documents": list(case.documents.all()),
        "unmet": case_services.unmet(case),
        "today": jalali.today(),
        **selectors.case_parts(case),
    }
    if keeps:
        context["notes"] = list(case.notes.all())
        context["history"] = present(history_of(case)[:50])
    else:  # the owner: stage, plan and documents; never the consultant's diagnosis or notes
        context["diagnosis"] = None
    return render(request, "clinics/case.html", context)


def selectors_case(request: HttpRequest, pk: int) -> Case:
    from cases.selectors import case_get_visible

    case = case_get_visible(request.user, pk)
    if case.type != casetype.TYPE:
        raise Http404
    return case


def _clinic_case_for(request: HttpRequest, pk: int) -> Case:
    case = case_for(request, pk, "work")
    if case.type != casetype.TYPE:
        raise Http404
    return case


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis(request: HttpRequest, pk: int) -> HttpResponse:
    case = _clinic_case_for(request, pk)
    existing = selectors.case_parts(case)["diagnosis"]
    initial = {}
    if existing is not None:
        initial = {
            "causes": [c.cause for c in existing.causes.all()],
            "primary": existing.primary,
            "finding": existing.finding,
            "date": existing.date,
        }
    form = DiagnosisForm(request.POST if request.method == "POST" else None, initial=initial)
    done = submit(
        request,
        form,
        lambda d: services.diagnosis_record(actor=request.user, case=case, **d),
        _("The diagnosis was recorded."),
        case,
    )
    if done is not None:
        return done
    return render(
        request, "clinics/diagnosis.html", {"case": case, "form": form, "causes": Cause.choices}
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _clinic_case_for(request, pk)
    form = ActionForm(request.POST if request.method == "POST" else None)
    done = submit(
        request,
        form,
        lambda d: services.action_add(actor=request.user, case=case, data=d),
        _("The action was added to the plan."),
        case,
    )
    if done is not None:
        return done
    return render(
        request, "cases/form.html", {"case": case, "form": form, "title": _("Add a remedy action")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    case = _clinic_case_for(request, pk)
    action = get_object_or_404(RemedyAction, pk=item_pk, case=case)
    form = ActionUpdateForm(
        request.POST if request.method == "POST" else None,
        initial={"status": action.status, "outcome": action.outcome, "done_on": action.done_on},
    )
    done = submit(
        request,
        form,
        lambda d: services.action_update(actor=request.user, action=action, **d),
        _("The action was updated."),
        case,
    )
    if done is not None:
        return done
    return render(
        request,
        "cases/form.html",
        {
            "case": case,
            "form": form,
            "title": _("Update the action: %(a)s") % {"a": action.description},
        },
    )
