"""A person's own API tokens (``/api/tokens/``): list, create (the secret shown once, on
the answer to the POST that made it) and revoke. Thin views over ``api.services``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.scope import Scope
from persian.jalali import format_date, today
from pishran.forms import apply_errors

from . import services
from .forms import TokenForm
from .models import ApiToken

DEFAULT_LIFETIME = dt.timedelta(days=90)


@never_cache  # the answer to a creation carries the secret: no cache keeps it
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    initial = {"expires_on": format_date(today() + DEFAULT_LIFETIME, persian_digits=False)}
    form = TokenForm(request.POST or None, initial=initial)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.token_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            form = TokenForm(initial=initial)
    tokens = ApiToken.objects.filter(Scope.of(request.user).full_q(ApiToken))
    context = {"form": form, "secret": secret, "tokens": tokens, "today": today()}
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(Scope.of(request.user).full_q(ApiToken), pk=pk).first()
    if token is None:
        raise Http404
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("api_tokens")
