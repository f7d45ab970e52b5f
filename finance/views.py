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
from enterprises.selectors import unit_to_act_on
from pishran.forms import apply_errors, submit

from . import casetype, market, seek, selectors, services
from .forms import (
    CertificateForm,
    DecisionForm,
    DiscountForm,
    IntroduceForm,
    ListingForm,
    ListingIntroduceForm,
    PassForm,
    PaymentForm,
)
from .models import Referral

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET"])
def referrals(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    if not scope.can("finance.see_ledger"):
        raise Http404
    tables = selectors.ledgers_of(request.user, "bank", "instrument")
    page = selectors.referrals_page(
        request.user,
        request.GET,
        PAGE_SIZE,
        count=selectors.referral_count_of(request.user, tables["bank"]),
    )
    return render(
        request,
        "finance/referrals.html",
        {
            "page": page,
            **{f"by_{name}": table for name, table in tables.items()},
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
            unit = unit_to_act_on(request.user, data["unit"], "finance.introduce")
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
        "referral": selectors.with_status_after([referral])[0],
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


def _bank_form(
    request: HttpRequest, pk: int, form_class: Any, service: Any, success: str, title: str
) -> HttpResponse:
    """A form of the bank's (its decision, its payment) on one referral: only the bank's
    own officers and national staff reach it."""
    referral = _acting(request, pk)
    form = form_class(request.POST if request.method == "POST" else None)
    done = submit(
        request,
        form,
        lambda d: service(actor=request.user, referral=referral, **d),
        success,
        referral.case,
    )
    if done is not None:
        return done
    return render(
        request, "finance/form.html", {"referral": referral, "form": form, "title": title}
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _bank_form(
        request,
        pk,
        DecisionForm,
        services.referral_decide,
        _("The bank's decision was recorded."),
        _("The bank's decision"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    return _bank_form(
        request,
        pk,
        PaymentForm,
        services.referral_pay,
        _("The payment was recorded."),
        _("Payment"),
    )


# --- the capital-market pipeline -------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def pipeline(request: HttpRequest) -> HttpResponse:
    """The files by stage as of a date (the office that held each then), the median days
    spent in each stage, and the files with their time in the current stage (stalled ones
    flagged)."""
    from persian import jalali

    scope = Scope.of(request.user)
    if not scope.can("finance.see_pipeline"):
        raise Http404
    as_of, as_of_error = jalali.today(), ""
    typed = request.GET.get("as_of", "").replace("\x00", "").strip()
    if typed:
        try:
            as_of = min(jalali.parse(typed), jalali.today())
        except (jalali.JalaliDateError, ValueError, OverflowError):
            as_of_error = _("%(value)s is not a date in the Jalali calendar; showing today.") % {
                "value": typed[:20]
            }
    stages = selectors.pipeline(request.user, as_of)
    page = selectors.listings_page(
        request.user,
        request.GET.get("page"),
        PAGE_SIZE,
        count=selectors.pipeline_count(request.user, stages, as_of),
    )
    return render(
        request,
        "finance/pipeline.html",
        {
            "stages": stages,
            "as_of": as_of,
            "as_of_error": as_of_error,
            "page": page,
            "today": jalali.today(),
            "can_introduce": scope.can("finance.introduce"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_introduce(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    if not scope.can("finance.introduce"):
        raise Http404
    form = ListingIntroduceForm(
        request.POST if request.method == "POST" else None,
        initial={"unit": request.GET.get("unit", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = unit_to_act_on(request.user, data["unit"], "finance.introduce")
            listing = services.listing_introduce(
                actor=request.user,
                enterprise=unit,
                date=data["date"],
                adviser=data["adviser"],
                market=data["market"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "enterprise" in exc.error_dict:
                exc = ValidationError({"unit": exc.message_dict["enterprise"]})
            apply_errors(exc, form)
        else:
            messages.success(request, _("The unit was introduced to the capital market."))
            return redirect(listing.case)
    return render(
        request,
        "finance/listing_form.html",
        {"form": form, "title": _("Introduce a unit to the capital market")},
    )


def _listing(request: HttpRequest, pk: int) -> Any:
    from .models import Listing

    case = case_get_visible(request.user, pk)
    if case.type != market.TYPE:
        raise Http404
    return Listing.objects.select_related(
        "case", "case__enterprise", "case__province", "adviser"
    ).get(case=case)


@login_required
@require_http_methods(["GET"])
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _listing(request, pk)
    scope = Scope.of(request.user)
    return render(
        request,
        "finance/listing.html",
        {
            "listing": listing,
            "case": listing.case,
            "can_update": scope.can("finance.update_listing", listing) and listing.case.is_open,
            "can_move": scope.can("cases.work", listing.case),
            "events": list(CaseEvent.objects.filter(case=listing.case).select_related("case")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_update(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _listing(request, pk)
    scope = Scope.of(request.user)
    if not scope.can("finance.update_listing", listing):
        raise Http404
    may_choose = scope.can("finance.choose_adviser", listing)
    form = ListingForm(
        request.POST if request.method == "POST" else None,
        initial={
            "adviser": listing.adviser.code if listing.adviser else None,
            "market": listing.market,
            "amount_raised": listing.amount_raised,
        },
        may_choose_adviser=may_choose,
    )
    done = submit(
        request,
        form,
        lambda d: services.listing_update(
            actor=request.user,
            listing=listing,
            adviser=d["adviser"] if may_choose else listing.adviser,
            market=d["market"],
            amount_raised=d["amount_raised"],
        ),
        _("The file was updated."),
        listing.case,
    )
    if done is not None:
        return done
    return render(
        request,
        "finance/listing_form.html",
        {"form": form, "title": _("The file's details"), "listing": listing},
    )


@login_required
@require_http_methods(["GET"])
def readiness(request: HttpRequest) -> HttpResponse:
    """Whom to introduce to the exchange next in a province, with the reasons."""
    from cases.access import RULES as CASE_RULES
    from persian import jalali
    from places.models import Province

    scope = Scope.of(request.user)
    if not scope.can("finance.introduce"):
        raise Http404
    provinces = Province.objects.filter(CASE_RULES.provinces_q(scope))
    code = request.GET.get("province", "").replace("\x00", "").strip().upper()
    province = provinces.filter(code=code).first() if code else provinces.first()
    rows = selectors.readiness(request.user, province.pk, jalali.today()) if province else []
    return render(
        request,
        "finance/readiness.html",
        {"rows": rows, "province": province, "provinces": provinces},
    )


# --- productive-credit certificates -----------------------------------------------------------


def _any_unit(typed: str) -> Any:
    """A registered unit by national ID or number (a certificate names units of any
    province: a buyer in Tehran pays a supplier in Qom)."""
    from enterprises.models import Enterprise
    from persian.text import to_latin_digits

    typed = to_latin_digits(typed or "").strip()
    if not (typed.isascii() and typed.isdigit()) or len(typed) > 18:
        return None
    found = Enterprise.objects.filter(legal_id=typed).first() if len(typed) == 11 else None
    return found or Enterprise.objects.filter(pk=int(typed)).first()


def _visible_certificates(request: HttpRequest) -> Any:
    from .models import Certificate

    return Certificate.objects.filter(Scope.of(request.user).visible_q(Certificate)).select_related(
        "bank", "buyer", "supplier", "holder"
    )


@login_required
@require_http_methods(["GET"])
def certificates(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request.user)
    if not scope.can("finance.see_certificates"):
        raise Http404
    # The page's keys first (along the list's index, no join: a keyset page, as cheap
    # deep in the list as on top), then those rows with their bank and units: joining
    # before the limit made PostgreSQL join and sort every certificate with three units of
    # a million-row registry (0.6 s for 50,000).
    visible = _visible_certificates(request)
    found, page = seek.seek(
        visible.order_by("-issued_on", "-id"),
        "issued_on",
        "id",
        request.GET,
        PAGE_SIZE,
        lambda: selectors.certificate_count(request.user, visible),
    )
    page.object_list = selectors.listed_certificates([pk for _day, pk in found])
    return render(
        request,
        "finance/certificates.html",
        {"page": page, "can_issue": scope.can("finance.issue_certificate")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_new(request: HttpRequest) -> HttpResponse:
    from .certificates import certificate_issue

    scope = Scope.of(request.user)
    if not scope.can("finance.issue_certificate"):
        raise Http404
    form = CertificateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            errors = {}
            buyer, supplier = _any_unit(data["buyer"]), _any_unit(data["supplier"])
            if buyer is None:
                errors["buyer"] = _("No registered unit has this national ID or number.")
            if supplier is None:
                errors["supplier"] = _("No registered unit has this national ID or number.")
            if not scope.can("certificates.issue_at", data["bank"]):
                errors["bank"] = _("You record the certificates of your own bank only.")
            if errors:
                raise ValidationError(errors)
            certificate = certificate_issue(
                actor=request.user, code=data["code"], bank=data["bank"], buyer=buyer, supplier=supplier,
                amount=data["amount"], issued_on=data["issued_on"], term_months=data["term_months"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("The certificate was registered."))
            return redirect("finance_certificate", certificate.pk)
    return render(
        request,
        "finance/certificate_form.html",
        {"form": form, "title": _("Register a certificate")},
    )


def _certificate(request: HttpRequest, pk: int) -> Any:
    certificate = _visible_certificates(request).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    return certificate


@login_required
@require_http_methods(["GET"])
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    scope = Scope.of(request.user)
    holder = certificate.holder
    return render(
        request,
        "finance/certificate.html",
        {
            "certificate": certificate,
            "steps": list(certificate.steps.select_related("from_holder", "to_holder", "bank")),
            "can_act": holder is not None and scope.can("certificates.act_for", holder),
            "can_see_chain": scope.can("certificates.act_for", certificate.buyer),
        },
    )


def _holder_acting(request: HttpRequest, pk: int) -> Any:
    certificate = _certificate(request, pk)
    holder = certificate.holder
    if holder is None or not Scope.of(request.user).can("certificates.act_for", holder):
        raise Http404
    return certificate


@login_required
@require_http_methods(["GET", "POST"])
def certificate_pass_on(request: HttpRequest, pk: int) -> HttpResponse:
    from .certificates import certificate_pass

    certificate = _holder_acting(request, pk)
    form = PassForm(request.POST if request.method == "POST" else None)

    def act(data: dict[str, Any]) -> None:
        to = _any_unit(data["to"])
        if to is None:
            raise ValidationError({"to": _("No registered unit has this national ID or number.")})
        certificate_pass(
            actor=request.user,
            certificate=certificate,
            holder=certificate.holder,
            to=to,
            date=data["date"],
        )

    done = submit(
        request, form, act, _("The certificate was passed on."), reverse_certificate(certificate)
    )
    return done or render(
        request,
        "finance/certificate_form.html",
        {"form": form, "title": _("Pass the certificate on"), "certificate": certificate},
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_discount_at_bank(request: HttpRequest, pk: int) -> HttpResponse:
    from .certificates import certificate_discount

    certificate = _holder_acting(request, pk)
    form = DiscountForm(request.POST if request.method == "POST" else None)
    done = submit(
        request,
        form,
        lambda d: certificate_discount(
            actor=request.user, certificate=certificate, holder=certificate.holder, **d
        ),
        _("The discount was recorded."),
        reverse_certificate(certificate),
    )
    return done or render(
        request,
        "finance/certificate_form.html",
        {"form": form, "title": _("Discount at a bank"), "certificate": certificate},
    )


def reverse_certificate(certificate: Any) -> str:
    from django.urls import reverse

    return reverse("finance_certificate", args=[certificate.pk])


@login_required
@require_http_methods(["GET"])
def buyer_chain(request: HttpRequest, pk: int) -> HttpResponse:
    """A buyer's chain of suppliers reached by its certificates."""
    from enterprises.models import Enterprise
    from persian import jalali

    from .certificates import chain, named, summary

    buyer = Enterprise.objects.filter(pk=pk).first()
    if buyer is None or not Scope.of(request.user).can("certificates.act_for", buyer):
        raise Http404
    from .models import Certificate

    # The whole chain (a busy buyer's reaches thousands of units) is kept per figures
    # version; the page's rows are read afresh (``named``).
    members = selectors.kept(
        ("finance-chain", buyer.pk, jalali.today()), lambda: chain(buyer, Certificate.objects.all())
    )
    totals = summary(members)
    warnings = request.GET.get("warnings") == "1"
    if warnings:
        members = [m for m in members if m.idle or m.working_capital]
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = named(list(page.object_list))
    return render(
        request,
        "finance/chain.html",
        {
            "buyer": buyer,
            "page": page,
            "summary": totals,
            "warnings": warnings,
            "query": "warnings=1&" if warnings else "",
        },
    )
