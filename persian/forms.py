"""Form fields for Persian input: Jalali dates and digits typed in any script."""

from __future__ import annotations

import datetime as dt
import re
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


# What the browser lets through a number field (its ``pattern``): digits in any of the three
# scripts people type (Latin, Persian, Arabic-Indic) and the thousands separators; the server
# reads them (an ``<input type=number>`` would drop Persian digits before the form is sent).
NUMBER_PATTERN = " *-?[0-9۰-۹٠-٩٬, ]+"
AMOUNT_PATTERN = "[0-9۰-۹٠-٩٬, ]+"
DECIMAL_PATTERN = "-?[0-9۰-۹٠-٩]+([.٫/][0-9۰-۹٠-٩]+)?"


class NumericInput(forms.TextInput):
    """A text input for a whole number: a digits keyboard on phones (``inputmode``), Persian,
    Arabic-Indic and Latin digits accepted (``pattern``), read left to right."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "inputmode": "numeric",
            "pattern": NUMBER_PATTERN,
            "dir": "ltr",
            "autocomplete": "off",
        }
        super().__init__({**defaults, **(attrs or {})})


def _typed_number(value: str) -> str:
    """The digits typed, in Latin, without thousands separators or spaces."""
    return to_latin_digits(value).replace("٬", "").replace(",", "").replace(" ", "").strip()


class LocalizedIntegerField(forms.IntegerField):
    """A whole number typed in Persian, Arabic-Indic or Latin digits (thousands separators
    allowed), in a text input: anything else (a decimal point, a word, digits of another
    script) is refused with a message that says which digits are read."""

    widget = NumericInput
    default_error_messages = {
        "invalid": _("Enter a whole number in digits (Persian or Latin), for example 22."),
    }

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = _typed_number(value)
            if value and not re.fullmatch(r"-?[0-9]+", value):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class DecimalInput(NumericInput):
    """A text input for a decimal number (coordinates): the keyboard with a decimal point."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"inputmode": "decimal", "pattern": DECIMAL_PATTERN}
        super().__init__({**defaults, **(attrs or {})})


class LocalizedDecimalField(forms.DecimalField):
    """A decimal number typed in Persian, Arabic-Indic or Latin digits, with a Latin point
    or the Persian decimal separator (٫)."""

    widget = DecimalInput
    default_error_messages = {
        "invalid": _("Enter a number in digits (Persian or Latin), for example 35.6892."),
    }

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _typed_number(value).replace("٫", ".").replace("/", ".")
            if value and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class AmountField(LocalizedIntegerField):
    """An amount of money as a whole number: Persian, Arabic-Indic or Latin digits, with or
    without thousands separators or spaces; never negative, and at least 1 unless told."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
        self.widget.attrs["pattern"] = AMOUNT_PATTERN

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and _typed_number(value).startswith("-"):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class RialsField(AmountField):
    """An amount in rials: anything but digits (a unit written in, a decimal point) is
    refused, so that nobody types tomans or millions into a field that stores rials. The
    page shows the amount in tomans beside the input as it is typed (``data-rials``,
    static/js/app.js)."""

    default_error_messages = {
        "invalid": _("Enter the amount in rials, in digits only (for example 25000000)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The label of the amount in tomans shown under the input (static/js/app.js).
        self.widget.attrs["data-rials"] = _("%(tomans)s tomans")


class NumberedChoiceField(forms.ModelChoiceField):
    """A row chosen by its number typed in a text input (Persian, Arabic-Indic or Latin
    digits), not picked from a list."""

    widget = NumericInput

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _typed_number(value)
        return super().to_python(value)
