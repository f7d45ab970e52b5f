from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import Scope
from persian.forms import (
    DigitsCharField,
    JalaliDateField,
    LocalizedDecimalField,
    LocalizedIntegerField,
)
from pishran.forms import StyledFormMixin, VersionedFormMixin
from places.models import Park, Province

from .access import RULES
from .models import Enterprise, Status
from .services import OWNER_FIELDS, PROFILE_FIELDS


class EnterpriseForm(StyledFormMixin, VersionedFormMixin, forms.ModelForm):
    """The profile of an enterprise. Business rules live in the services; the form only
    parses (Jalali dates, Persian digits) and shows the services' errors per field."""

    legal_id = DigitsCharField(label=_("national ID"), required=False, max_length=20)
    business_id = DigitsCharField(label=_("business ID"), required=False, max_length=20)
    permit_date = JalaliDateField(label=_("operating permit date"), required=False)
    employees = LocalizedIntegerField(label=_("employees"), min_value=0)
    construction_progress = LocalizedIntegerField(
        label=_("construction progress (%)"), min_value=0, max_value=100, initial=0
    )
    # Not a profile field: the date from which the employees or progress typed hold (a
    # dated ``MeasureEvent``; today when left empty).
    measures_date = JalaliDateField(
        label=_("employees and progress as of"),
        required=False,
        help_text=_("The date of the change of employees or progress; today if left empty."),
    )
    phone = DigitsCharField(label=_("office phone"), required=False, max_length=20)
    mobile = DigitsCharField(label=_("contact person's mobile"), required=False, max_length=20)
    latitude = LocalizedDecimalField(
        label=_("latitude"), required=False, max_digits=8, decimal_places=5
    )
    longitude = LocalizedDecimalField(
        label=_("longitude"), required=False, max_digits=8, decimal_places=5
    )

    class Meta:
        model = Enterprise
        fields = PROFILE_FIELDS
        widgets = {
            "products": forms.Textarea(attrs={"rows": 3}),
            "capabilities": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, owner_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if owner_only:
            for name in list(self.fields):
                if name not in (*OWNER_FIELDS, "measures_date"):
                    del self.fields[name]

    def _post_clean(self) -> None:
        # Validation of the model happens in the service (with the identifiers and
        # location rules); the form does not save.
        pass


class PlaceFields(StyledFormMixin, forms.Form):
    """Province and park chosen together; the service checks they agree."""

    province = forms.ModelChoiceField(
        label=_("province"), queryset=Province.objects.all(), to_field_name="code"
    )
    park = forms.ModelChoiceField(
        label=_("park or zone"),
        queryset=Park.objects.select_related("province"),
        required=False,
        empty_label=_("— outside any park —"),
    )

    def __init__(self, *args: Any, provinces: Any = None, parks: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if provinces is not None:
            cast(forms.ModelChoiceField, self.fields["province"]).queryset = provinces
        if parks is not None:
            cast(forms.ModelChoiceField, self.fields["park"]).queryset = parks


class EnterpriseCreatePlaceForm(PlaceFields):
    status = forms.ChoiceField(label=_("status"), choices=Status.choices)
    status_date = JalaliDateField(label=_("status since"))
    reason = forms.CharField(label=_("note"), required=False, max_length=300)


class StatusChangeForm(StyledFormMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("new status"), choices=Status.choices)
    date = JalaliDateField(label=_("date"))
    reason = forms.CharField(label=_("reason"), max_length=300)


class MoveForm(PlaceFields):
    date = JalaliDateField(label=_("moved on"))
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)


class CorrectionForm(StyledFormMixin, forms.Form):
    date = JalaliDateField(label=_("date"))
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)
    note = forms.CharField(label=_("why the history is corrected"), max_length=300)


class RevokeForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("why the history is corrected"), max_length=300)


def place_choices(user: Any) -> dict[str, Any]:
    """The provinces and parks ``user`` may place a unit in (``PlaceFields``' choices)."""
    scope = Scope.of(user)
    return {
        "provinces": Province.objects.filter(RULES.provinces_q(scope)).distinct(),
        "parks": Park.objects.filter(scope.full_q(Park)),
    }


def placement_allowed(user: Any, form: forms.Form) -> bool:
    """The province and park chosen are a place this person keeps units in (each place is
    judged by the grants that cover it); otherwise the park is marked wrong."""
    province, park = form.cleaned_data["province"], form.cleaned_data["park"]
    place = (province.pk, park.pk if park is not None else None)
    if Scope.of(user).can("enterprises.place", place):
        return True
    form.add_error("park", _("Here you keep units inside your own parks: choose one of them."))
    return False


def park_required_for_park_managers(user: Any, form: forms.Form) -> None:
    """A park manager keeps units inside their parks: they cannot place one outside."""
    if not Scope.of(user).can("enterprises.place_outside_parks"):
        form.fields["park"].required = True
