"""Helpers for the view tests: reading pages as a user reads them, and building the POST
data a browser would send.

Pages
    ``page(response)`` is the HTML as text; ``shows(html, value)`` says whether a value
    is on the page in Latin or Persian digits (the Persian UI writes identifiers and
    numbers in Persian digits); ``field_errors(response)`` names the fields marked with
    an error (``data-field-error``); ``directory_ids(response)`` lists the units of a
    directory page in order; ``link(html, rel)`` follows the Next/Previous links.

Forms
    ``jalali_text(date)`` types a date as people do (``1403/01/15``, Persian digits with
    ``persian=True``); ``profile_post_data(enterprise, **changes)`` and
    ``park_post_data(park, **changes)`` are the forms as a browser submits them for the
    current values, with ``changes`` applied (``None`` leaves a field out).

Nothing changed
    ``registry_state()`` is everything a refused request must leave as it was: the row
    counts of ``tests.factories.row_counts`` plus every unit's current values, status
    events and location events.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

from enterprises.models import Enterprise, LocationEvent, StatusEvent
from enterprises.services import PROFILE_FIELDS
from persian import jalali
from persian.text import to_persian_digits
from places.models import Park
from places.services import PARK_FIELDS
from tests.factories import days_ago, get_isic, legal_id, row_counts

LOGIN_PATH = "/accounts/login/"

# --- reading pages ------------------------------------------------------------------------


def page(response: HttpResponse) -> str:
    return response.content.decode()


def shows(html: str, value: str) -> bool:
    """``value`` is on the page, in Latin or in Persian digits."""
    return value in html or to_persian_digits(value) in html


_FIELD_ERROR = re.compile(r'data-field-error="([\w-]+)"')


def field_errors(response: HttpResponse) -> set[str]:
    """The names of the fields shown with an error message."""
    return set(_FIELD_ERROR.findall(page(response)))


_ROW = re.compile(r'data-testid="directory-row">\s*<td><a href="/enterprises/(\d+)/">')


def directory_ids(response: HttpResponse) -> list[int]:
    """The ids of the units listed on a directory page (or fragment), in order."""
    return [int(pk) for pk in _ROW.findall(page(response))]


_COUNT = re.compile(r'data-testid="result-count">(.*?)</span>', re.S)


def result_count_text(response: HttpResponse) -> str:
    match = _COUNT.search(page(response))
    assert match, "the directory shows no result count"
    return match.group(1)


def link(html: str, rel: str) -> str | None:
    """The href of the ``<a … rel="…">`` link (Next / Previous), unescaped, or None."""
    for tag in re.findall(r"<a\s[^>]*>", html):
        if f'rel="{rel}"' in tag:
            match = re.search(r'href="([^"]*)"', tag)
            assert match
            return html_lib.unescape(match.group(1))
    return None


def is_login_redirect(response: HttpResponse, path: str) -> bool:
    return response.status_code == 302 and response["Location"] == (
        f"{LOGIN_PATH}?next={quote(path)}"
    )


# --- typing into forms ---------------------------------------------------------------------


def jalali_text(value: dt.date, *, persian: bool = False) -> str:
    return jalali.format_date(value, persian_digits=persian)


def _form_value(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None  # an unticked box is not sent
    if isinstance(value, dt.date):
        return jalali_text(value)
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def _post_data(values: dict[str, Any], changes: dict[str, Any]) -> dict[str, str]:
    data: dict[str, str] = {}
    for name, value in {**values, **changes}.items():
        if name in changes and changes[name] is None:
            continue
        text = value if isinstance(value, str) else _form_value(value)
        if text is not None:
            data[name] = text
    return data


def profile_post_data(enterprise: Enterprise, **changes: Any) -> dict[str, str]:
    """The enterprise form as a browser submits it, for the current values (and the
    version it was opened at)."""
    values = {name: getattr(enterprise, name) for name in (*PROFILE_FIELDS, "version")}
    return _post_data(values, changes)


def park_post_data(park: Park, **changes: Any) -> dict[str, str]:
    """The park form as a browser submits it, for the current values."""
    values = {name: getattr(park, name) for name in PARK_FIELDS}
    return _post_data(values, changes)


# --- nothing changed -------------------------------------------------------------------------


def registry_state() -> dict[str, Any]:
    """What a refused request must leave as it was."""
    return {
        **row_counts(),
        "units": list(
            Enterprise.objects.order_by("pk").values_list(
                "pk",
                "name",
                "legal_id",
                "products",
                "mobile",
                "published",
                "status",
                "status_since",
                "province_id",
                "park_id",
            )
        ),
        "status_events": list(
            StatusEvent.objects.order_by("pk").values_list("pk", "date", "to_status", "reason")
        ),
        "location_events": list(
            LocationEvent.objects.order_by("pk").values_list("pk", "date", "province_id", "park_id")
        ),
        "park_rows": list(
            Park.objects.order_by("pk").values_list("pk", "name", "province_id", "specialty")
        ),
    }


def enterprise_create_post_data(
    province: Any, park: Park | None, /, **changes: Any
) -> dict[str, str]:
    """The "register an enterprise" form as a browser submits it: a valid unit in
    ``province`` (and ``park``), active since 30 days ago, typed with Persian digits."""
    division = get_isic("10")
    values: dict[str, Any] = {
        "name": "صنایع تازه‌وارد",
        "legal_id": legal_id(),
        "business_id": "",
        "permit_number": "۱۲۳/پ",
        "isic_division": division.pk,
        "industry_group": division.group.pk if division.group else "",
        "employees": "۱۲",
        "construction_progress": "۰",
        "products": "قطعات فلزی",
        "province": province.code,
        "park": str(park.pk) if park is not None else "",
        "status": "active",
        "status_date": jalali_text(days_ago(30), persian=True),
        "reason": "ثبت در سامانه",
    }
    return _post_data(values, changes)


def field_error_text(response: HttpResponse, name: str) -> str:
    """The error message shown under field ``name`` (empty if none)."""
    pattern = rf'data-field-error="{re.escape(name)}">(.*?)</div>'
    return " ".join(re.findall(pattern, page(response), re.S))
