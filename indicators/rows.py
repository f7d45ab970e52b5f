"""The rows behind a registry figure (``indicators.views.indicator_rows``), fast at a
million units and three million status events.

* **Today** (the date is today: no event can be dated later) every unit's status, province
  and park are its current columns, filtered through the directory's indexes.
* **A past date**: a unit whose history the person may see (``EnterpriseRules.history_q``)
  is read from its history — its status is its current one when it has not changed since
  the date (``status_since``), otherwise that of its last ``StatusEvent`` up to the date;
  its province and park those of its last ``LocationEvent`` up to the date — each an index
  probe of that one unit. Every other unit, and every unit for the public, is judged by
  what it is today, from its columns.
* **Pages** are keyset pages on the name order (``sort_key``, ``id``): a page reads its
  50 rows and no more, so a page deep in the list costs what the first one does — their
  keys first, along the name index alone, then those 50 units by their ids.
* **The count** is the figure's, read from the facts the card reads (the same number as
  the card), for a person who sees every unit with its history (national staff); for
  anyone else, and where the facts do not carry the page's narrowing, the rows counted
  up to ``COUNT_CAP``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import heapq
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.roles import Role
from accounts.scope import Scope
from enterprises.access import RULES as ENTERPRISE_RULES
from enterprises.models import (
    REVIVAL_FROM,
    Enterprise,
    LocationEvent,
    MeasureEvent,
    SizeBand,
    Status,
    StatusEvent,
    size_band_for,
)
from enterprises.selectors import employees_on, semi_finished_q, size_then, with_progress_then
from exports.tables import escape_text, jalali_date_text
from persian import jalali
from places.models import Park, Province
from sectors.models import IndustryGroup

from . import parkdims, selectors
from .models import Indicator
from .sources import Place, memo

PAGE_SIZE = 50
COUNT_CAP = 1000
COUNT_TTL = 120  # seconds a capped count is reused by the same person's pages


def _history_mode(scope: Scope) -> str:
    """``all``: every visible unit's history is seen (national staff); ``none``: no unit's
    (the public, a person without grants); ``some``: decided unit by unit."""
    if scope.national:
        return "all"
    if not scope.grants:
        return "none"
    return "some"


def units_then(
    scope: Scope,
    as_of: dt.date,
    places_today: bool = False,
    mode: str = "",
    everyone: bool = False,
) -> QuerySet[Enterprise]:
    """The units the person may see, annotated with ``status_then``, ``province_then``,
    ``park_then`` (their status and place at the end of ``as_of``) and ``with_history``
    (whether they were read from the unit's history: outside it, a unit is judged and
    shown by what it is today, so the page never tells a past status or place).
    ``places_today``: every unit's place then is its place today — for the units that
    have not moved since the date (``counted`` says which). ``mode``: as ``_history_mode``
    (by default the person's). ``everyone``: every unit, seen or not — only to count those
    a figure holds that the person's rows do not."""
    mode = mode or _history_mode(scope)
    units = (
        Enterprise.objects.all()
        if everyone
        else Enterprise.objects.filter(scope.visible_q(Enterprise))
    )
    if mode == "all":
        units = units.annotate(with_history=Value(True, output_field=BooleanField()))
    elif mode == "none":
        units = units.annotate(with_history=Value(False, output_field=BooleanField()))
    else:
        units = units.annotate(
            with_history=ExpressionWrapper(
                ENTERPRISE_RULES.history_q(scope), output_field=BooleanField()
            )
        )
    if as_of >= selectors.today() or mode == "none":
        # No event is dated after today: today's columns are the history's answer.
        return units.annotate(
            status_then=F("status"), province_then=F("province_id"), park_then=F("park_id")
        )
    status_events = StatusEvent.objects.filter(enterprise=OuterRef("pk"), date__lte=as_of)
    last_status = Subquery(
        status_events.order_by("-date", "-id").values("to_status")[:1], output_field=CharField()
    )
    # Unchanged since the date: its status then is today's, with no probe of its history.
    from_history = Case(
        When(status_since__lte=as_of, then=F("status")),
        default=last_status,
        output_field=CharField(),
    )
    locations = LocationEvent.objects.filter(enterprise=OuterRef("pk"), date__lte=as_of).order_by(
        "-date", "-id"
    )
    province: Any = Subquery(locations.values("province_id")[:1], output_field=IntegerField())
    park: Any = Subquery(locations.values("park_id")[:1], output_field=IntegerField())
    if places_today:
        province, park = F("province_id"), F("park_id")
    if mode == "all":
        return units.annotate(status_then=from_history, province_then=province, park_then=park)

    def either(history: Any, today: str, field: Any) -> Case:
        return Case(When(with_history=True, then=history), default=F(today), output_field=field)

    return units.annotate(
        status_then=either(from_history, "status", CharField()),
        province_then=either(province, "province_id", IntegerField()),
        park_then=either(park, "park_id", IntegerField()),
    )


@dataclass
class Asked:
    """What a rows page narrows to beyond the indicator's own filters."""

    province_id: int | None = None
    park_id: int | None = None
    status: str = ""
    size: str = ""
    group: str = ""
    park_kind: str = ""  # park / zone / none (outside any park): the park it stood in then
    ownership: str = ""  # state / private: of the park it stood in then

    @property
    def in_parks(self) -> bool:
        """Narrowed by the kind or ownership of the unit's park on the date."""
        return bool(self.park_kind or self.ownership)


def counted(
    indicator: Indicator, scope: Scope, as_of: dt.date, asked: Asked
) -> list[QuerySet[Enterprise]]:
    """The units the figure counted that the person may see, as one to three disjoint
    querysets (their union is the rows, each read in name order).

    For a place on a past date, the units read from their history come in two: those that
    have not moved since the date (no location event after it), whose place then is
    their place today, read through the place's index on the registry; and those that
    have, found from their location event in force that day (``valid_until``: a few
    thousand rows), each read from its history. For a person who sees the history of
    some units only, the others (judged by what they are today) are a third."""
    mode = _history_mode(scope)
    today_there: dict[str, int] = {}
    if mode == "some" and _keeps(scope, asked):
        # An officer's own province (a manager's own park): every unit there today is in
        # their full scope, and a unit elsewhere today is judged by today's place — so the
        # rows are the units there today, each read from its history.
        mode = "all"
        today_there = (
            {"province_id": asked.province_id}
            if asked.province_id is not None
            else {"park_id": int(asked.park_id or 0)}
        )
    past = as_of < selectors.today() and mode != "none"
    placed = asked.province_id is not None or asked.park_id is not None or asked.in_parks
    if not (past and placed):
        return [_narrow(units_then(scope, as_of, mode=mode), indicator, mode, asked, as_of)]
    later = LocationEvent.objects.filter(enterprise=OuterRef("pk"), date__gt=as_of)
    stayed: Any = units_then(scope, as_of, places_today=True, mode="all").filter(~Exists(later))
    moved: Any = _moved(scope, as_of, asked, "all")
    others: list[QuerySet[Enterprise]] = []
    if mode == "some":
        # The units outside the person's full scope are judged by what they are today: a
        # branch of their own, narrowed by today's columns through the registry's indexes
        # (as the public's), read before the others (a capped count often stops there);
        # the units in it are read from their history as national staff's are.
        history = ENTERPRISE_RULES.history_q(scope)
        as_today = units_then(scope, as_of, mode="none").exclude(history)
        others = [_narrow(as_today, indicator, "none", asked, as_of)]
        stayed, moved = stayed.filter(history), moved.filter(history)
    # The units that have moved since stood in the place that day by construction.
    return [
        *others,
        _narrow(stayed.filter(**today_there), indicator, "all", asked, as_of),
        _narrow(moved.filter(**today_there), indicator, "all", asked, as_of, place_known=True),
    ]


def _moved(
    scope: Scope, as_of: dt.date, asked: Asked, mode: str, everyone: bool = False
) -> QuerySet[Enterprise]:
    """The units that stood in the place asked on ``as_of`` and have moved since, from
    their location event in force that day."""
    closed = LocationEvent.objects.filter(
        valid_until__isnull=False, date__lte=as_of, valid_until__gt=as_of
    )
    if asked.park_id is not None:
        closed = closed.filter(park_id=asked.park_id)
    if asked.province_id is not None:
        closed = closed.filter(province_id=asked.province_id)
    if asked.in_parks:
        closed = closed.filter(_in_parks_q(asked, "park_id"))
    return units_then(scope, as_of, mode=mode, everyone=everyone).filter(
        pk__in=closed.values("enterprise_id")
    )


def count_of(
    indicator: Indicator,
    scope: Scope,
    as_of: dt.date,
    asked: Asked,
    figure: int | None,
    branches: list[QuerySet[Enterprise]],
    key: str,
) -> tuple[int, bool]:
    """How many rows the person may see (and whether that is only a lower bound). From
    the figure (``figure_of``) when the person sees every unit it counted (national
    staff), or all but those that have left their province or park since the date (an
    officer's own province, a manager's own park: those are counted, a few hundred at
    most); otherwise the rows counted up to ``COUNT_CAP``."""
    mode = _history_mode(scope)
    if figure is not None and mode == "all":
        return figure, False
    if figure is not None and mode == "some" and _keeps(scope, asked):
        if as_of >= selectors.today():
            return figure, False
        there = (
            {"province_id": asked.province_id}
            if asked.province_id is not None
            else {"park_id": asked.park_id}
        )
        gone = _narrow(
            _moved(scope, as_of, asked, "all", everyone=True), indicator, "all", asked, as_of
        )
        with _walking_the_index():
            return figure - gone.exclude(**there).count(), False
    return capped_count(branches, scope, key)


def _keeps(scope: Scope, asked: Asked) -> bool:
    """Whether the place asked is one the person keeps whole (every unit there today is in
    their full scope): an officer's province, a park manager's park."""
    if asked.province_id is not None:
        return asked.province_id in scope.places(Role.PROVINCIAL_OFFICER)
    if asked.park_id is not None:
        return asked.park_id in scope.places(Role.PARK_MANAGER)
    return False


def _narrow(
    units: Any,
    indicator: Indicator,
    mode: str,
    asked: Asked,
    as_of: dt.date,
    place_known: bool = False,
) -> Any:
    f = indicator.filters
    if as_of >= selectors.today() or mode == "none":
        # Today's columns first: PostgreSQL checks the cheap conditions before the probes.
        if f.get("size"):
            units = units.filter(size_band__in=f["size"])
        if asked.size:
            units = units.filter(size_band=asked.size)
    elif f.get("size") or asked.size:
        # The band of that date's head count (the card's), for a unit read from its history.
        band: Any = size_then(as_of)
        if mode != "all":
            band = Case(When(with_history=True, then=band), default=F("size_band"))
        units = units.annotate(size_then=band)
        if f.get("size"):
            units = units.filter(size_then__in=f["size"])
        if asked.size:
            units = units.filter(size_then=asked.size)
    if f.get("semi_finished"):  # that day's progress, from the history
        units = with_progress_then(units, as_of).filter(semi_finished_q(as_of))
    if asked.group:
        units = units.filter(industry_group__key=asked.group)
    if asked.province_id is not None and mode != "all":
        # A unit judged by what it is today was there that day only if it is there today:
        # said first, so that PostgreSQL reads the province's units by its index.
        units = units.filter(Q(province_id=asked.province_id) | Q(with_history=True))
    if asked.park_id is not None and mode != "all":
        units = units.filter(Q(park_id=asked.park_id) | Q(with_history=True))
    if asked.in_parks and mode != "all":
        units = units.filter(_in_parks_q(asked, "park_id") | Q(with_history=True))
    # One condition on the status then: PostgreSQL probes the history once per condition.
    if asked.status and f.get("status") and asked.status not in f["status"]:
        units = units.none()
    elif asked.status:
        units = units.filter(status_then=asked.status)
    elif f.get("status"):
        units = units.filter(status_then__in=f["status"])
    else:
        units = units.filter(status_then__isnull=False)
    if "in_park" in f:
        units = units.filter(park_then__isnull=not f["in_park"])
    if place_known:
        return units
    if asked.province_id is not None:
        units = units.filter(province_then=asked.province_id)
    if asked.park_id is not None:
        units = units.filter(park_then=asked.park_id)
    if asked.in_parks:
        # A large group is said of ``park_then + 0``, not of the column: PostgreSQL would
        # otherwise read every unit of the group's parks by the park index and sort them
        # (4 s for the private parks' idle units on a past date), where walking the name
        # order stops after a page. A small one (fewer units than the square root of 51
        # times the place's: reading them all costs less than walking the name order
        # past the others) by the column; outside parks too (the park index's entries
        # without a park are in name order).
        if _small_group(asked):
            return units.filter(_in_parks_q(asked, "park_then"))
        if asked.park_kind == parkdims.OUTSIDE[0] and not asked.ownership:
            # Not ``IS NULL`` on the column: PostgreSQL 15 does not take the park index's
            # entries without a park as in name order, and reads all those after the cursor.
            nowhere = Coalesce(F("park_then"), 0, output_field=IntegerField())
            return units.annotate(park_group=nowhere).filter(park_group=0)
        group = ExpressionWrapper(F("park_then") + 0, output_field=IntegerField())
        units = units.annotate(park_group=group).filter(_in_parks_q(asked, "park_group"))
    return units


def _small_group(asked: Asked) -> bool:
    """The park kind × ownership group asked holds few units of the place today (the facts:
    no count of the registry)."""
    place = Place("p", asked.province_id) if asked.province_id is not None else Place("c")
    found = parkdims.cells(place, selectors.today())
    group = parkdims.value(found, asked.park_kind, asked.ownership, None)
    return group * group < (PAGE_SIZE + 1) * parkdims.value(found, "", "", None)


def _in_parks_q(asked: Asked, field: str) -> Q:
    """``field`` (a park) is of the kind and ownership asked; outside any park for the kind
    "none" (no ownership then)."""
    if asked.park_kind == parkdims.OUTSIDE[0]:
        return Q(**{f"{field}__isnull": True}) if not asked.ownership else Q(pk__in=[])
    parks = parkdims.park_ids(asked.park_kind, asked.ownership, asked.province_id)
    return Q(**{f"{field}__in": parks}) if parks else Q(pk__in=[])


def figure_of(indicator: Indicator, as_of: dt.date, asked: Asked) -> int | None:
    """How many units the figure counts there (the card's number for ``units``; for
    ``jobs`` the units behind it), read from the facts; None when the facts do not carry
    the page's narrowing (several breakdowns at once, or one the indicator has not)."""
    if asked.province_id is not None and asked.park_id is not None:
        return None
    if asked.in_parks:
        if asked.park_id is not None or asked.size or asked.group:
            return None
        where = Place("p", asked.province_id) if asked.province_id is not None else Place("c")
        return parkdims.figure(
            indicator, where, as_of, asked.park_kind, asked.ownership, asked.status
        )
    place = (
        Place("p", asked.province_id)
        if asked.province_id is not None
        else Place("k", asked.park_id)
        if asked.park_id is not None
        else Place("c")
    )
    units = indicator
    if indicator.measure != "units":
        units = Indicator(
            pk=None,
            key=f"{indicator.key}:units",
            source=indicator.source,
            measure="units",
            kind=Indicator.Kind.COUNT,
            filters=indicator.filters,
            breakdowns=indicator.breakdowns,
        )
    narrow = [(d, v) for d, v in (("status", asked.status), ("size", asked.size)) if v]
    if asked.group:
        group = memo(
            ("group-ids",), lambda: dict(IndustryGroup.objects.values_list("key", "pk"))
        ).get(asked.group)
        if group is None:
            return 0
        narrow.append(("group", str(group)))
    if len(narrow) > 1:
        return None
    if narrow:
        dim, value = narrow[0]
        if dim not in indicator.breakdowns:
            return None
        return int(selectors.breakdown(units, place, as_of, dim).get(value, 0) or 0)
    total = selectors.value_of(units, place, as_of)
    return None if total is None else int(total)


def units_there(
    province: str, park_id: int | None, status: str, size: str, group: str
) -> int | None:
    """How many units there are today with these filters (every unit, whoever asks), from
    the facts of the figure ``units``; None where the facts do not carry the filters. The
    figure and the provinces are kept per figures version: no query once they are."""
    kept = memo(("units-there",), _units_and_provinces)
    if kept is None:
        return None
    indicator, provinces = kept
    province_id = provinces.get(province) if province else None
    if province and province_id is None:
        return None
    asked = Asked(province_id=province_id, park_id=park_id, status=status, size=size, group=group)
    return figure_of(indicator, selectors.today(), asked)


def _units_and_provinces() -> tuple[Indicator, dict[str, int]] | None:
    indicator = Indicator.objects.filter(key="units", source="registry").first()
    if indicator is None:
        return None
    return indicator, dict(Province.objects.values_list("code", "pk"))


def encode_cursor(unit: Enterprise) -> str:
    raw = f"{unit.sort_key}\x1f{unit.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[str, int]:
    """(sort_key, id) from a page link's cursor; 404 for one no page wrote."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        key, pk = raw.split("\x1f")
        if "\x00" in key or not (pk.isascii() and pk.isdecimal()) or int(pk) >= 2**63:
            raise ValueError
        return key, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Http404 from None


@dataclass
class Page:
    rows: list[Enterprise]
    next_cursor: str
    prev_cursor: str


@contextmanager
def _walking_the_index() -> Iterator[None]:
    """PostgreSQL planning these queries as what they are: a walk along an index in name
    order that stops after a page (or after ``COUNT_CAP`` rows). Their per-unit probes of
    the history make the planner's estimates useless — it guesses a handful of matching
    rows, so it would fetch a whole province by bitmap and sort it (1.1 s for a deep page
    of the largest province at a million units), and, the costs being huge, compile the
    query (JIT: 270 ms) to save a few milliseconds; nor with parallel workers, whose start
    costs more than a page's walk (a page's keys read in the name index alone looked cheap
    enough to share: 22 ms before the first row). For this transaction only (SET LOCAL)."""
    with _set_local(
        "jit = off",
        "enable_bitmapscan = off",
        "enable_seqscan = off",
        "max_parallel_workers_per_gather = 0",
    ):
        yield


@contextmanager
def _set_local(*settings: str) -> Iterator[None]:
    """PostgreSQL's planner ``settings`` for a transaction of its own (nothing elsewhere)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting}")
        yield


def page_of(
    branches: list[QuerySet[Enterprise]], after: str = "", before: str = "", size: int = PAGE_SIZE
) -> Page:
    """One page of the union of ``branches`` in name order after (or before) a cursor:
    keyset paging, so a deep page reads its own rows only (at most a page and one row of
    each branch)."""

    with _walking_the_index():
        return _page_of(branches, after, before, size)


def chunks_of(
    branches: list[QuerySet[Enterprise]], as_of: dt.date, chunk: int = 1000
) -> Iterator[list[Row]]:
    """Every row of the union of ``branches`` in name order with its columns, ``chunk``
    rows at a time, read by the same keyset pages as the page (a download: memory holds
    one chunk, however long the list)."""
    after = ""
    while True:
        page = page_of(branches, after=after, size=chunk)
        yield described(page.rows, as_of)
        if not page.next_cursor:
            return
        after = page.next_cursor


DOWNLOAD_CHUNK = 5000  # rows fetched from the server-side cursor at a time
DOWNLOAD_FIRST = 100  # rows read along the name index before the rest's one read
DOWNLOAD_WORK_MEM = "64MB"  # for the rest's sort (a national list: ~90 MB on disk otherwise)


def download_rows(
    branches: list[QuerySet[Enterprise]], as_of: dt.date, today_mark: str
) -> Iterator[tuple[Any, ...]]:
    """Every row of the union of ``branches`` in name order as the download's cells (name,
    status then, since, province then, park then, kind, ownership, employees, size: the
    cell rules of ``exports.tables.cell_value`` already applied), for a national list of
    600,000 rows at well over 50,000 rows a second.

    Where ``chunks_of`` reads keyset pages of model instances and describes each page, this
    reads each branch through one server-side cursor (``iterator``) as plain tuples with
    the status's start computed in SQL, in one read-only snapshot (the branches and every
    chunk agree: REPEATABLE READ), and merges the branches in Python (they are disjoint,
    each in name order). The labels are looked up in dictionaries made once, here, in the
    language of the request; a Jalali date is converted once per distinct day."""
    parks = {
        pk: (escape_text(p["name"]), str(Park.Kind(p["kind"]).label), _ownership(p["ownership"]))
        for pk, p in _parks().items()
    }
    names = {pk: escape_text(name) for pk, name in _province_names().items()}
    statuses = {value: str(label) for value, label in Status.choices}
    today = {value: f"{label} ({today_mark})" for value, label in statuses.items()}
    sizes = {value: str(label) for value, label in SizeBand.choices}
    empty = ("", "", "")
    past = as_of < selectors.today()
    fields = (
        *("sort_key", "id", "name", "status_then", "since_then", "province_then"),
        *("park_then", "employees_then" if past else "employees", "size_band", "with_history"),
    )
    readers = [
        _annotated_since(_employees_then(units, as_of) if past else units, as_of)
        .order_by("sort_key", "id")
        .values_list(*fields)
        for units in branches
    ]
    band = {n: sizes[size_band_for(n)] for n in range(100)}  # a band per head count, kept

    def cells() -> Iterator[tuple[Any, ...]]:
        jalali_of: dict[dt.date, str] = {}
        with _one_snapshot() as planned:
            streams = _read_fast(readers, planned) if past else _read_along(readers, planned)
            merged = heapq.merge(*streams) if len(streams) > 1 else streams[0]
            for _key, _pk, name, status, since, province, park, employees, size, known in merged:
                if known and since is not None and since <= as_of:
                    day = jalali_of.get(since)
                    if day is None:
                        day = jalali_of[since] = jalali_date_text(since)
                else:
                    day = None
                if past and known:  # the head count and band of that date (``described``)
                    size = band.get(employees) or sizes[size_band_for(employees)]
                else:
                    size = sizes.get(size, size)
                yield (
                    escape_text(name),
                    (statuses if known else today).get(status, status),
                    day,
                    names.get(province, ""),
                    *parks.get(park, empty),
                    employees,
                    size,
                )

    return cells()


def _employees_then(units: QuerySet[Enterprise], as_of: dt.date) -> QuerySet[Enterprise]:
    """``employees_then``: the head count recorded last up to ``as_of`` (before the first,
    the first, as the facts and ``employees_on`` count it) for the units whose history the
    person sees; today's for the others (the public sees a unit as it is today)."""
    recorded = MeasureEvent.objects.filter(
        enterprise=OuterRef("pk"), employees__isnull=False
    ).values("employees")
    return units.annotate(
        employees_then=Case(
            When(
                with_history=True,
                then=Coalesce(
                    Subquery(recorded.filter(date__lte=as_of).order_by("-date", "-id")[:1]),
                    Subquery(recorded.order_by("date", "id")[:1]),
                    F("employees"),
                ),
            ),
            default=F("employees"),
            output_field=IntegerField(),
        )
    )


def _read_fast(readers: list[Any], planned: Any) -> list[Iterator[tuple[Any, ...]]]:
    """Each branch's rows in name order: its first ``DOWNLOAD_FIRST`` read along the name
    index at once (as a page is: the first row leaves within a second whatever the list),
    the rest through one server-side cursor planned for the whole list — on a past date,
    reading the registry in one sweep and sorting what it keeps is several times faster
    than walking the index of a million units in name order (7 s against 36 s for the
    country's active units on 1398/12/29)."""
    firsts = []
    with planned("first"):
        for units in readers:
            firsts.append(list(units[:DOWNLOAD_FIRST]))
    streams: list[Iterator[tuple[Any, ...]]] = []
    with planned("rest"):
        for units, first in zip(readers, firsts, strict=True):
            rest: Any = ()
            if len(first) == DOWNLOAD_FIRST:
                key, pk = first[-1][:2]
                rest = (
                    units.filter(sort_key__gte=key)
                    .filter(Q(sort_key__gt=key) | Q(id__gt=pk))
                    .iterator(chunk_size=DOWNLOAD_CHUNK)
                )
            streams.append(itertools.chain(first, rest))
    return streams


def _read_along(readers: list[Any], planned: Any) -> list[Iterator[tuple[Any, ...]]]:
    """Each branch's rows of today (no history read) through one server-side cursor along
    the name index, which carries every column read (``ent_sort``): the rows leave in the
    index's order as it is read, with no row of the registry fetched and no sort — a
    sweep and a sort of the registry (``_read_fast``) kept PostgreSQL busy for seconds
    under load and held the national list under 50,000 rows a second."""
    with planned("walk"):
        return [units.iterator(chunk_size=DOWNLOAD_CHUNK) for units in readers]


def _ownership(value: str) -> str:
    return str(dict(Park.Ownership.choices).get(value, value))


def _annotated_since(units: QuerySet[Enterprise], as_of: dt.date) -> QuerySet[Enterprise]:
    """``units`` with ``since_then``: the day their status then began, as ``described``
    reads it (the status's start when it has not changed since the date, else the day of
    its last event up to the date), for the units read from their history."""
    since: Any = F("status_since")
    if as_of < selectors.today():
        last = StatusEvent.objects.filter(enterprise=OuterRef("pk"), date__lte=as_of)
        since = Case(
            When(status_since__lte=as_of, then=F("status_since")),
            default=Subquery(last.order_by("-date", "-id").values("date")[:1]),
            output_field=DateField(),
        )
    return units.annotate(
        since_then=Case(When(with_history=True, then=since), default=None, output_field=DateField())
    )


@contextmanager
def _one_snapshot() -> Iterator[Any]:
    """One read-only REPEATABLE READ transaction (a download's reads see one state of the
    registry), planned without JIT (compiling saves nothing on a read that starts at once).
    Inside a transaction already begun (a test), a savepoint. Yields ``planned(step)``: a
    context for the first rows (walk the name index, as ``_walking_the_index``), the rest
    (the plan fastest for the whole list, with room to sort it in memory) or a whole list
    read along the name index (``walk``)."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            yield lambda step: contextlib.nullcontext()
        return
    outer = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if not outer:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SET LOCAL jit = off")

        @contextmanager
        def planned(step: str) -> Iterator[None]:
            walk = "off" if step in ("first", "walk") else "on"
            cursor.execute(f"SET LOCAL enable_seqscan = {walk}")
            cursor.execute(f"SET LOCAL enable_bitmapscan = {walk}")
            if step == "walk":  # the whole list along the index, never sorted again
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
                cursor.execute("SET LOCAL enable_sort = off")
            if step == "rest":
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
                cursor.execute(f"SET LOCAL work_mem = '{DOWNLOAD_WORK_MEM}'")
                # The name index carries the list's columns (``_read_along``), so walking it
                # looks cheap; with a probe of the history per unit in name order it is not
                # (66 s against 7-10 s for the country's active units on 1398/12/29).
                cursor.execute("SET LOCAL enable_indexonlyscan = off")
            yield

        yield planned


@contextmanager
def _in_name_order(units: QuerySet[Enterprise]) -> Iterator[None]:
    """A branch narrowed to a large park kind × ownership group (``park_group``) read by
    walking the name order with no sort: the planner, misjudging how many units the group
    holds, would otherwise read the whole registry by another index and sort it (3.9 s for
    the units outside parks on a past date). Inside ``_walking_the_index``'s transaction."""
    if connection.vendor != "postgresql" or "park_group" not in units.query.annotations:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        try:
            yield
        finally:
            cursor.execute("SET LOCAL enable_sort = on")


def _page_of(
    branches: list[QuerySet[Enterprise]], after: str, before: str, size: int = PAGE_SIZE
) -> Page:
    def order(unit: dict[str, Any]) -> tuple[str, int]:
        return unit["sort_key"], unit["id"]

    if before:
        key, pk = decode_cursor(before)
        found: list[dict[str, Any]] = []
        for units in branches:
            seek = units.filter(sort_key__lte=key).filter(Q(sort_key__lt=key) | Q(id__lt=pk))
            with _in_name_order(units):
                found += _keys(seek.order_by("-sort_key", "-id"), size + 1)
        found.sort(key=order, reverse=True)
        more_before = len(found) > size
        rows = _units_of(list(reversed(found[:size])))
        return Page(
            rows,
            encode_cursor(rows[-1]) if rows else "",
            encode_cursor(rows[0]) if rows and more_before else "",
        )
    found = []
    for units in branches:
        if after:
            key, pk = decode_cursor(after)
            units = units.filter(sort_key__gte=key).filter(Q(sort_key__gt=key) | Q(id__gt=pk))
        with _in_name_order(units):
            found += _keys(units.order_by("sort_key", "id"), size + 1)
    found.sort(key=order)
    more_after = len(found) > size
    rows = _units_of(found[:size])
    return Page(
        rows,
        encode_cursor(rows[-1]) if rows and more_after else "",
        encode_cursor(rows[0]) if rows and after else "",
    )


def _keys(units: QuerySet[Enterprise], size: int) -> list[dict[str, Any]]:
    """The first ``size`` of ``units`` (ordered) as their key, name order and annotations
    (the status and place then, ...): no other column of the registry, so that PostgreSQL
    walks the name order in the name index alone (``ent_sort`` carries every column the
    narrowings test) and fetches no unit it passes over — for a small park kind ×
    ownership group on a past date, 25,000 units read from the table for a page (78 ms,
    twice that beside other work), 9 ms from the index."""
    names = [name for name in units.query.annotations if name not in ("sort_key", "id")]
    return list(units.values("id", "sort_key", *names)[:size])


def _units_of(keys: list[dict[str, Any]]) -> list[Enterprise]:
    """The units of a page's ``keys`` (``_keys``) in their order, each with its
    annotations: one read by the primary key. A unit deleted between the two reads is
    left out."""
    found = Enterprise.objects.in_bulk([k["id"] for k in keys])
    out = []
    for k in keys:
        unit = found.get(k["id"])
        if unit is None:
            continue
        for name, value in k.items():
            if name not in ("id", "sort_key"):
                setattr(unit, name, value)
        out.append(unit)
    return out


def capped_count(branches: list[QuerySet[Enterprise]], scope: Scope, key: str) -> tuple[int, bool]:
    """How many rows the person may see, counted up to ``COUNT_CAP`` (and whether there
    are more), reused for ``COUNT_TTL`` seconds by the same scope's pages of ``key``."""
    cache_key = (
        "indicator-rows-count:"
        + hashlib.sha256(
            repr((scope.national, sorted(scope.grants, key=repr), key)).encode()
        ).hexdigest()
    )
    found = cache.get(cache_key)
    if found is None:
        found = 0
        with _walking_the_index():
            for units in branches:
                if found <= COUNT_CAP:
                    found += units.order_by().values("id")[: COUNT_CAP + 1 - found].count()
        cache.set(cache_key, found, COUNT_TTL)
    return min(found, COUNT_CAP), found > COUNT_CAP


@dataclass
class Row:
    """One row of a rows page or its download: the unit with what people check beside it.
    ``since`` (the day its status then began) only for a unit read from its history: for
    any other it would tell a past date of its history."""

    unit: Enterprise
    status: str
    since: dt.date | None
    province: str
    park: str
    park_kind: str
    ownership: str
    size: str
    employees: int = 0


def described(units: list[Enterprise], as_of: dt.date) -> list[Row]:
    """The columns of a page's (or a download chunk's) units, read for those units only: on
    a past date, one query for the day their status then began (the parks and provinces
    are kept lists)."""
    parks = _parks()
    since: dict[int, dt.date] = {}
    probe = [
        u.pk
        for u in units
        if u.with_history and u.status_since is not None and u.status_since > as_of  # type: ignore[attr-defined]
    ]
    if probe:
        # The units whose status has changed since the date: the day of their last event
        # up to it (a page's few units; their events are read by the unit's index).
        for pk, day in (
            StatusEvent.objects.filter(enterprise_id__in=probe, date__lte=as_of)
            .order_by("enterprise_id", "date", "id")
            .values_list("enterprise_id", "date")
        ):
            since[pk] = day
    names = _province_names()
    statuses, kinds = dict(Status.choices), dict(Park.Kind.choices)
    ownerships, sizes = dict(Park.Ownership.choices), dict(SizeBand.choices)
    then = employees_on(
        [(u, as_of) for u in units if u.with_history and as_of < selectors.today()]  # type: ignore[attr-defined]
    )
    out = []
    for u in units:
        park = parks.get(u.park_then)  # type: ignore[attr-defined]
        employees = then.get(u.pk, u.employees)
        when = None
        if u.with_history:  # type: ignore[attr-defined]
            when = since.get(u.pk) if u.pk in since else u.status_since
            if when is not None and when > as_of:
                when = None  # no event up to the date (a unit registered that day or later)
        out.append(
            Row(
                unit=u,
                status=str(statuses.get(u.status_then, u.status_then)),  # type: ignore[attr-defined]
                since=when,
                province=names.get(u.province_then, ""),  # type: ignore[attr-defined]
                park=park["name"] if park else "",
                park_kind=str(kinds[park["kind"]]) if park else "",
                ownership=str(ownerships[park["ownership"]]) if park else "",
                size=str(sizes[size_band_for(employees)]),
                employees=employees,
            )
        )
    return out


def _parks() -> dict[int, dict[str, Any]]:
    """Every park's name, kind and ownership (a few thousand), kept until the figures
    version changes (saving a park starts a new one): a page's parks cost no query."""
    return memo(  # type: ignore[no-any-return]
        ("park-columns",),
        lambda: {p["pk"]: p for p in Park.objects.values("pk", "name", "kind", "ownership")},
    )


def _province_names() -> dict[int, str]:
    return memo(  # type: ignore[no-any-return]
        ("province-names",), lambda: dict(Province.objects.values_list("pk", "name_fa"))
    )


# --- flows: the revivals and the operating permits of the year to the date -------------------

FLOWS = selectors.FLOWS


def revivals(scope: Scope, as_of: dt.date, asked: Asked) -> list[Any]:
    """The revivals counted from 1 Farvardin of the date's year to the date (status events
    idle or semi-active → active; a unit revived twice is two rows), at the place where the
    unit stood that day, as the facts count them: one or two disjoint querysets of status
    events (``flow_page`` reads their ids newest first and describes the page's rows).
    Only the units whose history the person sees: an event is history (the public and
    anyone else get the figure alone).

    For a place, as ``permit_branches``: the revivals of the units there today that have
    not moved since the revival's day (read along the revivals' date index, joined to the
    unit by its key: no per-row history probe), and those of the units that have moved
    since and stood there that day (a few, found from their closed location events there,
    each placed from its history)."""
    start = jalali.year_start(as_of)
    base: Any = StatusEvent.objects.filter(
        date__range=(start, as_of),
        to_status=Status.ACTIVE,
        from_status__in=sorted(REVIVAL_FROM),
    ).annotate(day=F("date"), unit_id=F("enterprise_id"))
    if not scope.national:
        # The units whose history the person sees (they see every one of those): their
        # place and key, read from the place's index on the registry without the row.
        base = base.filter(ENTERPRISE_RULES.history_q(scope, "enterprise__"))
    if asked.province_id is None and asked.park_id is None:
        return [base]
    field, value = (
        ("park_id", asked.park_id)
        if asked.park_id is not None
        else ("province_id", asked.province_id)
    )
    moved_since = Exists(
        LocationEvent.objects.filter(
            enterprise=OuterRef("enterprise_id"), date__gt=OuterRef("date")
        )
    )
    stayed = base.filter(**{f"enterprise__{field}": value}).filter(~moved_since)
    closed = LocationEvent.objects.filter(
        valid_until__isnull=False, valid_until__gt=start, date__lte=as_of, **{field: value}
    )
    moved = base.filter(enterprise_id__in=closed.values("enterprise_id")).filter(moved_since)
    then = "park_then" if field == "park_id" else "province_then"
    return [stayed, _placed_then(moved).filter(**{then: value})]


def permit_branches(scope: Scope, as_of: dt.date, asked: Asked) -> list[QuerySet[Enterprise]]:
    """The units whose operating permit is dated from 1 Farvardin of the date's year to the
    date, at the place where they stood that day, as one or two disjoint querysets in name
    order (for ``page_of``): the units that have not moved since the permit's day stood
    there where they stand today (read through the place's index on the registry); those
    that have (a few percent, found from their closed location events there) are placed
    from their history."""
    start = jalali.year_start(as_of)
    base: Any = Enterprise.objects.filter(permit_date__range=(start, as_of)).annotate(
        day=F("permit_date"), unit_id=F("pk")
    )
    if not scope.national:
        base = base.filter(ENTERPRISE_RULES.history_q(scope))  # those they see (``revivals``)
    if asked.province_id is None and asked.park_id is None:
        return [_placed_then(base)]
    field, value = (
        ("park_id", asked.park_id)
        if asked.park_id is not None
        else ("province_id", asked.province_id)
    )
    closed = LocationEvent.objects.filter(valid_until__isnull=False)
    # Moved since the permit's day: a location event replaced after that day.
    moved_since = Exists(
        closed.filter(enterprise=OuterRef("pk"), valid_until__gt=OuterRef("permit_date"))
    )
    # The others stood that day where they stand today (a permit dated before the unit's
    # registration included: it counts where the unit was first registered).
    stayed = base.filter(**{field: value}).filter(~moved_since)
    stayed = stayed.annotate(province_then=F("province_id"), park_then=F("park_id"))
    # Those that moved since and stood in the place that day had an event there, closed
    # since, in force on a day of the year to the date: a few hundred rows, read by the
    # closed events' index on the place.
    there = closed.filter(**{field: value}, date__lte=as_of, valid_until__gt=start)
    moved = base.filter(pk__in=there.values("enterprise_id"))
    then = "park_then" if field == "park_id" else "province_then"
    return [stayed, _placed_then(moved.filter(moved_since)).filter(**{then: value})]


def _placed_then(rows: Any) -> Any:
    """``rows`` (with ``unit_id`` and ``day``) annotated with the province and park where
    the unit stood that day: its location event then, or its first one (a permit dated
    before the unit's registration), as the facts count them."""
    then = LocationEvent.objects.filter(enterprise=OuterRef("unit_id"), date__lte=OuterRef("day"))
    then = then.order_by("-date", "-id")
    first = LocationEvent.objects.filter(enterprise=OuterRef("unit_id")).order_by("date", "id")
    return rows.annotate(
        province_then=Coalesce(
            Subquery(then.values("province_id")[:1]), Subquery(first.values("province_id")[:1])
        ),
        park_then=Case(
            When(
                Exists(then),
                then=Subquery(then.values("park_id")[:1], output_field=IntegerField()),
            ),
            default=Subquery(first.values("park_id")[:1], output_field=IntegerField()),
            output_field=IntegerField(),
        ),
    )


@dataclass
class FlowRow:
    unit: Enterprise
    day: dt.date
    before: str  # the status it was revived from; "" for a permit
    province: str
    park: str
    park_kind: str
    ownership: str
    size: str
    employees: int = 0


def flow_page(branches: list[Any], after: str = "") -> tuple[list[FlowRow], str]:
    """The page of the revivals ``branches`` (newest first) after the cursor ``after`` (the
    day and id of the last row of the page before: keyset, so a deep page reads its own
    rows), with their columns, and the cursor of the next page ("" when none follows).
    Each branch gives the page's ids along the revivals' date index; the page's rows are
    then read by their keys and placed where they stood that day."""
    bound = decode_event_cursor(after) if after else None
    found = _revivals_after(branches, bound, PAGE_SIZE + 1)
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    following = f"{found[-1].day.isoformat()}.{found[-1].pk}" if more else ""
    return flow_described(found), following


def _revivals_after(branches: list[Any], bound: tuple[dt.date, int] | None, size: int) -> list[Any]:
    keys: list[tuple[dt.date, int]] = []
    # Without JIT (it would cost more than the read) nor parallel workers (each would
    # read ahead a page's worth of a walk that stops after a page).
    with _set_local("jit = off", "max_parallel_workers_per_gather = 0"):
        for rows in branches:
            if bound is not None:
                rows = _after_event(rows, *bound)
            keys += rows.order_by("-date", "-id").values_list("date", "id")[:size]
    keys = sorted(keys, reverse=True)[:size]
    rows = _placed_then(
        StatusEvent.objects.filter(pk__in=[pk for _day, pk in keys])
        .annotate(day=F("date"), unit_id=F("enterprise_id"))
        .select_related("enterprise")
    )
    return sorted(rows, key=lambda r: (r.day, r.pk), reverse=True)


def _after_event(rows: Any, day: dt.date, pk: int) -> Any:
    """The rows after (older than) the event (``day``, ``pk``) in newest-first order. The
    bound ``day <= day`` is said on its own: PostgreSQL starts the date index's walk there
    (an OR of two conditions bounds no index, so a deep page walked every newer event)."""
    return rows.filter(day__lte=day).filter(Q(day__lt=day) | Q(day=day, pk__lt=pk))


def decode_event_cursor(token: str) -> tuple[dt.date, int]:
    """(day, id) from an events page's cursor; 404 for one no page wrote."""
    day, _, pk = token.partition(".")
    try:
        if not (pk.isascii() and pk.isdecimal()) or int(pk) >= 2**63:
            raise ValueError
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        raise Http404 from None


def flow_described(found: list[Any]) -> list[FlowRow]:
    parks = _parks()
    names = _province_names()
    statuses, kinds = dict(Status.choices), dict(Park.Kind.choices)
    ownerships, sizes = dict(Park.Ownership.choices), dict(SizeBand.choices)
    units = [(r.enterprise if isinstance(r, StatusEvent) else r, r.day) for r in found]
    then = employees_on([(u, day) for u, day in units if day is not None])
    out = []
    for r in found:
        unit = r.enterprise if isinstance(r, StatusEvent) else r
        park = parks.get(r.park_then)
        employees = then.get(unit.pk, unit.employees)
        out.append(
            FlowRow(
                unit=unit,
                day=r.day,
                before=str(statuses.get(r.from_status, "")) if isinstance(r, StatusEvent) else "",
                province=names.get(r.province_then, ""),
                park=park["name"] if park else "",
                park_kind=str(kinds[park["kind"]]) if park else "",
                ownership=str(ownerships[park["ownership"]]) if park else "",
                size=str(sizes[size_band_for(employees)]),
                employees=employees,
            )
        )
    return out


def permit_chunks(
    branches: list[QuerySet[Enterprise]], chunk: int = 1000
) -> Iterator[list[FlowRow]]:
    """Every permit of ``branches`` with its columns, in name order, ``chunk`` at a time."""
    after = ""
    while True:
        page = page_of(branches, after=after, size=chunk)
        yield flow_described(page.rows)
        if not page.next_cursor:
            return
        after = page.next_cursor


def flow_chunks(branches: list[Any], chunk: int = 1000) -> Iterator[list[FlowRow]]:
    """Every revival of ``branches`` with its columns, newest first, ``chunk`` at a time
    (a download)."""
    bound: tuple[dt.date, int] | None = None
    while True:
        found = _revivals_after(branches, bound, chunk)
        if not found:
            return
        yield flow_described(found)
        bound = (found[-1].day, found[-1].pk)
        if len(found) < chunk:
            return
