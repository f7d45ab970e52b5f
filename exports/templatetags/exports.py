"""``{% export_url "xlsx" %}``: the current page's URL with ``export=<fmt>`` added, every
other GET parameter (the filters) kept, so a download holds what the page shows."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from exports.tables import Column
from persian.templatetags.persian import digits, jdate, jdatetime, num, percent

register = template.Library()

LABELS = {"xlsx": "Excel (XLSX)", "csv": "CSV", "pdf": "PDF"}


@register.simple_tag(takes_context=True)
def export_url(context: dict[str, Any], fmt: str) -> str:
    request = context.get("request")
    params = request.GET.copy() if request is not None else None
    if params is None:
        return f"?export={fmt}"
    params["export"] = fmt
    return "?" + params.urlencode()


@register.filter
def export_formats(formats: str) -> list[tuple[str, str]]:
    """ "xlsx,csv" → [("xlsx", "Excel (XLSX)"), ("csv", "CSV")] (unknown names dropped)."""
    names = [name.strip() for name in (formats or "xlsx,csv").split(",")]
    return [(name, LABELS[name]) for name in names if name in LABELS and name != "pdf"]


@register.simple_tag
def display_cell(row: Any, column: Column) -> str:
    """A table's cell for people (a PDF or a page): Persian digits and separators in
    Persian, Jalali dates, a percent as ۲۵٫۳٪, "—" for nothing."""
    value = row.get(column.key)
    if value is None or value == "":
        return "—"
    if column.kind in ("int", "decimal"):
        return num(value)
    if column.kind == "percent":
        try:
            return percent(round(float(value) * 100, 1))
        except (TypeError, ValueError):
            return digits(value)
    if column.kind == "date":
        return jdate(value)
    if column.kind == "datetime":
        return jdatetime(value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value)
