"""Cursor pages of the API's lists: the rows in id order, ``limit`` of them (capped at
``settings.PISHRAN_API_MAX_PAGE_SIZE``), and ``next_cursor`` to ask for the rest.

Written here rather than with ninja's ``CursorPagination``: that one seeks on the first
ordering field plus an offset among equal values, which shifts when rows are added or
removed meanwhile, and passes the cursor's position to the query unchecked (text for an
integer column is a server error). A keyset on the primary key is exact, costs one
indexed range scan per page however deep, and a row written meanwhile never repeats or
hides another. The cursor is opaque to callers (base64 of the last id seen).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .errors import invalid

_MAGIC = "id:"


def wrap(text: str) -> str:
    """An opaque cursor holding ``text`` (URL-safe base64, no padding)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def unwrap(cursor: str) -> str | None:
    """The text a cursor of ``wrap`` holds; None when it is not one."""
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def not_a_cursor() -> Exception:
    return invalid(
        "invalid_cursor",
        "cursor",
        _("The cursor is not one this API gave; start again without it."),
    )


def encode(last_id: int) -> str:
    return wrap(f"{_MAGIC}{last_id}")


def decode(cursor: str) -> int:
    raw = unwrap(cursor) or ""
    digits = raw.removeprefix(_MAGIC)
    if raw.startswith(_MAGIC) and digits.isascii() and digits.isdecimal() and len(digits) < 20:
        if (last_id := int(digits)) < 2**63:  # what a database's id column holds
            return last_id
    raise not_a_cursor()


def page_size(limit: int | None) -> int:
    if limit is None:
        return settings.PISHRAN_API_PAGE_SIZE
    return max(1, min(limit, settings.PISHRAN_API_MAX_PAGE_SIZE))


def page(qs: QuerySet[Any], cursor: str | None, limit: int | None) -> tuple[list[Any], str | None]:
    """One page of ``qs`` after ``cursor``, and the cursor of the next (None: the last)."""
    size = page_size(limit)
    if cursor:
        qs = qs.filter(pk__gt=decode(cursor))
    rows = list(qs.order_by("pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode(rows[-1].pk) if more and rows else None
