from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from persian.forms import JalaliDateField, LocalizedDecimalField, LocalizedIntegerField
from pishran.forms import StyledFormMixin

from .models import Park
from .services import PARK_FIELDS


class ParkForm(StyledFormMixin, forms.ModelForm):
    established_on = JalaliDateField(label=_("established on"), required=False)
    plots_total = LocalizedIntegerField(label=_("land plots in total"), min_value=0)
    plots_allocated = LocalizedIntegerField(label=_("land plots allocated"), min_value=0)
    area_ha = LocalizedDecimalField(
        label=_("area (hectares)"), required=False, max_digits=10, decimal_places=2, min_value=0
    )
    latitude = LocalizedDecimalField(
        label=_("latitude"), required=False, max_digits=8, decimal_places=5
    )
    longitude = LocalizedDecimalField(
        label=_("longitude"), required=False, max_digits=8, decimal_places=5
    )

    class Meta:
        model = Park
        fields = PARK_FIELDS

    def _post_clean(self) -> None:
        # The service validates the model (full_clean) and saves with its audit record.
        pass
