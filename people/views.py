"""The "people and roles" pages. Thin views: parse the request, call a selector (which
answers 404 for a person, grant or province outside the asker's scope) or a service (which
decides who may give what, and refuses with its own message), render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles, services
from accounts.models import User
from accounts.scope import Scope
from audit.presenters import present
from pishran.forms import apply_errors
from places.models import Park, Province

from . import selectors
from .forms import GrantFields, GrantForm, NoteForm, PasswordForm, PersonForm


def _back(request: HttpRequest, default: str) -> str:
    """Where a form sends the person back to: the page it was on (``next``), if that is a
    people page of this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/people/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _person_url(person: User) -> str:
    return reverse("person_detail", args=[person.pk])


def _grant_form_places(request: HttpRequest, province: Province | None) -> dict[str, Any]:
    """The provinces and parks offered: the person's own; only ``province``'s parks when
    the form is opened from that province's page."""
    provinces = selectors.provinces_managed_by(request.user)
    parks = Park.objects.filter(province__in=provinces)
    if province is not None:
        parks = parks.filter(province=province)
    return {"scope": Scope.of(request.user), "provinces": provinces, "parks": parks}


def _context_province(request: HttpRequest) -> Province | None:
    """The province page a form was opened from (``?province=``), if the person manages it."""
    code = request.POST.get("from_province") or request.GET.get("province") or ""
    if not code or "\x00" in code:
        return None
    return selectors.provinces_managed_by(request.user).filter(code=code).first()


# --- pages ---------------------------------------------------------------------------------


@login_required
@require_GET
def people_index(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    if not scope.national:
        province = selectors.first_managed_province(request.user)
        if province is None:
            raise Http404
        return redirect("people_province", code=province.code)
    counts = selectors.people_counts_by_province()
    national = list(selectors.national_people())
    grants = selectors.live_national_grants(request.user, national)
    context = {
        "provinces": [(p, counts.get(p.pk, 0)) for p in Province.objects.all()],
        "national": [(person, grants[person.pk]) for person in national],
    }
    return render(request, "people/index.html", context)


@login_required
@require_GET
def people_province(request: HttpRequest, code: str) -> HttpResponse:
    province = selectors.province_get_managed(request.user, code)
    q = request.GET.get("q", "").strip()
    people = selectors.province_people(request.user, province, q)
    page = Paginator(people, 25).get_page(request.GET.get("page"))
    scope = Scope.of(request.user)
    grants = selectors.live_grants_in_province(request.user, page.object_list, province)
    rows = [
        (person, grants[person.pk], scope.can("people.manage_person", person))
        for person in page.object_list
    ]
    context = {
        "province": province,
        "q": q,
        "page": page,
        "rows": rows,
        "params": urlencode({"q": q} if q else {}),
        "here": request.get_full_path(),
    }
    return render(request, "people/province.html", context)


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_visible(request.user, pk)
    scope = Scope.of(request.user)
    grants, hidden = selectors.person_grants(request.user, person)
    context = {
        "person": person,
        "grants": grants,
        "hidden_grants": hidden,
        "history": present(selectors.person_history(request.user, person)[:50]),
        "can_manage": scope.can("people.manage_person", person),
        "grant_form": GrantForm(**_grant_form_places(request, None)),
        "password_form": PasswordForm(),
        "here": request.get_full_path(),
    }
    return render(request, "people/person.html", context)


# --- changes (each through its audited service) ---------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest, code: str) -> HttpResponse:
    province = selectors.province_get_managed(request.user, code)
    person_form = PersonForm(request.POST or None)
    grant_form = GrantFields(
        request.POST or None, initial={"province": code}, **_grant_form_places(request, province)
    )
    if request.method == "POST" and person_form.is_valid() and grant_form.is_valid():
        data = person_form.cleaned_data
        try:
            person = services.person_create(
                actor=request.user,
                data=data,
                role=grant_form.cleaned_data["role"],
                place_id=grant_form.place_id,
                password=data["password"] or None,
            )
        except ValidationError as exc:
            grant_form.show_errors(exc, person_form)
        else:
            messages.success(
                request,
                _("%(person)s was added with the role %(role)s.")
                % {
                    "person": person.display_name,
                    "role": roles.role_label(grant_form.cleaned_data["role"]),
                },
            )
            return redirect(_person_url(person))
    context = {"province": province, "form": person_form, "grant_form": grant_form}
    return render(request, "people/person_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_grant_give(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_visible(request.user, pk)
    province = _context_province(request)
    form = GrantForm(
        request.POST or None,
        initial={"province": province.code if province else None},
        **_grant_form_places(request, province),
    )
    back = _back(request, _person_url(person))
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_give(
                actor=request.user,
                person=person,
                role=form.cleaned_data["role"],
                place_id=form.place_id,
                starts_on=form.cleaned_data["starts_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.show_errors(exc)
        else:
            messages.success(
                request,
                _("%(person)s now holds the role %(role)s — %(place)s.")
                % {
                    "person": person.display_name,
                    "role": grant.role_label,
                    "place": grant.place_label,
                },
            )
            return redirect(back)
    context = {"person": person, "form": form, "province": province, "back": back}
    return render(request, "people/grant_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def grant_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get_visible(request.user, pk)
    form = NoteForm(request.POST if request.method == "POST" else None)  # may be sent empty
    back = _back(request, _person_url(grant.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_withdraw(actor=request.user, grant=grant, note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("The role %(role)s — %(place)s was withdrawn from %(person)s.")
                % {
                    "role": grant.role_label,
                    "place": grant.place_label,
                    "person": grant.user.display_name,
                },
            )
            return redirect(back)
    context = {"grant": grant, "person": grant.user, "form": form, "back": back}
    return render(request, "people/withdraw_form.html", context)


@login_required
@require_POST
def person_activate(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_visible(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.person_set_active(actor=request.user, person=person, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if active:
            message = _("%(person)s was reactivated.")
        else:
            message = _("%(person)s was deactivated: they can no longer log in.")
        messages.success(request, message % {"person": person.display_name})
    return redirect(_back(request, _person_url(person)))


@login_required
@require_http_methods(["GET", "POST"])
def person_password(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_visible(request.user, pk)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_set_password(
                actor=request.user, person=person, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("A new password was set for %(person)s.") % {"person": person.display_name},
            )
            return redirect(_person_url(person))
    return render(request, "people/password_form.html", {"person": person, "form": form})
