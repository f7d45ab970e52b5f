"""The Jalali (solar Hijri) calendar at the edges: parsing what people type, formatting
what they read, and the Gregorian bounds of Jalali years and months for queries.

Dates are stored as ordinary ``datetime.date`` values; this module is the one place that
converts. Built on ``jdatetime``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

import jdatetime

from .text import to_latin_digits, to_persian_digits

MONTH_NAMES = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip
MONTH_NAMES_LATIN = tuple(jdatetime.date.j_months_en)  # Farvardin … Esfand, for English pages

# ASCII digits only (after folding Persian and Arabic-Indic ones): Python's \d would also
# take fullwidth, superscript and every other Unicode decimal digit.
_DATE_RE = re.compile(
    r"^\s*([0-9]{4})\s*[/\-.]\s*([0-9]{1,2})\s*[/\-.]\s*([0-9]{1,2})\s*$", re.ASCII
)


# What this calendar can hold: Jalali 0001/01/01 (21 March 622) to 9377/12/30 (20 March
# 9999). Python's dates go on to 31 December 9999, but jdatetime's year stops at 9377.
FIRST_DATE = dt.date(622, 3, 21)
LAST_DATE = dt.date(9999, 3, 20)


class JalaliDateError(ValueError):
    """A Jalali date that cannot be read. ``code`` says why: ``format`` or ``nonexistent``."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text


def is_leap(year: int) -> bool:
    return bool(jdatetime.date(year, 1, 1).isleap())


def month_length(year: int, month: int) -> int:
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if is_leap(year) else 29


def parse(text: str) -> dt.date:
    """'1402/05/21' (Persian, Arabic or Latin digits; / - or . between parts) → date.

    Raises JalaliDateError('format') for text that is not a date and
    JalaliDateError('nonexistent') for a date the calendar does not have (1401/12/30) or
    that this calendar cannot hold (year 0, after 9377/12/30); never another exception."""
    match = _DATE_RE.match(to_latin_digits(text or ""))
    if not match:
        raise JalaliDateError("format", text)
    year, month, day = (int(part) for part in match.groups())
    try:
        if not (1 <= month <= 12) or year < 1 or not (1 <= day <= month_length(year, month)):
            raise JalaliDateError("nonexistent", text)
        return jdatetime.date(year, month, day).togregorian()
    except (ValueError, OverflowError) as error:
        # jdatetime stops at Jalali 9377/12/30 (LAST_DATE): a date past it is a date this
        # registry cannot hold, refused like 1401/12/30.
        if isinstance(error, JalaliDateError):
            raise
        raise JalaliDateError("nonexistent", text) from error


def to_jalali(value: dt.date) -> jdatetime.date:
    """date → its Jalali date; JalaliDateError('nonexistent') for a date after LAST_DATE,
    which Python holds and the Jalali calendar library does not."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not FIRST_DATE <= value <= LAST_DATE:
        raise JalaliDateError("nonexistent", value.isoformat())
    return jdatetime.date.fromgregorian(date=value)


def format_date(value: dt.date | None, *, persian_digits: bool = True) -> str:
    """date → '۱۴۰۲/۰۵/۲۱' (or Latin digits)."""
    if value is None:
        return ""
    return _formatted(value, persian_digits)


# A list page shows 50–100 dates, most of them among a few hundred days: each is converted
# once per process (the calendar library reads the process's locale on every conversion).
@functools.lru_cache(maxsize=4096)
def _formatted(value: dt.date, persian_digits: bool) -> str:
    j = to_jalali(value)
    # the year padded to four digits, as ``parse`` reads it (strftime's %Y gives '1/01/01')
    text = f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return to_persian_digits(text) if persian_digits else text


def month_name(month: int, *, latin: bool = False) -> str:
    """1 → 'فروردین' (or 'Farvardin' for an English page)."""
    return (MONTH_NAMES_LATIN if latin else MONTH_NAMES)[month - 1]


def format_long(
    value: dt.date | None, *, persian_digits: bool = True, latin_names: bool = False
) -> str:
    """date → '۲۱ مرداد ۱۴۰۲' (or '21 Mordad 1402' with Latin digits and names)."""
    if value is None:
        return ""
    j = to_jalali(value)
    text = f"{j.day} {month_name(j.month, latin=latin_names)} {j.year}"
    return to_persian_digits(text) if persian_digits else text


def year_of(value: dt.date) -> int:
    return to_jalali(value).year


def year_start(value: dt.date) -> dt.date:
    """1 Farvardin of ``value``'s Jalali year (where a report's yearly flows start)."""
    return year_bounds(year_of(value))[0]


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last Gregorian day of Jalali ``year`` (1 Farvardin – end of Esfand)."""
    first = jdatetime.date(year, 1, 1).togregorian()
    last = jdatetime.date(year, 12, month_length(year, 12)).togregorian()
    return first, last


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = jdatetime.date(year, month, 1).togregorian()
    last = jdatetime.date(year, month, month_length(year, month)).togregorian()
    return first, last


def add_months(value: dt.date, months: int) -> dt.date:
    """The same day ``months`` Jalali months later (or earlier, when negative); the last day
    of the month when that month is shorter (31 Shahrivar + 1 month = 30 Mehr)."""
    j = to_jalali(value)
    index = j.year * 12 + (j.month - 1) + months
    year, month = divmod(index, 12)
    day = min(j.day, month_length(year, month + 1))
    return jdatetime.date(year, month + 1, day).togregorian()


_TEHRAN = ZoneInfo("Asia/Tehran")


def today() -> dt.date:
    """Today's date in Iran's time zone (the reporting calendar's day)."""
    return dt.datetime.now(_TEHRAN).date()
