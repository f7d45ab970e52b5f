"""The targets form: one indicator's targets for a Jalali year, the country's and each
province's, typed in Persian, Arabic-Indic or Latin digits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from persian.forms import LocalizedDecimalField
from places.models import Province

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
