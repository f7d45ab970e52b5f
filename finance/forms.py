"""Forms of the finance pages: amounts in rials (the toman equivalent shown beside them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from persian.forms import JalaliDateField, LocalizedIntegerField, RialsField
from persian.jalali import today
from pishran.forms import StyledFormMixin

from .models import AdviserFirm, Bank, Decision, Instrument, Market


class IntroduceForm(StyledFormMixin, forms.Form):
    unit = forms.CharField(label=_("unit (national ID or number in the registry)"), max_length=20)
    bank = forms.ModelChoiceField(
        queryset=Bank.objects.all(), to_field_name="code", label=_("bank")
    )
    branch = forms.CharField(label=_("branch"), max_length=120)
    instrument = forms.ChoiceField(label=_("instrument"), choices=Instrument.choices)
    amount_requested = RialsField(
        label=_("amount requested (rials)"), help_text=_("In rials; a toman is ten rials.")
    )
    date = JalaliDateField(label=_("introduced on"), initial=today)
    clinic_case = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices)
    amount_granted = RialsField(
        label=_("amount granted (rials)"),
        required=False,
        help_text=_("In rials. Leave empty for an approval of the whole amount requested."),
    )
    date = JalaliDateField(label=_("decided on"), initial=today)
    reasons = forms.CharField(label=_("reasons"), required=False, max_length=500)


class PaymentForm(StyledFormMixin, forms.Form):
    amount_paid = RialsField(label=_("amount paid (rials)"), help_text=_("In rials."))
    date = JalaliDateField(label=_("paid on"), initial=today)


class ListingIntroduceForm(StyledFormMixin, forms.Form):
    unit = forms.CharField(label=_("unit (national ID or number in the registry)"), max_length=20)
    adviser = forms.ModelChoiceField(
        queryset=AdviserFirm.objects.all(), to_field_name="code", label=_("adviser"), required=False
    )
    market = forms.ChoiceField(
        label=_("market"), choices=[("", "—"), *Market.choices], required=False
    )
    date = JalaliDateField(label=_("introduced on"), initial=today)


class ListingForm(StyledFormMixin, forms.Form):
    adviser = forms.ModelChoiceField(
        queryset=AdviserFirm.objects.all(), to_field_name="code", label=_("adviser"), required=False
    )
    market = forms.ChoiceField(
        label=_("market"), choices=[("", "—"), *Market.choices], required=False
    )
    amount_raised = RialsField(
        label=_("amount raised (rials)"), required=False, help_text=_("In rials.")
    )

    def __init__(self, *args: object, may_choose_adviser: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not may_choose_adviser:
            del self.fields["adviser"]


class CertificateForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("certificate code"), max_length=40)
    bank = forms.ModelChoiceField(
        queryset=Bank.objects.all(), to_field_name="code", label=_("issuing bank")
    )
    buyer = forms.CharField(label=_("buyer (national ID or number in the registry)"), max_length=20)
    supplier = forms.CharField(
        label=_("supplier (national ID or number in the registry)"), max_length=20
    )
    amount = RialsField(label=_("amount (rials)"), help_text=_("In rials."))
    term_months = LocalizedIntegerField(label=_("term (months)"), min_value=1, max_value=12)
    issued_on = JalaliDateField(label=_("issued on"), initial=today)


class PassForm(StyledFormMixin, forms.Form):
    to = forms.CharField(
        label=_("to the unit (national ID or number in the registry)"), max_length=20
    )
    date = JalaliDateField(label=_("date"), initial=today)


class DiscountForm(StyledFormMixin, forms.Form):
    bank = forms.ModelChoiceField(
        queryset=Bank.objects.all(), to_field_name="code", label=_("bank")
    )
    date = JalaliDateField(label=_("date"), initial=today)
