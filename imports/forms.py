from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pishran.forms import StyledFormMixin
from places.models import Province

from .columns import TARGETS
from .models import ImportJob


class UploadForm(StyledFormMixin, forms.Form):
    target = forms.ChoiceField(
        label=_("the file holds"),
        choices=ImportJob.Target.choices,
        initial=ImportJob.Target.UNITS,
        required=False,  # units, as before this choice existed
        help_text=_("Each kind of file has its own sample below."),
    )
    province = forms.ModelChoiceField(
        label=_("province"),
        queryset=Province.objects.none(),
        help_text=_("The province whose register this is; every row must be of it."),
    )
    file = forms.FileField(
        label=_("file"),
        help_text=_("An Excel (.xlsx) or CSV (UTF-8) file; the first row names the columns."),
    )

    def __init__(self, *args: Any, provinces: QuerySet[Province], national: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["province"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = provinces
        if national:
            field.required = False
            field.empty_label = str(_("Every province, as each row says"))
        else:  # an officer imports into one of their provinces: no empty choice
            field.empty_label = None


class MappingForm(StyledFormMixin, forms.Form):
    """One choice per field: which column of the file fills it, or none."""

    def __init__(
        self, *args: Any, headers: list[str], target: str = "units", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *((str(i), h) for i, h in enumerate(headers))]
        for spec in TARGETS[target]:
            self.fields[spec.key] = forms.ChoiceField(
                label=spec.label,
                choices=choices,
                required=spec.required,
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def mapping(self) -> dict[str, int]:
        return {key: int(value) for key, value in self.cleaned_data.items() if value != ""}
