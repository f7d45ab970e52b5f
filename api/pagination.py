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
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
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


def page(
    qs: QuerySet[Any], cursor: str | None, limit: int | None, walk: str = ""
) -> tuple[list[Any], str | None]:
    """One page of ``qs`` after ``cursor``, and the cursor of the next (None: the last).
    ``walk``: read it as a walk along an index (``walking_the_index``)."""
    return pages([qs], cursor, limit, walk)


# A branch of ``pages``: a queryset, or a function making it from the bound its ids must
# stay under (None: no bound yet), for a branch whose query is cheaper the fewer rows it
# may hold (a list of ids it picks from); None when no row of it can be on the page (not
# even compiled: the history's annotations cost a few ms of CPU to compile).
Branch = QuerySet[Any] | Callable[[int | None], QuerySet[Any] | None]


class Ahead:
    """A read a page's branches pick from (the ids of the units moved since the date, of
    the cases transferred since), made before them: ``rows()``, the values of ``fields``
    of ``qs`` — numbers (ids) —, one value a row for a single field, else a tuple, in the
    order of ``order``. ``pages`` sends it in the round trip of the walk's planner
    settings on PostgreSQL (``walking_the_index``), as one JSON array: one wait for the
    database less on a loaded machine. Read alone when nothing sent it."""

    def __init__(self, qs: QuerySet[Any], *fields: str, order: tuple[str, ...] = ()) -> None:
        self.fields, self.order = fields, order
        self.qs = qs.order_by(*order).values_list(*fields, flat=len(fields) == 1)
        self._inner = qs.order_by().values_list(*fields, *order)
        self._rows: list[Any] | None = None

    def rows(self) -> list[Any]:
        if self._rows is None:
            self._rows = list(self.qs)
        return self._rows

    def _sql(self) -> tuple[str, tuple[Any, ...]]:
        """A scalar subquery answering the rows as one JSON array (of values, or of arrays
        of values)."""
        sql, params = self._inner.query.get_compiler(connection=connection).as_sql()
        quote = connection.ops.quote_name
        values = ", ".join(f"s.{quote(name)}" for name in self.fields)
        row = values if len(self.fields) == 1 else f"json_build_array({values})"
        order = ", ".join(f"s.{quote(name)}" for name in self.order)
        agg = f"json_agg({row} ORDER BY {order})" if order else f"json_agg({row})"
        return f"(SELECT coalesce({agg}, '[]') FROM ({sql}) s)", tuple(params)

    def _fill(self, answer: list[Any] | str) -> None:
        # Text when the driver leaves JSON undecoded.
        values: list[Any] = json.loads(answer) if isinstance(answer, str) else answer
        self._rows = values if len(self.fields) == 1 else [tuple(row) for row in values]


def pages(
    branches: list[Branch],
    cursor: str | None,
    limit: int | None,
    walk: str = "",
    ahead: tuple[Ahead, ...] = (),
) -> tuple[list[Any], str | None]:
    """One page of the union of disjoint ``branches`` in id order: at most a page and one
    row read from each (a deep page reads its own rows only), merged. Once the branches
    read have a page and one rows, the next ones read only ids below the last of those
    (no row above it can be on the page): a later branch usually reads a handful.
    ``ahead``: reads the branches make first, sent with the walk's settings."""
    size = page_size(limit)
    after = decode(cursor) if cursor else None
    found: list[Any] = []
    with walking_the_index(walk, ahead) if walk else _nothing():
        for branch in branches:
            bound = found[size].pk if len(found) > size else None
            qs = branch(bound) if callable(branch) else branch
            if qs is None:
                continue
            if after is not None:
                qs = qs.filter(pk__gt=after)
            if bound is not None:
                qs = qs.filter(pk__lt=bound)
            found += qs.order_by("pk")[: size + 1]
            found.sort(key=lambda row: row.pk)
    more = len(found) > size
    rows = found[:size]
    return rows, encode(rows[-1].pk) if more and rows else None


@contextmanager
def _nothing() -> Iterator[None]:
    yield


INDEX = "index"  # along any index the planner picks (a place's ``(place, id)``, the pk)
ID_ORDER = "id"  # along the primary key itself: never a sort of the candidates


@contextmanager
def walking_the_index(how: str = INDEX, ahead: tuple[Ahead, ...] = ()) -> Iterator[None]:
    """PostgreSQL planning a list judged row by row from the history (``as_of``) as what
    it is: a walk in id order along the primary key or a place's ``(place, id)`` index
    that stops after a page. The per-row probes of the history make its estimates useless
    (it guesses a handful of matching rows), so it would fetch every candidate by bitmap
    and sort them (0.8–6 s for an officer's province at a million units) and compile the
    query (JIT). ``ID_ORDER`` forbids the sort too, where the planner would read the
    candidates by another index in another order (a province's cases newest first) and
    sort them. For this transaction only (SET LOCAL); as ``indicators.rows`` does.
    The ``ahead`` reads go in the same statement (planned before the settings apply, as
    when read alone)."""
    if connection.vendor != "postgresql":
        yield
        return
    settings = ["jit", "enable_bitmapscan", "enable_seqscan"]
    if how == ID_ORDER:
        settings.append("enable_sort")
    reads = [read for read in ahead if read._rows is None]
    columns = [f"set_config('{name}', 'off', true)" for name in settings]
    params: list[Any] = []
    for read in reads:
        sql, read_params = read._sql()
        columns.append(sql)
        params += read_params
    with transaction.atomic(), connection.cursor() as cursor:
        # SET LOCAL of each (set_config's third argument: local) and the reads, in one
        # round trip.
        cursor.execute("SELECT " + ", ".join(columns), params)
        answered = cursor.fetchone()[len(settings) :]
        for read, objects in zip(reads, answered, strict=True):
            read._fill(objects)
        yield
