"""Dates at the API's edge: ``as_of`` read as Jalali or ISO, and every date answered as
ISO plus its Jalali text (Latin digits, ``1403-05-12``, which ``as_of`` reads back).

A four-digit year below 1600 is Jalali (``1403-05-12``, ``1403/5/12``, Persian digits
too); from 1600 on it is Gregorian ISO (``2024-08-02``). Jalali 1600 is Gregorian 2221,
so the two never meet in a registry's dates."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _

from persian.jalali import FIRST_DATE, LAST_DATE, format_date, parse
from persian.text import to_latin_digits

from .errors import ApiError, invalid

_ISO = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$", re.ASCII)
FIRST_GREGORIAN_YEAR = 1600


def parse_as_of(text: str | None) -> dt.date | None:
    """``as_of`` → a date (None when not given); 422 ``invalid_date`` otherwise."""
    if text is None or not text.strip():
        return None
    try:
        return read_date(text)
    except ValueError as error:
        raise _not_a_date(text[:40]) from error


def read_date(text: str) -> dt.date:
    """A date typed as Jalali (year below 1600, any digits) or Gregorian ISO; ValueError
    when it is neither or the calendar lacks the day."""
    latin = to_latin_digits(text.replace("\x00", "")).strip()
    iso = _ISO.match(latin)
    if iso and int(iso.group(1)) >= FIRST_GREGORIAN_YEAR:
        value = dt.date(*(int(part) for part in iso.groups()))
        if not FIRST_DATE <= value <= LAST_DATE:
            raise ValueError(text)
        return value
    return parse(latin)  # JalaliDateError is a ValueError


def _not_a_date(text: str) -> ApiError:
    return invalid(
        "invalid_date",
        "as_of",
        _("as_of must be a date, Jalali (1403-05-12) or ISO (2024-08-02), that the calendar has."),
        text,
    )


def jalali(value: dt.date | None) -> str | None:
    """A date's Jalali text with Latin digits (``1403-05-12``), None for no date."""
    if value is None:
        return None
    return format_date(value, persian_digits=False).replace("/", "-")
