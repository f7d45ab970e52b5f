"""Forms of the consortia pages. They parse only — units by national ID or registry
number, Jalali dates, amounts in rials (the toman equivalent beside them) or in US dollars —
and show the services' refusals beside their fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clusters.models import Cluster
from persian.forms import AmountField, JalaliDateField, LocalizedIntegerField, RialsField
from persian.jalali import today, year_of
from persian.text import to_latin_digits
from pishran.forms import StyledFormMixin
from places.models import Province
from sectors.models import IndustryGroup

from . import countries
from .models import Member, Readiness, SupportKind


def split_units(text: str) -> list[str]:
    """The national IDs or numbers typed one a line (or separated by commas or spaces)."""
    cleaned = to_latin_digits(text or "").replace("،", " ").replace(",", " ")
    return [part for part in cleaned.split() if part]


class ConsortiumForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    province = forms.ModelChoiceField(
        label=_("province"), queryset=Province.objects.none(), to_field_name="code"
    )
    cluster = forms.ModelChoiceField(
        label=_("cluster"), queryset=Cluster.objects.none(), required=False
    )
    products = forms.CharField(label=_("products"), max_length=500)
    industry_group = forms.ModelChoiceField(
        label=_("industry group"), queryset=IndustryGroup.objects.all(), required=False
    )
    markets = forms.MultipleChoiceField(
        label=_("target markets"),
        choices=countries.choices,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    formed_on = JalaliDateField(label=_("formed on"), initial=today)
    units = forms.CharField(
        label=_("member units"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
        help_text=_("National IDs or numbers in the registry, one a line; at least three."),
    )

    def __init__(
        self, *args: Any, provinces: QuerySet[Any], clusters: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = clusters  # type: ignore[attr-defined]
        self.fields["markets"].widget.attrs["size"] = 8


class MemberAddForm(StyledFormMixin, forms.Form):
    unit = forms.CharField(label=_("unit (national ID or number in the registry)"), max_length=20)
    joined_on = JalaliDateField(label=_("joined on"), initial=today)


class MemberRemoveForm(StyledFormMixin, forms.Form):
    left_on = JalaliDateField(label=_("left on"), initial=today)
    reason = forms.CharField(label=_("reason"), max_length=300)


class _MemberForm(StyledFormMixin, forms.Form):
    member = forms.ModelChoiceField(label=_("member"), queryset=Member.objects.none())

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.enterprise.name  # type: ignore[attr-defined]


class ReadinessForm(_MemberForm):
    kind = forms.ChoiceField(label=_("kind"), choices=Readiness.Kind.choices)
    title = forms.CharField(
        label=_("certificate or record"),
        max_length=200,
        help_text=_("For example: export card, ISO 9001, standard mark, customs declaration."),
    )
    number = forms.CharField(label=_("number"), max_length=60, required=False)
    date = JalaliDateField(label=_("date"), initial=today)
    file = forms.FileField(label=_("document (PDF, DOCX or XLSX)"), required=False)


class ExportsForm(_MemberForm):
    year = LocalizedIntegerField(
        label=_("Jalali year"), initial=lambda: year_of(today()) - 1, min_value=1300
    )
    amount_usd = AmountField(
        label=_("exports (US dollars)"),
        min_value=0,
        help_text=_("In US dollars, whole dollars; a second entry for the year replaces it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount_usd"].error_messages["invalid"] = _(
            "Enter the amount in US dollars, in digits only (for example 250000)."
        )


class SupportForm(StyledFormMixin, forms.Form):
    date = JalaliDateField(label=_("date"), initial=today)
    kind = forms.ChoiceField(label=_("kind"), choices=SupportKind.choices)
    amount = RialsField(label=_("amount (rials)"), help_text=_("In rials; a toman is ten rials."))
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class CapForm(StyledFormMixin, forms.Form):
    year = LocalizedIntegerField(label=_("Jalali year"), initial=lambda: year_of(today()))
    amount = RialsField(label=_("cap (rials)"), help_text=_("In rials; a toman is ten rials."))
