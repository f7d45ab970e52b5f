"""A table as every export format sees it, and the conversion of its cells.

A view builds one ``Table`` (translated labels, typed columns, rows as mappings, possibly
a generator) and hands it to ``exports.responses.export_response``. The writers share the
cell rules below, so CSV and XLSX never disagree:

- numbers (``int``, ``decimal``, ``percent``) stay numbers, with Latin digits; a percent
  is a ratio (0.253 is 25.3%);
- ``date`` and ``datetime`` become Jalali text with Latin digits (``1403/12/30``,
  ``1403/12/30 14:05`` in Iran's time), because no spreadsheet stores Jalali dates;
- text that a spreadsheet would run as a formula is escaped with a leading apostrophe.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from persian import jalali

KINDS = ("text", "int", "decimal", "percent", "date", "datetime")
NUMERIC_KINDS = frozenset({"int", "decimal", "percent"})

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google
# Sheets (OWASP "CSV injection"); tab and carriage return hide the sign behind blanks.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML 1.0 cannot carry (an XLSX cannot hold them; openpyxl refuses).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # already translated, shown as header
    kind: str = "text"  # "text" | "int" | "decimal" | "percent" | "date" | "datetime"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; one of {KINDS}")


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: Iterable[Mapping[str, Any]]  # may be a generator (large directory exports)
    filename: str  # ASCII slug without extension, e.g. "province-IR-25-units"
    as_of: dt.datetime | None = None  # shown as "as of <Jalali date time>" in every format
    filters: list[tuple[str, str]] = field(default_factory=list)  # (label, value) lines
    source_url: str = ""  # where the numbers come from (absolute path), shown in the file
    # The rows are tuples of cells in column order, each already as ``cell_value`` makes it
    # (None, a number, or safe text: ``escape_text``, Jalali text for dates): the writers
    # take them as they are. For downloads of a million rows, where converting each cell
    # again costs more than reading it.
    prepared: bool = False


def escape_text(text: str) -> str:
    """Text that cannot run as a formula: ``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``.
    Control characters go first, so none can hide a formula sign behind it."""
    text = CONTROL_CHARACTERS.sub("", text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def jalali_date_text(value: dt.date | dt.datetime) -> str:
    """'1403/12/30' (Latin digits: sortable as text and read by any program)."""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    # Formatted here rather than by jdatetime's strftime, which consults the C locale on
    # every call and would dominate a million-row export.
    j = jalali.to_jalali(value)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


def jalali_datetime_text(value: dt.datetime | dt.date) -> str:
    """'1403/12/30 14:05' in the site's time zone (Iran), Latin digits."""
    if not isinstance(value, dt.datetime):
        return jalali_date_text(value)
    local = _local(value)
    return f"{jalali_date_text(local)} {local:%H:%M}"


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _as_number(value: Any, kind: str) -> int | float | Decimal | None:
    """The number in ``value`` (a number or numeric text) or None if it holds none."""
    if _is_number(value):
        return int(value) if kind == "int" and float(value).is_integer() else value
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        return int(number) if kind == "int" and number == number.to_integral_value() else number
    return None


def cell_value(value: Any, kind: str) -> str | int | float | Decimal | None:
    """One cell as the writers store it: None (empty), a number, or safe text."""
    if value is None or value == "":
        return None
    if kind in NUMERIC_KINDS:
        number = _as_number(value, kind)
        if number is not None:
            return number
    elif kind == "date" and isinstance(value, dt.date):
        return jalali_date_text(value)
    elif kind == "datetime" and isinstance(value, dt.date):
        return jalali_datetime_text(value)
    elif kind == "text" and _is_number(value):
        return value
    if isinstance(value, bool):
        value = _("yes") if value else _("no")
    return escape_text(str(value))
