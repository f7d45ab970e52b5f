"""Park and zone forms (create, edit); the park pages themselves are in ``indicators``."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scope import Scope
from pishran.forms import apply_errors

from . import services
from .access import RULES
from .forms import ParkForm
from .models import Park, Province


def _province_choices(scope: Scope):  # type: ignore[no-untyped-def]
    return Province.objects.filter(RULES.provinces_q(scope))


@login_required
@require_http_methods(["GET", "POST"])
def park_create(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    if not scope.can("places.create"):
        raise Http404
    form = ParkForm(request.POST or None)
    cast(ModelChoiceField, form.fields["province"]).queryset = _province_choices(scope)
    if request.method == "POST" and form.is_valid():
        try:
            park = services.park_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("The park was registered."))
            return redirect(park)
    return render(request, "places/park_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def park_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request.user)
    park = Park.objects.filter(scope.full_q(Park), pk=pk).first()
    if park is None:
        raise Http404
    form = ParkForm(request.POST or None, instance=park)
    if not scope.can("places.relocate", park):
        # A park manager keeps the park's land and plots, not where it belongs.
        del form.fields["province"]
    else:
        cast(ModelChoiceField, form.fields["province"]).queryset = _province_choices(scope)
    if request.method == "POST" and form.is_valid():
        try:
            services.park_update(
                actor=request.user, park=park, data=form.cleaned_data, fields=tuple(form.fields)
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(park)
    return render(request, "places/park_form.html", {"form": form, "park": park})
