"""Keyset ("seek") pages of the finance lists, newest first on (a day, an id): a page reads
the rows after (``?after=``) or before (``?before=``) the last or first row of the page the
link was on, along the list's index, so page 85 costs what page 1 does (an ``OFFSET`` read
and threw away every row before it: 4,200 referrals of a bank for its page 85).

The links say ``page`` too, only to number the page shown ("12 / 85", the number of pages
from the list's count); the rows follow from the cursor alone. A cursor no page wrote is a
404 (like the indicators' event pages, ``indicators.rows.decode_event_cursor``); the
``page`` of an old link without a cursor shows the first page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict

Cursor = tuple[dt.date, int]


def encode(day: dt.date, pk: int) -> str:
    return f"{day.isoformat()}.{pk}"


def decode(token: str) -> Cursor:
    """(day, id) from a cursor a page wrote; 404 for anything else."""
    day, _, pk = token.partition(".")
    try:
        if not (pk.isascii() and pk.isdecimal()) or len(pk) > 19 or int(pk) >= 2**63:
            raise ValueError
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        raise Http404 from None


@dataclass
class SeekPage:
    """A page of a seek list, shaped for ``templates/finance/_seek_pages.html``."""

    object_list: list[Any]
    number: int
    count: int
    size: int
    next_query: str = ""  # the query string of the next page's link ("" when none)
    previous_query: str = ""

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    def has_next(self) -> bool:
        return bool(self.next_query)

    def has_previous(self) -> bool:
        return bool(self.previous_query)

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()


def _number(params: QueryDict) -> int:
    raw = params.get("page", "")
    return int(raw) if raw.isascii() and raw.isdecimal() and len(raw) < 10 else 1


def seek(
    ordered: QuerySet[Any],
    day_field: str,
    pk_field: str,
    params: QueryDict,
    size: int,
    count: int | Callable[[], int],
) -> tuple[list[tuple[dt.date, int]], SeekPage]:
    """The keys (day, id) of the page of ``ordered`` (newest first by ``day_field``,
    ``pk_field``) that ``params`` ask for, and the page (its ``object_list`` empty: the
    caller reads the rows of those keys). ``count``: the list's number of rows, or a
    function counting them (asked once the page is known)."""
    after, before = params.get("after", ""), params.get("before", "")
    keys = ordered.values_list(day_field, pk_field)
    number = _number(params)
    more_before = more_after = False
    found: Sequence[tuple[dt.date, int]]
    if before:
        day, pk = decode(before)
        earlier = Q(**{f"{day_field}__gt": day}) | Q(**{day_field: day, f"{pk_field}__gt": pk})
        # The first condition bounds a range of the list's index, the second trims the
        # ties of the day (as ``enterprises.selectors._seek``).
        found = list(
            keys.filter(**{f"{day_field}__gte": day}).filter(earlier).reverse()[: size + 1]
        )
        if len(found) > size:
            found, more_before, more_after = list(reversed(found[:size])), True, True
        else:  # the first page (shown whole, even when rows came meanwhile)
            found, number = [], 1
            before = ""
    if after and not before:
        day, pk = decode(after)
        later = Q(**{f"{day_field}__lt": day}) | Q(**{day_field: day, f"{pk_field}__lt": pk})
        found = list(keys.filter(**{f"{day_field}__lte": day}).filter(later)[: size + 1])
        more_before = True
    elif not before:
        found = list(keys[: size + 1])
        number = 1
    if not before:
        more_after = len(found) > size
        found = list(found[:size])
    total = count if isinstance(count, int) else count()
    page = SeekPage([], number, total, size)
    number = min(max(number, 2 if more_before else 1), page.num_pages)
    if not more_after:
        number = max(number, page.num_pages)
    page.number = number
    if found and more_after:
        page.next_query = _query(params, "after", encode(*found[-1]), number + 1)
    if found and more_before:
        page.previous_query = _query(params, "before", encode(*found[0]), number - 1)
    return list(found), page


def _query(params: QueryDict, name: str, cursor: str, number: int) -> str:
    query = params.copy()
    for key in ("after", "before", "page"):
        query.pop(key, None)
    query[name] = cursor
    query["page"] = str(number)
    return query.urlencode()
