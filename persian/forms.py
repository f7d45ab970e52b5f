"""Form fields for Persian input: Jalali dates and digits typed in any script."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import jalali
from .text import to_latin_digits


class JalaliDateInput(forms.TextInput):
    """A text input that shows and takes a Jalali date; ``data-jdp`` turns on the picker."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "data-jdp": "",
            "placeholder": "۱۴۰۳/۰۱/۱۵",
            "autocomplete": "off",
            "inputmode": "numeric",
            "dir": "ltr",
        }
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return jalali.format_date(value, persian_digits=False)
        return super().format_value(value)


class JalaliDateField(forms.Field):
    """Takes '1403/01/15' (Persian, Arabic or Latin digits) and gives a ``date``."""

    widget = JalaliDateInput
    # The format, shown under the field and read with it (aria-describedby): dates are
    # typed; the calendar is only a help beside the input.
    default_help_text = _("year/month/day, e.g. 1403/01/15")
    default_error_messages = {
        "format": _("Enter a Jalali date as year/month/day, for example 1403/01/15."),
        "nonexistent": _("%(value)s is not a date in the Jalali calendar."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", self.default_help_text)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return jalali.parse(str(value))
        except jalali.JalaliDateError as exc:
            raise forms.ValidationError(
                self.error_messages[exc.code], code=exc.code, params={"value": value}
            ) from exc


class DigitsCharField(forms.CharField):
    """A CharField that accepts Persian or Arabic-Indic digits and stores Latin ones.

    Digits of any other script (superscripts, fullwidth, Devanagari…) are refused: they
    look like numbers but no validator or database lookup reads them as such."""

    default_error_messages = {
        "digits": _("Use only Latin, Persian or Arabic-Indic digits."),
    }

    def to_python(self, value: Any) -> str:
        text = to_latin_digits(super().to_python(value) or "").strip()
        if any(ch.isdigit() and not ch.isascii() for ch in text):
            raise forms.ValidationError(self.error_messages["digits"], code="digits")
        return text


class LocalizedIntegerField(forms.IntegerField):
    """An IntegerField that accepts Persian or Arabic-Indic digits."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = to_latin_digits(value).replace("٬", "").replace(",", "").strip()
        return super().to_python(value)


class RialsField(forms.IntegerField):
    """An amount in rials, as integers: Persian, Arabic-Indic or Latin digits, with or without
    thousands separators; anything else (a unit written in, a decimal point) is refused, so
    that nobody types tomans or millions into a field that stores rials."""

    default_error_messages = {
        "invalid": _("Enter the amount in rials, in digits only (for example 25000000)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "numeric", "dir": "ltr", "autocomplete": "off"})

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = (
                to_latin_digits(value).replace("٬", "").replace(",", "").replace(" ", "").strip()
            )
            if value and not (value.isascii() and value.isdigit()):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
