"""Thin views: parse the request, call a selector or a service, render."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from accounts.scope import Scope
from accounts.throttle import asks_download, throttled
from audit.presenters import present
from audit.services import StaleEdit, history_of
from exports.responses import FORMATS, export_response
from persian.templatetags.persian import num
from pishran.forms import apply_errors
from places.models import Park

from . import selectors, services
from .exports import directory_table
from .forms import (
    CorrectionForm,
    EnterpriseCreatePlaceForm,
    EnterpriseForm,
    MoveForm,
    RevokeForm,
    StatusChangeForm,
    park_required_for_park_managers,
    place_choices,
    placement_allowed,
)
from .models import SizeBand, Status, StatusEvent
from .sections import sections_for
from .selectors import (
    DirectoryQuery,
    directory_export_count,
    directory_page,
    enterprise_get_editable,
    enterprise_get_visible,
)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@throttled("exports", when=asks_download)
@vary_on_headers("HX-Request")
def directory(request: HtmxHttpRequest) -> HttpResponseBase:
    query = DirectoryQuery.from_params(request.GET)
    if fmt := request.GET.get("export"):
        return _directory_export(request, query, fmt)
    page = directory_page(request.user, query)
    params = query.filter_params()
    provinces, groups, divisions = selectors.directory_choices()
    context = {
        "query": query,
        "page": page,
        "next_url": "?" + urlencode({**params, "after": page.next_cursor})
        if page.next_cursor
        else "",
        "prev_url": "?" + urlencode({**params, "before": page.prev_cursor})
        if page.prev_cursor
        else "",
        "first_url": "?" + urlencode(params),
        "count_url": reverse("enterprise_directory_count") + "?" + urlencode(params),
        # The filter form's choices as <option>s, built here: five template loops over ~70
        # choices were about a quarter of the page's rendering.
        "province_options": _options(((p.code, p) for p in provinces), query.province),
        "park": Park.objects.filter(pk=query.park).first() if query.park else None,
        "group_options": _options(((g.key, g) for g in groups), query.group),
        "division_options": _options(((d.code, d) for d in divisions), query.isic),
        "size_options": _options(SizeBand.choices, query.size),
        "status_options": _options(Status.choices, query.status),
        "scope": Scope.of(request.user),
        "can_create": Scope.of(request.user).can("enterprises.create"),
    }
    if request.htmx:
        return render(request, "enterprises/directory.html#results", context)
    return render(request, "enterprises/directory.html", context)


def _options(choices: Iterable[tuple[str, Any]], selected: str) -> SafeString:
    """``<option value="…"[ selected]>label</option>`` for each (value, label), escaped."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in choices),
    )


@throttled("rows")
def directory_count(request: HttpRequest) -> HttpResponse:
    """The exact number of units behind the directory's filters (the person's scope), asked
    for by the page's "count exactly" where it shows a capped count: an htmx fragment that
    replaces the count, or a message when counting takes too long."""
    query = DirectoryQuery.from_params(request.GET)
    count = selectors.directory_exact_count(request.user, query)
    return render(
        request,
        "enterprises/directory_count.html",
        {
            "count": count,
            "seconds": selectors.EXACT_COUNT_TIMEOUT_MS // 1000,
            "park": Park.objects.filter(pk=query.park).first() if query.park else None,
        },
    )


def _directory_export(request: HttpRequest, query: DirectoryQuery, fmt: str) -> HttpResponseBase:
    """The units behind the directory's filters as a download (``?export=csv|xlsx``):
    the same scope and filters as the page, every page at once; private fields only for
    units in the person's full scope. CSV streams; XLSX stops at a cap."""
    if fmt not in FORMATS:
        raise Http404
    if fmt == "xlsx":
        cap = selectors.DIRECTORY_XLSX_CAP
        if directory_export_count(request.user, query, cap) > cap:
            if request.user.is_authenticated:  # the worker writes it (ops.exports)
                return render(
                    request,
                    "enterprises/export_offer.html",
                    {
                        "cap": cap,
                        "params": query.filter_params(),
                        "back": _query_string(query.filter_params()),
                    },
                )
            messages.error(
                request,
                _(
                    "The Excel file holds at most %(cap)s units and these filters find more. "
                    "Narrow the filters (a province, a sector, a status) or download CSV, "
                    "which has no limit."
                )
                % {"cap": num(cap)},
            )
            return redirect(reverse("enterprise_directory") + _query_string(query.filter_params()))
    return export_response(directory_table(request.user, query), fmt)


def _query_string(params: dict[str, str]) -> str:
    return "?" + urlencode(params) if params else ""


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise, full = enterprise_get_visible(request.user, pk)
    scope = Scope.of(request.user)
    context: dict[str, Any] = {
        "enterprise": enterprise,
        "full": full,
        "scope": scope,
        # "since when" is history: only for those who see the unit's history.
        "sees_history": full and scope.can("enterprises.see_history", enterprise),
    }
    if full:
        context["events"] = enterprise.status_events.select_related("author").order_by(
            "-date", "-id"
        )
        context["measures"] = enterprise.measure_events.select_related("author").order_by(
            "-date", "-id"
        )
        context["moves"] = enterprise.location_events.select_related(
            "province", "park", "author"
        ).order_by("-date", "-id")
        context["history"] = present(
            history_of(enterprise).select_related("target_type", "subject_type")[:50]
        )
        context["can_change_status"] = scope.can("enterprises.change_status")
    context["sections"] = sections_for(request.user, enterprise)
    return render(request, "enterprises/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not Scope.of(request.user).can("enterprises.create"):
        raise Http404
    places = place_choices(request.user)
    form = EnterpriseForm(request.POST or None)
    place_form = EnterpriseCreatePlaceForm(request.POST or None, **places)
    park_required_for_park_managers(request.user, place_form)
    if (
        request.method == "POST"
        and form.is_valid()
        and place_form.is_valid()
        and placement_allowed(request.user, place_form)
    ):
        try:
            enterprise = services.enterprise_create(
                actor=request.user,
                data=form.cleaned_data,
                province=place_form.cleaned_data["province"],
                park=place_form.cleaned_data["park"],
                status=place_form.cleaned_data["status"],
                status_date=place_form.cleaned_data["status_date"],
                reason=place_form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(exc, form, place_form)
        else:
            messages.success(request, _("The enterprise was registered."))
            return redirect(enterprise)
    return render(
        request, "enterprises/form.html", {"form": form, "place_form": place_form, "creating": True}
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_get_editable(request.user, pk)
    owner_only = not Scope.of(request.user).can("enterprises.edit_every_field")
    form = EnterpriseForm(request.POST or None, instance=enterprise, owner_only=owner_only)
    stale: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_update(
                actor=request.user,
                enterprise=enterprise,
                data=form.cleaned_data,
                fields=form.edited_fields(),
                version=form.expected_version(),
                measures_date=form.cleaned_data.get("measures_date"),
            )
        except StaleEdit as exc:
            form.refused_as_stale(exc, exc.version)
            stale = present(exc.records)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(enterprise)
    return render(
        request, "enterprises/form.html", {"form": form, "enterprise": enterprise, "stale": stale}
    )


def _staff_enterprise(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    enterprise = enterprise_get_editable(request.user, pk)
    if not Scope.of(request.user).can("enterprises.change_status"):
        raise Http404
    return enterprise


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _staff_enterprise(request, pk)
    form = StatusChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_change_status(
                actor=request.user, enterprise=enterprise, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("The status change was recorded."))
            return redirect(enterprise)
    return render(request, "enterprises/status_form.html", {"form": form, "enterprise": enterprise})


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _staff_enterprise(request, pk)
    places = place_choices(request.user)
    form = MoveForm(
        request.POST or None,
        initial={"province": enterprise.province.code, "park": enterprise.park_id},
        **places,
    )
    park_required_for_park_managers(request.user, form)
    if request.method == "POST" and form.is_valid() and placement_allowed(request.user, form):
        try:
            services.enterprise_move(actor=request.user, enterprise=enterprise, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("The move was recorded."))
            return redirect(enterprise)
    return render(request, "enterprises/move_form.html", {"form": form, "enterprise": enterprise})


@login_required
@require_http_methods(["GET", "POST"])
def correct_event(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    enterprise = _staff_enterprise(request, pk)
    event = get_object_or_404(StatusEvent, pk=event_pk, enterprise=enterprise)
    form = CorrectionForm(
        request.POST or None, initial={"date": event.date, "reason": event.reason}
    )
    revoke_form = RevokeForm(prefix="revoke")
    if request.method == "POST" and form.is_valid():
        try:
            services.status_event_correct(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("The history was corrected."))
            return redirect(enterprise)
    latest = enterprise.status_events.order_by("-date", "-id").first()
    context = {
        "form": form,
        "revoke_form": revoke_form,
        "enterprise": enterprise,
        "event": event,
        "can_revoke": latest is not None and latest.pk == event.pk and latest.from_status != "",
    }
    return render(request, "enterprises/correct_form.html", context)


@login_required
@require_http_methods(["POST"])
def revoke_event(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _staff_enterprise(request, pk)
    form = RevokeForm(request.POST, prefix="revoke")
    if form.is_valid():
        try:
            services.status_event_revoke_latest(
                actor=request.user, enterprise=enterprise, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The latest status change was withdrawn."))
    else:
        messages.error(request, _("Say why the history is being corrected."))
    return redirect(enterprise)
