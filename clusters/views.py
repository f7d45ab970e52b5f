"""Thin views: parse the request, call a selector or a service, render.

A cluster outside the person's scope answers 404 (``cluster_get_editable``); documents are
served only here, after the same check, never from a public media URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.scope import Scope
from accounts.throttle import asks_download, throttled
from audit.presenters import present
from audit.services import StaleEdit, history_of
from enterprises.models import Enterprise
from exports.responses import export_response, stored_file_response
from exports.tables import Column, Table
from persian import jalali
from pishran.forms import apply_errors
from places.models import Province
from sectors.models import IndustryGroup

from . import services, stages
from .access import RULES
from .forms import (
    ActionForm,
    AsOfForm,
    ClusterCreateForm,
    ClusterForm,
    DatedReasonForm,
    DocumentForm,
    EvaluationForm,
    MemberForm,
    PlanApproveForm,
    StageForm,
    VisitForm,
)
from .models import ActionItem, Cluster, Document
from .selectors import (
    ClusterQuery,
    cluster_get_editable,
    cluster_get_visible,
    cluster_overdue,
    counts_by_province,
    counts_by_stage,
    counts_by_year,
    directory_agents,
    plan_progress,
    programme_counts,
    stages_on,
)
from .selectors import (
    directory as directory_query,
)


@vary_on_headers("HX-Request")
def directory(request: HttpRequest) -> HttpResponse:
    query = ClusterQuery.from_params(request.GET, request.user)
    page = Paginator(directory_query(request.user, query), 30).get_page(request.GET.get("page"))
    # Each listed cluster with the stage it stood at on the day asked (None: today's stage).
    then = stages_on(query.as_of, [c.pk for c in page]) if query.as_of else {}
    listed = [(c, stages.BY_CODE[then[c.pk]] if c.pk in then else None) for c in page]
    context = {
        "query": query,
        "page": page,
        "listed": listed,
        "params": urlencode(query.params()),
        "provinces": Province.objects.all(),
        "groups": IndustryGroup.objects.all(),
        "stage_choices": stages.CHOICES,
        "agents": directory_agents(request.user),
        "can_create": Scope.of(request.user).can("clusters.create"),
    }
    if getattr(request, "htmx", False):
        return render(request, "clusters/directory.html#results", context)
    return render(request, "clusters/directory.html", context)


@throttled("exports", when=asks_download)
def national(request: HttpRequest) -> HttpResponseBase:
    form = AsOfForm(request.GET or None)
    as_of = jalali.today()
    if form.is_valid() and form.cleaned_data["as_of"]:
        as_of = min(form.cleaned_data["as_of"], jalali.today())
    provinces = {p.code: p for p in Province.objects.all()}
    by_province = counts_by_province(as_of)
    rows = [(provinces[code], counts) for code, counts in by_province.items()]
    rows.sort(key=lambda r: (-r[1]["identified"], r[0].code))
    as_of_text = jalali.format_date(as_of, persian_digits=False)
    by_stage = counts_by_stage(as_of)
    stage_rows = [
        StageRow(province, [by_stage[province.code][s.code] for s in stages.STAGES])
        for province, _counts in rows
    ]
    stage_totals = StageRow(
        None, [sum(r.counts[i] for r in stage_rows) for i in range(len(stages.STAGES))]
    )
    context = {
        "form": form,
        "as_of": as_of,
        "as_of_text": as_of_text,
        "totals": programme_counts(as_of),
        "rows": rows,
        "years": counts_by_year(as_of),
        "year": jalali.year_of(as_of),
        "stages": stages.STAGES,
        "stage_rows": stage_rows,
        "stage_totals": stage_totals,
        "map_data": {
            "label": _("Clusters identified"),
            "values": {code: c["identified"] for code, c in by_province.items()},
            "links": {code: f"/clusters/?{urlencode({'province': code})}" for code in by_province},
        },
    }
    if fmt := request.GET.get("export"):
        return export_response(_national_tables(request, context), fmt)
    return render(request, "clusters/national.html", context)


@dataclass(frozen=True)
class StageRow:
    """A province's (None: the country's) clusters at each of the ten stages, in order."""

    province: Province | None
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)

    def cells(self) -> list[tuple[stages.StageDef, int]]:
        return list(zip(stages.STAGES, self.counts, strict=True))


def _national_tables(request: HttpRequest, context: dict[str, Any]) -> list[Table]:
    """The programme's figures as files: clusters at each stage by province (the CSV), by
    Jalali year, and by province; each with the day counted and where it comes from."""
    as_of = context["as_of"]
    moment = timezone.make_aware(dt.datetime.combine(as_of, dt.time(23, 59)))
    params = request.GET.copy()
    params.pop("export", None)
    source = request.path + ("?" + params.urlencode() if params else "")
    slug = f"clusters-{jalali.format_date(as_of, persian_digits=False).replace('/', '-')}"

    def table(title: str, columns: list[Column], rows: list[dict[str, Any]], name: str) -> Table:
        return Table(title, columns, rows, f"{slug}-{name}", as_of=moment, source_url=source)

    every: list[StageRow] = [*context["stage_rows"], context["stage_totals"]]
    by_stage = table(
        _("Clusters at each stage"),
        [
            Column("province", _("Province")),
            *(Column(s.code, str(s.label), "int") for s in stages.STAGES),
            Column("total", _("Total"), "int"),
        ],
        [
            {
                "province": str(r.province) if r.province else _("The whole country"),
                **{s.code: n for s, n in r.cells()},
                "total": r.total,
            }
            for r in every
        ],
        "by-stage",
    )
    counts = [
        Column("identified", _("Identified"), "int"),
        Column("in_development", _("In development"), "int"),
        Column("completed", _("Completed"), "int"),
    ]
    by_year = table(
        _("By Jalali year"),
        [
            Column("year", _("Year"), "int"),
            *counts,
            Column("identified_in_year", _("Identified in the year"), "int"),
            Column("completed_in_year", _("Completed in the year"), "int"),
        ],
        [
            {
                "year": y.year,
                **y.counts,
                "identified_in_year": y.new["identified"],
                "completed_in_year": y.new["completed"],
            }
            for y in context["years"]
        ],
        "by-year",
    )
    by_province = table(
        _("By province"),
        [Column("province", _("Province")), *counts],
        [{"province": str(p), **c} for p, c in context["rows"]],
        "by-province",
    )
    return [by_stage, by_year, by_province]


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster, full = cluster_get_visible(request.user, pk)
    scope = Scope.of(request.user)
    members = cluster.memberships.select_related("enterprise", "enterprise__province")
    if not full:  # the public sees published members only
        members = members.filter(enterprise__published=True)
    context: dict[str, Any] = {
        "cluster": cluster,
        "full": full,
        "events": cluster.events.select_related("author").order_by("date", "id"),
        "members": members,
        "actions": cluster.actions.all(),
        "progress": plan_progress(cluster),
        "next_stage": stages.next_stage(cluster.stage),
    }
    if full:
        context.update(
            {
                "documents": cluster.documents.select_related("uploaded_by"),
                "visits": cluster.visits.all()[:50],
                "overdue": cluster_overdue(cluster),
                "history": present(
                    history_of(cluster).select_related("target_type", "subject_type")[:50]
                ),
                "can_assign": scope.can("clusters.assign_team", cluster),
                "can_write": scope.can("clusters.edit", cluster),
                "can_start_year": cluster.stage == stages.IMPLEMENTATION
                and not cluster.suspended
                and (cluster.implementation_year or 1) < max(stages.IMPLEMENTATION_YEARS),
                "year_form": DatedReasonForm(prefix="year"),
                "can_approve": cluster.stage_order >= stages.order("action_plan")
                and not cluster.plan_approved_on,
                "can_evaluate": cluster.stage_order >= stages.order("evaluation")
                and not cluster.evaluated_on,
            }
        )
    return render(request, "clusters/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    if not scope.can("clusters.create"):
        raise Http404
    provinces = Province.objects.filter(RULES.provinces_q(scope))
    form = ClusterForm(request.POST or None)
    start_form = ClusterCreateForm(request.POST or None, provinces=provinces)
    if request.method == "POST" and form.is_valid() and start_form.is_valid():
        try:
            cluster = services.cluster_create(
                actor=request.user,
                data=form.cleaned_data,
                province=start_form.cleaned_data["province"],
                stage=start_form.cleaned_data["stage"],
                date=start_form.cleaned_data["date"],
                reason=start_form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(exc, form, start_form)
        else:
            messages.success(request, _("The cluster was registered."))
            return redirect(cluster)
    return render(
        request,
        "clusters/cluster_form.html",
        {"form": form, "start_form": start_form, "creating": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    team = Scope.of(request.user).can("clusters.assign_team", cluster)
    form = ClusterForm(request.POST or None, instance=cluster, team=team)
    stale: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.cluster_update(
                actor=request.user,
                cluster=cluster,
                data=form.cleaned_data,
                fields=form.edited_fields(),
                version=form.expected_version(),
            )
        except StaleEdit as exc:
            form.refused_as_stale(exc, exc.version)
            stale = present(exc.records)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(cluster)
    return render(
        request, "clusters/cluster_form.html", {"form": form, "cluster": cluster, "stale": stale}
    )


def _form_page(
    request: HttpRequest,
    cluster: Cluster,
    form: django_forms.BaseForm,
    title: str,
    action: Callable[[dict[str, Any]], Any],
    success: str,
    *,
    multipart: bool = False,
    intro: str = "",
) -> HttpResponse:
    """A small form about one cluster: on a valid POST run ``action`` (a service call);
    its ValidationError goes back beside the fields, nothing saved."""
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, success)
            return redirect(cluster)
    return render(
        request,
        "clusters/small_form.html",
        {
            "form": form,
            "cluster": cluster,
            "title": title,
            "multipart": multipart,
            "intro": intro,
        },
    )


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "POST"])
def stage(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    if cluster.is_completed or cluster.suspended:
        messages.error(
            request,
            _("The cluster is completed: its history is closed.")
            if cluster.is_completed
            else _("The cluster is suspended: resume it first."),
        )
        return redirect(cluster)
    can_skip = Scope.of(request.user).can("clusters.skip_stage")
    form = StageForm(_data(request), request.FILES or None, cluster=cluster, can_skip=can_skip)

    def act(data: dict[str, Any]) -> None:
        services.cluster_advance(
            actor=request.user,
            cluster=cluster,
            to_stage=data["to_stage"],
            date=data["date"],
            reason=data["reason"],
            licence_number=data["licence_number"],
            upload=data["file"],
            document_kind=data["document_kind"] or Document.Kind.OTHER,
        )

    intro = _("Now at “%(stage)s” since %(date)s.") % {
        "stage": cluster.stage_label,
        "date": jalali.format_date(cluster.stage_since),
    }
    return _form_page(
        request,
        cluster,
        form,
        _("Record a stage"),
        act,
        _("The stage was recorded."),
        multipart=True,
        intro=intro,
    )


@login_required
@require_POST
def next_year(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    form = DatedReasonForm(request.POST, prefix="year")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(cluster)
    try:
        services.cluster_start_year(actor=request.user, cluster=cluster, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The new implementation year was recorded."))
    return redirect(cluster)


@login_required
@require_http_methods(["GET", "POST"])
def suspend(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    form = DatedReasonForm(_data(request))
    form.fields["reason"].required = True
    return _form_page(
        request,
        cluster,
        form,
        _("Suspend the cluster"),
        lambda d: services.cluster_suspend(actor=request.user, cluster=cluster, **d),
        _("The cluster was suspended."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    return _form_page(
        request,
        cluster,
        DatedReasonForm(_data(request)),
        _("Resume the cluster"),
        lambda d: services.cluster_resume(actor=request.user, cluster=cluster, **d),
        _("The cluster was resumed."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    # Any enterprise the person can find: the registry's published units and their own.
    enterprises = Enterprise.objects.filter(Scope.of(request.user).visible_q(Enterprise))
    form = MemberForm(_data(request), enterprises=enterprises)
    return _form_page(
        request,
        cluster,
        form,
        _("Add a member enterprise"),
        lambda d: services.member_add(actor=request.user, cluster=cluster, **d),
        _("The member was added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    form = DocumentForm(_data(request), request.FILES or None)
    return _form_page(
        request,
        cluster,
        form,
        _("Upload a document"),
        lambda d: services.document_upload(
            actor=request.user, cluster=cluster, kind=d["kind"], title=d["title"], upload=d["file"]
        ),
        _("The document was uploaded."),
        multipart=True,
    )


@login_required
@require_http_methods(["GET"])
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    cluster = cluster_get_editable(request.user, pk)
    document = get_object_or_404(Document, pk=doc_pk, cluster=cluster)
    return stored_file_response(
        document.file, document.original_name, services.uploads.ALLOWED[document.file_type]
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    return _form_page(
        request,
        cluster,
        ActionForm(_data(request)),
        _("Add a joint action"),
        lambda d: services.action_add(actor=request.user, cluster=cluster, data=d),
        _("The joint action was added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    item = get_object_or_404(ActionItem, pk=item_pk, cluster=cluster)
    form = ActionForm(_data(request), instance=ActionItem.objects.get(pk=item.pk))
    return _form_page(
        request,
        cluster,
        form,
        _("Update a joint action"),
        lambda d: services.action_update(actor=request.user, item=item, data=d),
        _("The joint action was updated."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    return _form_page(
        request,
        cluster,
        PlanApproveForm(_data(request)),
        _("Approve the action plan"),
        lambda d: services.plan_approve(actor=request.user, cluster=cluster, **d),
        _("The action plan was approved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    return _form_page(
        request,
        cluster,
        EvaluationForm(_data(request)),
        _("Record the evaluation"),
        lambda d: services.evaluation_record(actor=request.user, cluster=cluster, **d),
        _("The evaluation was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = cluster_get_editable(request.user, pk)
    return _form_page(
        request,
        cluster,
        VisitForm(_data(request)),
        _("Record a visit or report"),
        lambda d: services.visit_add(actor=request.user, cluster=cluster, **d),
        _("The visit was recorded."),
    )
