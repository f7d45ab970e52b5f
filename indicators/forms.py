"""The targets form: one indicator's targets for a Jalali year, the country's and each
province's, typed in Persian, Arabic-Indic or Latin digits; the indicator's own form in the
back office."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from persian.forms import LocalizedDecimalField, LocalizedIntegerField
from places.models import Province

from .models import STALLED_MONTHS, Indicator
from .sources import SEMI_FINISHED

COUNTRY_FIELD = "country"


def province_field(province: Province) -> str:
    return f"p{province.pk}"


class TargetsForm(forms.Form):
    """A field for the country and one for each province; an empty field means no target.
    Every value is checked before any is saved (``indicators.services.targets_set``)."""

    def __init__(
        self,
        *args: Any,
        provinces: list[Province],
        current: dict[Any, Decimal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.provinces = provinces

        def field(label: Any, value: Decimal | None) -> LocalizedDecimalField:
            found = LocalizedDecimalField(
                label=label,
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                initial=None if value is None else value.normalize(),
            )
            found.widget.attrs["class"] = "form-control form-control-sm text-end"
            return found

        self.fields[COUNTRY_FIELD] = field(_("The whole country"), current.get(None))
        for province in provinces:
            self.fields[province_field(province)] = field(str(province), current.get(province.pk))

    def values(self) -> dict[Province | None, Decimal | None]:
        """The typed targets by place (None: the country), once the form is valid."""
        found: dict[Province | None, Decimal | None] = {None: self.cleaned_data[COUNTRY_FIELD]}
        for province in self.provinces:
            found[province] = self.cleaned_data[province_field(province)]
        return found


class IndicatorAdminForm(forms.ModelForm):
    """An indicator in the back office. The number of months that make a project
    semi-finished is typed in Persian, Arabic-Indic or Latin digits, from 1 to 60, and only
    on the "semi-finished" indicator (which must have one)."""

    stalled_months = LocalizedIntegerField(
        label=_("months without recorded progress"),
        required=False,
        min_value=STALLED_MONTHS[0],
        max_value=STALLED_MONTHS[1],
        error_messages={
            "min_value": _("Enter a number of months from 1 to 60."),
            "max_value": _("Enter a number of months from 1 to 60."),
        },
        help_text=Indicator._meta.get_field("stalled_months").help_text,
    )
    # The order on the dashboards, in any digits too (a number input would empty ۱۲).
    position = LocalizedIntegerField(label=_("position"), min_value=0, max_value=32767, initial=100)

    class Meta:
        model = Indicator
        fields = (
            "key",
            "name",
            "definition",
            "name_en",
            "definition_en",
            "kind",
            "source",
            "measure",
            "filters",
            "numerator",
            "denominator",
            "breakdowns",
            "unit",
            "unit_en",
            "is_public",
            "position",
            "stalled_months",
        )

    def clean_stalled_months(self) -> int | None:
        months = self.cleaned_data.get("stalled_months")
        key = self.cleaned_data.get("key", self.instance.key)
        if key == SEMI_FINISHED and months is None:
            raise forms.ValidationError(
                _("Enter a number of months from 1 to 60."), code="required"
            )
        if key != SEMI_FINISHED and months is not None:
            raise forms.ValidationError(
                _("Only the semi-finished projects indicator has a number of months."),
                code="not_semi_finished",
            )
        return months
