"""Where indicator values come from. A source computes the measures it names and is
registered with ``register(source)`` (``indicators.base``): the registry and the parks
register here, the cluster programme's source (``indicators.clusters``) from
``IndicatorsConfig.ready``. Figures are kept in memory per figures version (``memo``); the
indicators' subscriptions to the domain events start a new version (``apps.py``). See
``docs/indicators.md``, "Add an indicator"."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import fields, is_dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Q

from enterprises.models import stalled_by
from persian.jalali import today
from pishran.events import Event
from pishran.replicas import on_primary

from . import facts

# Re-exported: pages, selectors and tests name places and sources from here.
from .base import COUNTRY as COUNTRY
from .base import Number as Number
from .base import Place as Place
from .base import Source as Source
from .base import all_sources as all_sources
from .base import register as register
from .base import source_for as source_for

# --- the registry ----------------------------------------------------------------------------

# The figures versions: rows of ``FiguresVersion``, read again at most every VERSION_TTL
# seconds per process; a bump in this process is seen here at once. Row ALL changes with
# anything that may change any figure (a rebuild, the catalogue, targets, parks, the
# clusters', cases' and consortia's events, a unit with cases); a registry change applied to
# the facts changes only row NATION and the rows PROVINCE + id of the provinces it touched
# (a park's through its province). A figure of a province or of one of its parks (its key
# holds that ``Place``) is kept under (ALL, its province's row); every other figure (the
# country's, the ranking, anything not of one place) under (ALL, NATION), so it changes with
# every edit. An edit in Qom thus leaves Isfahan's figures and pages, and its parks', as
# they were.
ALL, NATION, PROVINCE = 1, 2, 1000
VERSION_TTL = 0.25
# A figure computed for an earlier version is still served for this long after it was
# computed (unless this process made the change): under a stream of edits each process
# recomputes a figure at most twice a second, and a change still shows within a second.
STALE_OK = 0.5
_local: dict[str, Any] = {"value": None, "read_at": 0.0, "bumped_at": 0.0}


def _versions() -> dict[int, int]:
    now = time.monotonic()
    if _local["value"] is None or now - _local["read_at"] > VERSION_TTL:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, value FROM indicators_figuresversion")
            rows = {int(pk): int(value) for pk, value in cursor.fetchall()}
        _local["value"], _local["read_at"] = rows, now
    return _local["value"]  # type: ignore[no-any-return]


def _version(province: int | None = None) -> str:
    """The version of the figures of ``province`` and its parks, or (None) of the others."""
    versions = _versions()
    scoped = versions.get(NATION if province is None else PROVINCE + province, 0)
    return f"{versions.get(ALL, 0)}.{scoped}"


def bump_version(provinces: Collection[int] | None = None) -> None:
    """A new figures version: of every figure, or (``provinces``) of these provinces' and
    their parks' figures and of the national ones. A fresh number (never one an earlier
    version had, even one that a rolled-back transaction wrote)."""
    value = time.time_ns()
    rows = [ALL] if provinces is None else [NATION, *(PROVINCE + p for p in sorted(provinces))]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO indicators_figuresversion (id, value) VALUES "
            + ", ".join(["(%s, %s)"] * len(rows))
            + " ON CONFLICT (id) DO UPDATE SET value = excluded.value",
            [x for row in rows for x in (row, value)],
        )
    versions = {**_versions(), **dict.fromkeys(rows, value)}
    _local["value"], _local["read_at"] = versions, time.monotonic()
    _local["bumped_at"] = _local["read_at"]


def figures_changed(event: Event) -> None:
    """A subscriber (after commit) to every event that changes what figures are computed
    from or shown with: a new figures version (``IndicatorsConfig.ready`` lists them), of
    the provinces a registry change touched or else of every figure."""
    bump_version(_provinces_changed(event))


def _provinces_changed(event: Event) -> set[int] | None:
    """The provinces whose figures ``event`` may change, None for any figure: a registry
    change applied to the facts names the places its difference touched, unless the unit
    has cases (their facts, recomputed with it, may lie elsewhere: ``casefacts``)."""
    from cases.models import Case

    from .events import FactsApplied

    if not isinstance(event, FactsApplied) or not event.places:
        return None
    if Case.objects.filter(enterprise_id=event.enterprise_id).exists():
        return None
    provinces: set[int] = set()
    for level, place in event.places:
        if level == "p":
            provinces.add(place)
        elif level == "k":
            province = province_of_park(place)
            if province is None:
                return None
            provinces.add(province)
    return provinces


# Parks' and provinces' ids, read again when row ALL changes (a park or a province saved).
_PLACES: dict[str, Any] = {"for": None, "parks": {}, "codes": {}}


def _places() -> dict[str, Any]:
    from places.models import Park, Province

    current = _versions().get(ALL, 0)
    if _PLACES["for"] != current:
        _PLACES.update(
            parks=dict(Park.objects.values_list("pk", "province_id")),
            codes=dict(Province.objects.values_list("code", "pk")),
        )
        _PLACES["for"] = current
    return _PLACES


def province_of_park(park: Any) -> int | None:
    try:
        return _places()["parks"].get(int(park))  # type: ignore[no-any-return]
    except (TypeError, ValueError):
        return None


def province_by_code(code: Any) -> int | None:
    return _places()["codes"].get(str(code).upper())  # type: ignore[no-any-return]


def province_of(place: Place | None) -> int | None:
    """The province whose version a place's figures are kept under (None: national)."""
    if place is None or place.level not in ("p", "k"):
        return None
    return place.id if place.level == "p" else province_of_park(place.id)


def _province_of(key: tuple) -> int | None:
    """The province whose version a figure is kept under (None: the national one)."""
    return province_of(next((part for part in key if isinstance(part, Place)), None))


SEMI_FINISHED = "semi-finished"


def stalled_months() -> int:
    """The agency's number of months without recorded progress that make a project
    semi-finished: the "semi-finished" indicator's, kept per figures version (an edit of the
    indicator starts a new one). Provided to ``enterprises.models.stalled_months``."""
    return memo(("stalled-months",), _stalled_months)  # type: ignore[no-any-return]


def _stalled_months() -> int:
    from enterprises.models import SEMI_FINISHED_STALLED_MONTHS

    from .models import Indicator

    months = (
        Indicator.objects.filter(key=SEMI_FINISHED).values_list("stalled_months", flat=True).first()
    )
    return months or SEMI_FINISHED_STALLED_MONTHS


def forget() -> None:
    """Drop every figure kept in this process (tests, between databases)."""
    _MEMO.clear()
    _PAGES.clear()
    _KINDS.clear()
    _PLACES["for"] = None
    _local["value"], _local["bumped_at"] = None, 0.0


# (place, kind) → [(dim, value, status, units, jobs)]
Cells = dict[tuple[int, str], list[tuple[str, str, str, int, int]]]

# Figures already computed in this process, for the current facts version. Kept in memory
# as Python objects (not pickled through the cache: a province table is ~100,000 cells).
_MEMO: OrderedDict[tuple, tuple[str, float, Any]] = OrderedDict()  # key -> (version, at, value)
_MEMO_SIZE = 512


_GUARD = threading.Lock()
_COMPUTING: dict[tuple, threading.Lock] = {}


# Set in a thread while a page is built to be kept under the figures version
# (``indicators.pagecache``): no figure of an earlier version, not even within STALE_OK.
_exact = threading.local()


@contextlib.contextmanager
def exact_version() -> Iterator[None]:
    """Within this block ``memo`` serves only figures of the current version."""
    before = getattr(_exact, "on", False)
    _exact.on = True
    try:
        yield
    finally:
        _exact.on = before


def _usable(entry: tuple[str, float, Any] | None, version: str) -> bool:
    if entry is None:
        return False
    made_for, made_at, _value = entry
    if made_for == version:
        return True
    return (
        not getattr(_exact, "on", False)
        and time.monotonic() - made_at < STALE_OK
        and made_at > _local["bumped_at"]
    )


# With Redis configured (``REDIS_URL``), a figure missing from this process is looked for
# in the cache every process shares (``CACHES["figures"]``) before it is computed, and
# kept there once computed: its key holds the figures version, so after an edit the first
# process to need a figure computes it and the others read it, instead of every process
# computing every figure again. A Redis that is down answers a miss (``pishran.cache``):
# each process then computes for itself, as without Redis.
_ABSENT = object()


def _canonical(value: Any) -> Any:
    """``value`` with its sets sorted and dataclasses opened, so that its ``repr`` is the
    same in every process (a set's order follows string hashes, which differ per process)."""
    if isinstance(value, (set, frozenset)):
        return ("set", sorted((_canonical(v) for v in value), key=repr))
    if isinstance(value, tuple):
        return tuple(_canonical(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(_canonical(getattr(value, f.name)) for f in fields(value)))
    return value


def _shared_key(version: int | str, key: tuple) -> str | None:
    """The key in the shared cache, or None for a key that is not the same text in every
    process (an object shown by its address): such a figure is not shared."""
    text = repr(_canonical(key))
    if " at 0x" in text:
        return None
    return f"{version}:{hashlib.sha256(text.encode()).hexdigest()}"


def _shared() -> Any:
    return caches["figures"] if "figures" in settings.CACHES else None


def _compute_shared(version: str, key: tuple, compute: Callable[[], Any]) -> Any:
    shared = _shared()
    name = _shared_key(version, key) if shared is not None else None
    if shared is None or name is None:
        return compute()
    missing = getattr(_page, "missing", None) or ()
    # Not asked again when the page's one read has just found it missing.
    value = _ABSENT if name in missing else shared.get(name, _ABSENT)
    if value is _ABSENT:
        value = compute()
        unsaved = getattr(_page, "unsaved", None)
        if unsaved is not None:  # written with the page's others (``page_figures``)
            unsaved[name] = value
        else:
            shared.set(name, value)
    return value


# A page asks for its ~40 figures one by one; after a new figures version each would be
# one round trip to the shared cache, and under load each round trip is a wait for Redis
# and then for a core. ``page_figures`` reads the figures the page asked for the last time
# this process built it in one ``get_many`` and writes the ones it computed in one
# ``set_many``; a page this process has not built yet (most of a thousand parks) reads
# those of the last page of its kind it built, with that page's place replaced by its own.
# The figures the read did not find are computed without asking the cache again. The
# figures are found exactly as ``memo`` would find them (same keys, same version): only the
# number of round trips changes.
# page → {figure key: its hash in the shared cache (the version aside)}
_PAGES: OrderedDict[str, dict[tuple, str]] = OrderedDict()
# ~20 kB a page: a few hundred pages (the home page, the provinces' and their variants);
# the thousand parks need not all be here, each is read like the last park built.
_PAGES_SIZE = 256
# kind of page (its view) → (the last such page built, its place)
_KINDS: dict[str, tuple[str, Place]] = {}

# Set in a thread while a page is built within ``page_figures``.
_page = threading.local()


@contextlib.contextmanager
def page_figures(page: str, like: tuple[str, Place] | None = None) -> Iterator[None]:
    """Within this block (one request for ``page``): the figures ``page`` asked for last
    time and missing from this process are read from the shared cache in one round trip
    before the page asks for them one by one; the figures computed are written to it in
    one round trip at the end. ``like``: the page's kind and place, for a page this process
    has not built yet (the figures of the last page of that kind, at this place). Without
    a shared cache (or within another page's block) nothing changes."""
    shared = _shared()
    if shared is None or getattr(_page, "asked", None) is not None:
        yield
        return
    _page.asked, _page.unsaved = set(), {}
    try:
        hashes = _PAGES.get(page)
        if hashes is None and like is not None:
            hashes = _like(*like)
        _page.missing = _prefetch(shared, hashes or {})
        yield
    finally:
        asked, unsaved = _page.asked, _page.unsaved
        _page.asked = _page.unsaved = _page.missing = None
        if unsaved:
            shared.set_many(unsaved)
        if asked:
            _remember(page, asked)
            if like is not None:
                _KINDS[like[0]] = (page, like[1])


def _digest(key: tuple) -> str:
    return (_shared_key(0, key) or "").partition(":")[2]


def _like(kind: str, place: Place) -> dict[tuple, str]:
    """The figures of the last page of ``kind`` this process built, at ``place``."""
    page, was = _KINDS.get(kind, ("", place))
    hashes: dict[tuple, str] = {}
    for key, digest in _PAGES.get(page, {}).items():
        moved = _moved(key, was, place)
        if moved != key:
            key, digest = moved, _digest(moved)
        if digest:
            hashes[key] = digest
    return hashes


def _moved(key: tuple, was: Place, place: Place) -> tuple:
    """``key`` with ``was`` replaced by ``place``, as a ``Place`` or as its level and id
    side by side (``("cells", "k", 12, …)``). A key moved wrongly is only a figure read
    for nothing: it is read under its own name."""
    parts = list(key)
    for i, part in enumerate(parts):
        if part == was:
            parts[i] = place
        elif part == was.level and i + 1 < len(parts) and parts[i + 1] == was.id:
            parts[i + 1] = place.id
    return tuple(parts)


def _remember(page: str, asked: set[tuple]) -> None:
    before = _PAGES.get(page, {})
    hashes = {}
    for key in asked:
        digest = before.get(key) or _digest(key)
        if digest:
            hashes[key] = digest
    with _GUARD:
        _PAGES[page] = hashes
        _PAGES.move_to_end(page)
        while len(_PAGES) > _PAGES_SIZE:
            _PAGES.popitem(last=False)


def _prefetch(shared: Any, hashes: dict[tuple, str]) -> set[str]:
    """Into this process's memory: the figures of ``hashes`` the shared cache holds for
    the current version, unless this process has them for that version already. Returns
    the names asked for and not found."""
    if not hashes:
        return set()
    names: dict[str, tuple[tuple, str]] = {}
    for key, digest in hashes.items():
        version = _version(_province_of(key))
        entry = _MEMO.get(key)
        if entry is None or entry[0] != version:
            names[f"{version}:{digest}"] = (key, version)
    if not names:
        return set()
    made_at = time.monotonic()
    found = shared.get_many(list(names))
    with _GUARD:
        for name, value in found.items():
            key, version = names[name]
            _MEMO[key] = (version, made_at, value)
            _MEMO.move_to_end(key)
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return set(names) - set(found)


def memo(key: tuple, compute: Callable[[], Any]) -> Any:
    """The value kept for ``key`` under the current figures version (or computed for an
    earlier one less than ``STALE_OK`` ago), else the shared cache's (``_compute_shared``),
    else ``compute()``'s. Threads of one process asking for the same missing value wait for
    the one computing it."""
    version = _version(_province_of(key))
    asked = getattr(_page, "asked", None)
    if asked is not None:
        asked.add(key)
    entry = _MEMO.get(key)
    if _usable(entry, version):
        with contextlib.suppress(KeyError):  # evicted meanwhile by another thread
            _MEMO.move_to_end(key)
        return entry[2]  # type: ignore[index]
    with _GUARD:
        lock = _COMPUTING.setdefault(key, threading.Lock())
    try:
        with lock:
            entry = _MEMO.get(key)
            if _usable(entry, version):
                return entry[2]  # type: ignore[index]
            made_at = time.monotonic()
            with on_primary():  # consistent with the version (pishran.replicas)
                value = _compute_shared(version, key, compute)
            with _GUARD:
                _MEMO[key] = (version, made_at, value)
                _MEMO.move_to_end(key)
                while len(_MEMO) > _MEMO_SIZE:
                    _MEMO.popitem(last=False)
    finally:
        with _GUARD:
            _COMPUTING.pop(key, None)
    return value


def partial_month(as_of: dt.date) -> dict[facts.Key, list[int]]:
    """``facts.partial_month``, kept per figures version: a date inside a month reads the
    units with an event after it that month (seconds at a million units), once for every
    figure, park total and park kind of that date (never changed by its readers)."""
    return memo(("partial-month", as_of), lambda: facts.partial_month(as_of))  # type: ignore[no-any-return]


def read_cells(
    level: str, place: int | None, as_of: dt.date, dims: tuple[str, ...] | None = None
) -> Cells:
    """Stocks as of ``as_of`` and flows from 1 Farvardin of its year to ``as_of`` at every
    place of ``level`` (or one place), by kind, breakdown and status. Kept until the facts
    change."""
    return memo(
        ("cells", level, place, as_of, dims), lambda: _read_cells(level, place, as_of, dims)
    )


def _read_cells(
    level: str, place: int | None, as_of: dt.date, dims: tuple[str, ...] | None = None
) -> Cells:
    """``dims``: only these breakdowns (a ranking needs the totals and at most one)."""
    month = facts.month_index(as_of)
    first_of_year = month - month % 12
    partial = partial_month(as_of)
    sql = (
        "SELECT place, kind, dim, value, status, SUM(units), SUM(jobs) FROM indicators_fact "
        "WHERE level = %s AND ((kind = 's' AND month <= %s) OR "
        "(kind <> 's' AND month >= %s AND month <= %s))"
    )
    params: list[Any] = [level, month, first_of_year, month]
    if place is not None:
        sql += " AND place = %s"
        params.append(place)
    if dims is not None:
        sql += f" AND dim IN ({', '.join(['%s'] * len(dims))})"
        params += list(dims)
    sql += " GROUP BY place, kind, dim, value, status"
    totals: dict[tuple[int, str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for p, kind, dim, value, status, units, jobs in cursor.fetchall():
            cell = totals[(p, kind, dim, value, status)]
            cell[0] += int(units)
            cell[1] += int(jobs)
    for (kind, _m, lvl, p, status, dim, value), (units, jobs) in partial.items():
        if lvl == level and (place is None or p == place) and (dims is None or dim in dims):
            cell = totals[(p, kind, dim, value, status)]
            cell[0] += units
            cell[1] += jobs
    cells: Cells = defaultdict(list)
    for (p, kind, dim, value, status), (units, jobs) in totals.items():
        cells[(p, kind)].append((dim, value, status, units, jobs))
    if level == "k" and place is not None:
        # The facts keep a park's totals; its breakdowns (stocks only) come from its units.
        detail = _park_detail_today(place) if as_of >= today() else _park_cells(place, as_of)
        cells.setdefault((place, "s"), []).extend(detail)
    return dict(cells)


def _park_detail_today(park: int) -> list[tuple[str, str, str, int, int]]:
    """A park's stocks by industry group, size, semi-finished and inside parks (all of
    them) today: its units' current rows (the same as their histories say for today; a
    project's stall from the day of its last recorded progress)."""
    out: list[tuple[str, str, str, int, int]] = []
    with connection.cursor() as cursor:
        # Semi-finished: at least 60% built and no progress recorded since the day that
        # makes it stalled today (``enterprises.models.stalled_by``).
        cursor.execute(
            "SELECT status, industry_group_id, size_band, "
            "CASE WHEN status = 'under_construction' AND construction_progress >= 60 "
            "AND NOT EXISTS (SELECT 1 FROM enterprises_measureevent m "
            "WHERE m.enterprise_id = e.id AND m.construction_progress IS NOT NULL "
            "AND m.date > %s) THEN 1 ELSE 0 END, COUNT(*), SUM(employees) "
            "FROM enterprises_enterprise e WHERE park_id = %s GROUP BY 1, 2, 3, 4",
            [stalled_by(today()), park],
        )
        for status, group, size, semi, units, jobs in cursor.fetchall():
            units, jobs = int(units), int(jobs or 0)
            out += [
                ("group", str(group), status, units, jobs),
                ("size", size, status, units, jobs),
                ("inpark", "1", status, units, jobs),
            ]
            if semi and status == "under_construction":
                out.append(("semi", "1", status, units, jobs))
    return out


def _park_cells(park: int, as_of: dt.date) -> list[tuple[str, str, str, int, int]]:
    """A park's stocks by breakdown on a past date, from the histories of its units
    (``facts.park_rows``)."""
    totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (kind, _m, _level, _p, status, dim, value), (units, jobs) in park_rows(park, as_of).items():
        if kind == "s" and dim:
            cell = totals[(dim, value, status)]
            cell[0] += units
            cell[1] += jobs
    return [
        (dim, value, status, units, jobs)
        for (dim, value, status), (units, jobs) in totals.items()
        if (units, jobs) != (0, 0)
    ]


def park_rows(park: int, as_of: dt.date) -> dict[facts.Key, list[int]]:
    """A park's cells with every breakdown as of ``as_of`` (kept until the facts change)."""
    return memo(("park-rows", park, as_of), lambda: facts.park_rows(park, as_of))


def _weight(dim: str, value: str, fdim: str, fvalues: set[str] | None, negate: bool) -> int:
    """How a fact cell counts towards a figure narrowed to ``fdim`` in ``fvalues`` (or, when
    ``negate``, to everything else: the total minus those)."""
    if negate:
        return 1 if dim == "" else (-1 if dim == fdim and value in (fvalues or ()) else 0)
    return 1 if dim == fdim and (fvalues is None or value in fvalues) else 0


def park_totals(park_ids: list[int], as_of: dt.date) -> dict[int, dict[str, int]]:
    """Units by status at each of these parks as of ``as_of`` (cached until facts change)."""
    return memo(("parks", tuple(park_ids), as_of), lambda: _park_totals(park_ids, as_of))


def _park_totals(park_ids: list[int], as_of: dt.date) -> dict[int, dict[str, int]]:
    totals: dict[int, Any] = {pk: defaultdict(int) for pk in park_ids}
    if park_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT place, status, SUM(units) FROM indicators_fact WHERE level = 'k' "
                f"AND place IN ({', '.join(['%s'] * len(park_ids))}) AND kind = 's' "
                "AND dim = '' AND month <= %s GROUP BY place, status",
                [*park_ids, facts.month_index(as_of)],
            )
            for place, status, units in cursor.fetchall():
                totals[place][status] += int(units)
    for (kind, _m, level, place, status, dim, _v), (units, _j) in partial_month(as_of).items():
        if kind == "s" and level == "k" and dim == "" and place in totals:
            totals[place][status] += units
    return {pk: dict(v) for pk, v in totals.items()}


class RegistrySource(Source):
    """Enterprises, from their dated status and location history (``indicators.facts``)."""

    key = "registry"
    measures: ClassVar[dict[str, str]] = {
        "units": "units",
        "jobs": "jobs",
        "revived": "revived",
        "permits": "permits",
    }
    flows = frozenset({"revived", "permits"})
    breakdowns = ("province", "park", "group", "size", "status")
    KIND: ClassVar[dict[str, str]] = {"units": "s", "jobs": "s", "revived": "r", "permits": "p"}

    @staticmethod
    def _dim_filter(filters: dict[str, Any]) -> tuple[str, set[str] | None, bool]:
        """The one breakdown a filter narrows to (dim, values, negate)."""
        if filters.get("size"):
            return "size", set(filters["size"]), False
        if filters.get("semi_finished"):
            return "semi", {"1"}, False
        if "in_park" in filters:
            return "inpark", {"1"}, not filters["in_park"]
        return "", None, False

    def _sum(
        self, indicator: Any, cells: Cells, place: int, dim: str | None = None
    ) -> dict[str, int]:
        """The indicator's figure at ``place``, by the values of ``dim`` (or '' total)."""
        kind = self.KIND[indicator.measure]
        column = 1 if indicator.measure == "jobs" else 0
        statuses = set(indicator.filters.get("status") or [])
        fdim, fvalues, negate = self._dim_filter(indicator.filters)
        out: dict[str, int] = defaultdict(int)
        if dim and dim != "status" and fdim:
            return out  # a breakdown of an indicator narrowed by another breakdown
        for d, v, status, units, jobs in cells.get((place, kind), ()):
            if statuses and status not in statuses:
                continue
            figure = jobs if column else units
            if dim and dim != "status":
                if d == dim:
                    out[v] += figure
                continue
            out[status if dim == "status" else ""] += _weight(d, v, fdim, fvalues, negate) * figure
        return out

    @staticmethod
    def _signature(indicator: Any) -> tuple:
        return (indicator.pk, indicator.measure, repr(sorted(indicator.filters.items())))

    def value(self, indicator: Any, place: Place, as_of: dt.date) -> Number:
        def compute() -> Number:
            cells = read_cells(place.level, place.id, as_of)
            return self._sum(indicator, cells, place.id).get("", 0)

        return memo(("value", self._signature(indicator), place, as_of), compute)

    def breakdown(
        self, indicator: Any, place: Place, as_of: dt.date, dim: str
    ) -> dict[str, Number]:
        def compute() -> dict[str, Number]:
            cells = read_cells(place.level, place.id, as_of)
            return dict(self._sum(indicator, cells, place.id, dim))

        return memo(("breakdown", self._signature(indicator), place, as_of, dim), compute)

    def by_province(self, indicator: Any, as_of: dt.date) -> dict[int, Number]:
        def compute() -> dict[int, Number]:
            fdim = self._dim_filter(indicator.filters)[0]
            cells = read_cells("p", None, as_of, ("", fdim) if fdim else ("",))
            places = {p for p, _k in cells}
            return {p: self._sum(indicator, cells, p).get("", 0) for p in places}

        return memo(("by_province", self._signature(indicator), as_of), compute)

    def monthly(self, indicator: Any, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        return memo(
            ("monthly", self._signature(indicator), place, as_of),
            lambda: self._monthly(indicator, place, as_of),
        )

    def _monthly(self, indicator: Any, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
        kind = self.KIND[indicator.measure]
        column = "jobs" if indicator.measure == "jobs" else "units"
        fdim, fvalues, negate = self._dim_filter(indicator.filters)
        statuses = list(indicator.filters.get("status") or [])
        last = facts.month_index(as_of)
        if place.level == "k" and fdim:  # a breakdown by month: from the park's units
            rows = [
                (m, d, v, jobs if column == "jobs" else units)
                for (k, m, _l, _p, status, d, v), (units, jobs) in park_rows(
                    place.id, as_of
                ).items()
                if k == kind and d in (fdim, "") and (not statuses or status in statuses)
            ]
            return self._running(kind, rows, fdim, fvalues, negate, last)
        sql = (
            f"SELECT month, dim, value, SUM({column}) FROM indicators_fact WHERE level = %s "
            "AND place = %s AND kind = %s AND month <= %s AND dim IN (%s, '')"
        )
        params: list[Any] = [place.level, place.id, kind, last, fdim]
        if statuses:
            sql += f" AND status IN ({', '.join(['%s'] * len(statuses))})"
            params += statuses
        sql += " GROUP BY month, dim, value ORDER BY month"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return self._running(kind, rows, fdim, fvalues, negate, last)

    @staticmethod
    def _running(
        kind: str,
        rows: list[tuple[int, str, str, int]],
        fdim: str,
        fvalues: set[str] | None,
        negate: bool,
        last: int,
    ) -> list[tuple[int, Number]]:
        """Per month (stocks carried forward from their monthly changes) up to ``last``."""
        by_month: dict[int, int] = defaultdict(int)
        for month, d, v, n in rows:
            by_month[month] += _weight(d, v, fdim, fvalues, negate) * int(n)
        if not by_month:
            return []
        months = range(min(by_month), last + 1)
        if kind != "s":
            return [(m, by_month.get(m, 0)) for m in months]
        running, out = 0, []
        for m in months:
            running += by_month.get(m, 0)
            out.append((m, running))
        return out  # type: ignore[return-value]


class ParksSource(Source):
    """Parks and zones: current records, counted as of their establishment date."""

    key = "parks"
    measures: ClassVar[dict[str, str]] = {"parks": "parks"}
    breakdowns = ("province", "ownership")

    def _qs(self, indicator: Any, as_of: dt.date) -> Any:
        from places.models import Park

        qs = Park.objects.filter(Q(established_on__isnull=True) | Q(established_on__lte=as_of))
        f = indicator.filters
        if f.get("kind"):
            qs = qs.filter(kind__in=f["kind"])
        if f.get("ownership"):
            qs = qs.filter(ownership__in=f["ownership"])
        if "active" in f:
            qs = qs.filter(is_active=bool(f["active"]))
        return qs

    def value(self, indicator: Any, place: Place, as_of: dt.date) -> Number:
        def compute() -> Number:
            qs = self._qs(indicator, as_of)
            if place.level == "p":
                qs = qs.filter(province_id=place.id)
            elif place.level == "k":
                qs = qs.filter(pk=place.id)
            return qs.count()

        # A park's save or delete starts a new figures version (``IndicatorsConfig.ready``).
        return memo(("parks-value", indicator.pk, repr(indicator.filters), place, as_of), compute)

    def by_province(self, indicator: Any, as_of: dt.date) -> dict[int, Number]:
        from django.db.models import Count

        return dict(
            self._qs(indicator, as_of).values_list("province_id").annotate(n=Count("id")).order_by()
        )

    def breakdown(
        self, indicator: Any, place: Place, as_of: dt.date, dim: str
    ) -> dict[str, Number]:
        from django.db.models import Count

        if dim != "ownership":
            return {}
        qs = self._qs(indicator, as_of)
        if place.level == "p":
            qs = qs.filter(province_id=place.id)
        return dict(qs.values_list("ownership").annotate(n=Count("id")).order_by())


register(RegistrySource())
register(ParksSource())
