"""The finance pages: the referrals with the ledger per bank and instrument, introducing a
unit to a bank (from a clinic case's plan or by hand), a referral's page, and the bank's
decision and payment forms. 404 outside the person's scope."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scope import Scope
from cases.models import Case, CaseEvent
from cases.selectors import case_get_visible
from enterprises.selectors import unit_typed
from pishran.forms import apply_errors, submit

from . import casetype, selectors, services
from .forms import DecisionForm, IntroduceForm, PaymentForm
from .models import Referral

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET"])
def referrals(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    if not scope.can("finance.see_ledger"):
        raise Http404
    rows = selectors.referrals_visible(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/referrals.html",
        {
            "page": page,
            "by_bank": selectors.ledger(rows, "bank"),
            "by_instrument": selectors.ledger(rows, "instrument"),
            "can_introduce": scope.can("finance.introduce"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def introduce(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    if not scope.can("finance.introduce"):
        raise Http404
    initial = {"unit": request.GET.get("unit", ""), "clinic_case": request.GET.get("clinic_case")}
    form = IntroduceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = unit_typed(request.user, data["unit"])
            if unit is None or not scope.can("finance.introduce", unit.province_id):
                raise ValidationError(
                    {
                        "unit": _(
                            "No unit with this national ID or number in the provinces you keep."
                        )
                    }
                )
            clinic_case = None
            if data["clinic_case"]:
                clinic_case = Case.objects.filter(pk=data["clinic_case"], type="clinic").first()
            referral = services.referral_introduce(
                actor=request.user,
                enterprise=unit,
                bank=data["bank"],
                branch=data["branch"],
                instrument=data["instrument"],
                amount_requested=data["amount_requested"],
                date=data["date"],
                clinic_case=clinic_case,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "enterprise" in exc.error_dict:
                exc = ValidationError({"unit": exc.message_dict["enterprise"]})
            apply_errors(exc, form)
        else:
            messages.success(request, _("The unit was introduced to the bank."))
            return redirect(referral.case)
    return render(request, "finance/introduce.html", {"form": form})


def _referral(request: HttpRequest, pk: int) -> Referral:
    case = case_get_visible(request.user, pk)
    if case.type != casetype.TYPE:
        raise Http404
    return Referral.objects.select_related(
        "case", "case__enterprise", "case__province", "bank", "clinic_case"
    ).get(case=case)


@login_required
@require_http_methods(["GET"])
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    scope = Scope.of(request.user)
    context: dict[str, Any] = {
        "referral": referral,
        "case": referral.case,
        "can_decide": scope.can("finance.decide", referral)
        and not referral.decision
        and referral.case.is_open,
        "can_pay": scope.can("finance.decide", referral)
        and referral.case.stage == casetype.DECIDED,
        "events": list(CaseEvent.objects.filter(case=referral.case).select_related("case")),
        "clinic_visible": referral.clinic_case_id is not None
        and Case.objects.filter(scope.visible_q(Case), pk=referral.clinic_case_id).exists(),
    }
    return render(request, "finance/referral.html", context)


def _acting(request: HttpRequest, pk: int) -> Referral:
    referral = _referral(request, pk)
    if not Scope.of(request.user).can("finance.decide", referral):
        raise Http404
    return referral


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _acting(request, pk)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    done = submit(
        request,
        form,
        lambda d: services.referral_decide(actor=request.user, referral=referral, **d),
        _("The bank's decision was recorded."),
        referral.case,
    )
    if done is not None:
        return done
    return render(
        request,
        "finance/form.html",
        {"referral": referral, "form": form, "title": _("The bank's decision")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _acting(request, pk)
    form = PaymentForm(request.POST if request.method == "POST" else None)
    done = submit(
        request,
        form,
        lambda d: services.referral_pay(actor=request.user, referral=referral, **d),
        _("The payment was recorded."),
        referral.case,
    )
    if done is not None:
        return done
    return render(
        request, "finance/form.html", {"referral": referral, "form": form, "title": _("Payment")}
    )
