"""The consortia pages: the list (province, cluster, market, name), a consortium's page,
forming one, adding and removing members, recording readiness, exports and support, and
the yearly cap. 404 outside the person's scope; the public sees none."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scope import Scope
from clusters import uploads
from clusters.models import Cluster
from enterprises.selectors import unit_typed
from exports.responses import stored_file_response
from pishran.forms import apply_errors, submit
from places.models import Province

from . import countries, selectors, services
from .access import RULES
from .forms import (
    CapForm,
    ConsortiumForm,
    ExportsForm,
    MemberAddForm,
    MemberRemoveForm,
    ReadinessForm,
    SupportForm,
    split_units,
)
from .models import Consortium, Member, Readiness, SupportCap

PAGE_SIZE = 50


def _scope(request: HttpRequest, action: str, obj: Any = None) -> Scope:
    scope = Scope.of(request.user)
    if not scope.can(f"consortia.{action}", obj):
        raise Http404
    return scope


@login_required
@require_http_methods(["GET"])
def consortium_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request, "see_list")
    query = selectors.ListQuery.from_params(request.GET)
    rows = selectors.consortia_listed(request.user, query)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = selectors.consortia_visible(request.user)
    context = {
        "page": page,
        "query": query,
        "provinces": Province.objects.filter(consortia__in=visible).distinct().order_by("code"),
        "clusters": Cluster.objects.filter(consortia__in=visible).distinct().order_by("name"),
        "markets": countries.choices(),
        "can_form": scope.can("consortia.form"),
        "can_set_cap": scope.can("consortia.set_cap"),
    }
    if getattr(request, "htmx", False):
        return render(request, "consortia/list.html#results", context)
    return render(request, "consortia/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def consortium_new(request: HttpRequest) -> HttpResponse:
    scope = _scope(request, "form")
    provinces = Province.objects.filter(RULES.provinces_q(scope)).order_by("code")
    clusters = Cluster.objects.filter(province__in=provinces).order_by("name")
    form = ConsortiumForm(
        request.POST if request.method == "POST" else None, provinces=provinces, clusters=clusters
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            units = []
            for typed in split_units(data["units"]):
                unit = unit_typed(request.user, typed)
                if unit is None:
                    raise ValidationError(
                        {
                            "units": _(
                                "No unit with the national ID or number %(typed)s among the units you keep."
                            )
                            % {"typed": typed}
                        }
                    )
                units.append(unit)
            consortium = services.consortium_form(
                actor=request.user,
                name=data["name"],
                province=data["province"],
                products=data["products"],
                formed_on=data["formed_on"],
                units=units,
                markets=data["markets"],
                cluster=data["cluster"],
                industry_group=data["industry_group"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("The consortium was formed."))
            return redirect(consortium)
    return render(
        request,
        "consortia/form.html",
        {"form": form, "title": _("Form an export consortium"), "multipart": False},
    )


@login_required
@require_http_methods(["GET"])
def consortium_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consortium = selectors.consortium_get_visible(request.user, pk)
    scope = Scope.of(request.user)
    page = selectors.consortium_page(consortium)
    return render(
        request,
        "consortia/detail.html",
        {
            "c": consortium,
            "p": page,
            "can_manage": scope.can("consortia.manage", consortium),
            "can_record": scope.can("consortia.record", consortium),
        },
    )


def _acting(request: HttpRequest, pk: int, action: str) -> Consortium:
    consortium = selectors.consortium_get_visible(request.user, pk)
    _scope(request, action, consortium)
    return consortium


def _form_page(
    request: HttpRequest, consortium: Consortium, form: Any, title: str, *, multipart: bool = False
) -> HttpResponse:
    return render(
        request,
        "consortia/form.html",
        {"form": form, "title": title, "c": consortium, "multipart": multipart},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    consortium = _acting(request, pk, "manage")
    form = MemberAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = unit_typed(request.user, data["unit"])
            if unit is None:
                raise ValidationError(
                    {"unit": _("No unit with this national ID or number among the units you keep.")}
                )
            services.member_add(
                actor=request.user,
                consortium=consortium,
                enterprise=unit,
                joined_on=data["joined_on"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("The unit joined the consortium."))
            return redirect(consortium)
    return _form_page(request, consortium, form, _("Add a member"))


@login_required
@require_http_methods(["GET", "POST"])
def member_leave(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    consortium = _acting(request, pk, "manage")
    member = get_object_or_404(
        Member.objects.select_related("enterprise", "consortium"),
        pk=member_pk,
        consortium=consortium,
        left_on__isnull=True,
    )
    form = MemberRemoveForm(request.POST if request.method == "POST" else None)
    done = submit(
        request,
        form,
        lambda d: services.member_remove(
            actor=request.user, member=member, left_on=d["left_on"], reason=d["reason"]
        ),
        _("The unit left the consortium."),
        consortium,
    )
    return done or _form_page(
        request,
        consortium,
        form,
        _("%(unit)s leaves the consortium") % {"unit": member.enterprise.name},
    )


def _current_members(consortium: Consortium) -> Any:
    return consortium.members.filter(left_on__isnull=True).select_related("enterprise")


@login_required
@require_http_methods(["GET", "POST"])
def readiness_new(request: HttpRequest, pk: int) -> HttpResponse:
    consortium = _acting(request, pk, "record")
    form = ReadinessForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        members=_current_members(consortium),
    )
    done = submit(
        request,
        form,
        lambda d: services.readiness_record(
            actor=request.user,
            member=d["member"],
            kind=d["kind"],
            title=d["title"],
            number=d["number"],
            date=d["date"],
            upload=d["file"],
        ),
        _("The export readiness was recorded."),
        consortium,
    )
    return done or _form_page(
        request, consortium, form, _("Record a member's export readiness"), multipart=True
    )


@login_required
@require_http_methods(["GET"])
def readiness_file(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    consortium = selectors.consortium_get_visible(request.user, pk)
    readiness = get_object_or_404(Readiness, pk=doc_pk, member__consortium=consortium)
    if not readiness.file:
        raise Http404
    return stored_file_response(
        readiness.file, readiness.original_name, uploads.ALLOWED[readiness.file_type]
    )


@login_required
@require_http_methods(["GET", "POST"])
def exports_new(request: HttpRequest, pk: int) -> HttpResponse:
    consortium = _acting(request, pk, "record")
    form = ExportsForm(
        request.POST if request.method == "POST" else None, members=_current_members(consortium)
    )
    done = submit(
        request,
        form,
        lambda d: services.exports_record(
            actor=request.user, member=d["member"], year=d["year"], amount_usd=d["amount_usd"]
        ),
        _("The exports were recorded."),
        consortium,
    )
    return done or _form_page(request, consortium, form, _("Record a member's exports"))


@login_required
@require_http_methods(["GET", "POST"])
def support_new(request: HttpRequest, pk: int) -> HttpResponse:
    consortium = _acting(request, pk, "manage")
    form = SupportForm(request.POST if request.method == "POST" else None)
    done = submit(
        request,
        form,
        lambda d: services.support_record(
            actor=request.user,
            consortium=consortium,
            date=d["date"],
            kind=d["kind"],
            amount=d["amount"],
            note=d["note"],
        ),
        _("The support was recorded."),
        consortium,
    )
    ledger = selectors.consortium_page(consortium).ledger
    return done or render(
        request,
        "consortia/form.html",
        {"form": form, "title": _("Record support"), "c": consortium, "ledger": ledger},
    )


@login_required
@require_http_methods(["GET", "POST"])
def caps(request: HttpRequest) -> HttpResponse:
    _scope(request, "set_cap")
    form = CapForm(request.POST if request.method == "POST" else None)
    done = submit(
        request,
        form,
        lambda d: services.cap_set(actor=request.user, year=d["year"], amount=d["amount"]),
        _("The cap was set."),
        "consortium_caps",
    )
    return done or render(
        request,
        "consortia/caps.html",
        {"form": form, "caps": SupportCap.objects.all(), "default": services.DEFAULT_CAP},
    )
