"""Template filters for Persian display: digits, numbers and Jalali dates.

Registered as builtins in settings, so every template can use them without ``{% load %}``.
Digits become Persian only when the active language is Persian."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from persian import jalali
from persian.text import to_persian_digits

register = template.Library()


def _fa() -> bool:
    return (get_language() or "fa").startswith("fa")


@register.filter
def digits(value: Any) -> str:
    """Any value as text, with Persian digits in the Persian UI."""
    text = "" if value is None else str(value)
    return to_persian_digits(text) if _fa() else text


@register.filter
def num(value: Any) -> str:
    """A number with thousands separators: ۱۲٬۳۴۵ in Persian, 12,345 in English."""
    if value is None or value == "":
        return "—"
    try:
        text = f"{int(value):,}" if float(value).is_integer() else f"{float(value):,.1f}"
    except (TypeError, ValueError):
        return digits(value)
    if _fa():
        return to_persian_digits(text.replace(",", "٬").replace(".", "٫"))
    return text


@register.filter
def percent(value: Any) -> str:
    """A share in percent points (0–100) with the language's sign: ۲۵٫۳٪ in Persian, 25.3%
    in English; "—" for nothing."""
    if value is None or value == "":
        return "—"
    return num(value) + ("٪" if _fa() else "%")


@register.filter
def rials(value: Any) -> str:
    """An amount stored in rials, with its toman equivalent beside it (a toman is ten
    rials): «۱۲٬۰۰۰٬۰۰۰ ریال (۱٬۲۰۰٬۰۰۰ تومان)»."""
    if value is None or value == "":
        return "—"
    from django.utils.translation import gettext

    return gettext("%(rials)s rials (%(tomans)s tomans)") % {
        "rials": num(value),
        "tomans": num(int(value) // 10) if int(value) % 10 == 0 else num(int(value) / 10),
    }


@register.filter
def jdate(value: dt.date | dt.datetime | None) -> str:
    """A date (or the local date of a datetime) in the Jalali calendar: ۱۴۰۲/۰۵/۲۱."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return jalali.format_date(value, persian_digits=_fa())


@register.filter
def jdatetime(value: dt.datetime | None) -> str:
    """A moment as Jalali date and local time: ۱۴۰۲/۰۵/۲۱ ۱۴:۳۰."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    text = f"{jalali.format_date(local.date(), persian_digits=False)} {local:%H:%M}"
    return to_persian_digits(text) if _fa() else text


@register.filter
def jlong(value: dt.date | None) -> str:
    """A date written out: ۲۱ مرداد ۱۴۰۲."""
    if value is None:
        return ""
    return jalali.format_long(value, persian_digits=_fa(), latin_names=not _fa())
