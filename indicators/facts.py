"""The registry pre-aggregated per Jalali month (``Fact``), built three ways that agree:

- ``rebuild()``: the whole table in SQL from the dated history (window functions carry
  each unit's status and location forward; PostgreSQL and SQLite run the same statements);
- ``unit_rows()``: one unit's contribution in Python, used to apply a change incrementally
  (``registry_changed``, subscribed to the registry's events: the contribution before and
  after, the difference applied on commit) and to answer an "as of" date in the middle of
  a month;
- the sum of ``unit_rows`` over all units, which tests compare with ``rebuild``.

A stock (kind ``s``) is stored as its change per month: +1 for a unit's state at the end
of a month, −1 for its state at the end of the month before. Flows: ``r`` a revival
(idle or semi-active → active, counted where the unit stood that day), ``p`` an
operating permit (by ``permit_date``; where the unit stood that day, or where it was first
registered for a permit dated before its registration). Industry group, size band,
employees and construction progress are current attributes, not history.

At a park the table keeps totals only (by status, no breakdown): most of the facts would
otherwise be park × industry group × month rows that only one park's page ever reads. A
park's page reads its breakdowns from its own units' histories (``park_rows``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import jdatetime
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from enterprises.events import (
    EnterpriseEvent,
    OwnersChanged,
    StatusEventCorrected,
    StatusEventWithdrawn,
    UnitChanged,
    UnitCreated,
    UnitMeasured,
    UnitMoved,
    UnitsCreated,
    UnitStatusChanged,
    UnitsUpdated,
)
from enterprises.models import (
    SEMI_FINISHED_PROGRESS,
    Enterprise,
    LocationEvent,
    MeasureEvent,
    SizeBand,
    Status,
    StatusEvent,
    size_band_for,
    stalled_from,
    stalled_months,
)
from persian.jalali import today as jdate_today
from pishran.db import one_at_a_time
from pishran.events import publish

from .events import FactsApplied, FactsRebuilt
from .models import Fact, FactChange, RefreshRun

Key = tuple[str, int, str, int, str, str, str]  # kind, month, level, place, status, dim, value
REVIVAL_FROM = ("idle", "semi_active")


@functools.lru_cache(maxsize=8192)
def month_index(day: dt.date) -> int:
    j = jdatetime.date.fromgregorian(date=day)
    return j.year * 12 + j.month - 1


def month_start(index: int) -> dt.date:
    return jdatetime.date(index // 12, index % 12 + 1, 1).togregorian()


def month_end(index: int) -> dt.date:
    return month_start(index + 1) - dt.timedelta(days=1)


# --- one unit, in Python --------------------------------------------------------------------


def _fan(
    kind: str,
    month: int,
    status: str,
    province: int,
    park: int,
    attrs: tuple,
    park_detail: bool = False,
) -> list[Key]:
    """Every fact cell one unit in one state touches (the same fan-out as the SQL). With
    ``park_detail`` the park's cells carry the breakdowns too (a park's page, never
    stored)."""
    group, size, semi = attrs
    places = [("c", 0), ("p", province)] + ([("k", park)] if park else [])
    semi = semi and kind == "s" and status == "under_construction"
    keys: list[Key] = []
    for level, place in places:
        keys.append((kind, month, level, place, status, "", ""))
        if level == "k" and (kind != "s" or not park_detail):
            continue  # stored: totals only at a park; flows at a park: totals only
        keys += [
            (kind, month, level, place, status, "group", str(group)),
            (kind, month, level, place, status, "size", size),
        ]
        if semi:
            keys.append((kind, month, level, place, status, "semi", "1"))
        if park:  # a park's own detail too: every unit at a park is inside one
            keys.append((kind, month, level, place, status, "inpark", "1"))
    return keys


def _zero() -> list[int]:
    """An empty cell (units, jobs): the default of every sum of cells here."""
    return [0, 0]


def _semi(progress: int, since: dt.date | None, day: dt.date, months: int) -> bool:
    """Semi-finished on ``day`` (if under construction): at least 60% built and no
    progress recorded for ``months`` months since ``since``."""
    return (
        progress >= SEMI_FINISHED_PROGRESS
        and since is not None
        and day >= stalled_from(since, months)
    )


def unit_rows(
    unit: dict[str, Any],
    status_events: Iterable[tuple[dt.date, int, str, str]],
    location_events: Iterable[tuple[dt.date, int, int, int | None]],
    until: dt.date | None = None,
    park_detail: bool = False,
    measure_events: Iterable[tuple[dt.date, int, int | None, int | None]] = (),
    *,
    months: int | None = None,
    into: dict[Key, list[int]] | None = None,
) -> dict[Key, list[int]]:
    """How many times one unit counts in each fact cell and the jobs it brings there
    (key → [units, jobs]), from its history up to ``until`` (everything when None; the
    semi-finished timer of a stalled project may then lie in the future, as the rebuild
    stores it). Employees, size band and construction progress are those of each date
    (``measure_events``: date, id, employees or None, progress or None); before the first
    recorded headcount, the first one. ``months``: ``stalled_months()``, read once by a
    caller that counts many units; ``into``: the cells to add to (returned), for the sum
    of many units (a cell may then be left at zero)."""
    measure_events = sorted(measure_events)
    if months is None:
        months = stalled_months()
    merged: list[tuple[dt.date, int, int, tuple]] = []
    for date, pk, from_status, to_status in status_events:
        merged.append((date, 1, pk, ("s", from_status, to_status)))
    for date, pk, province, park in location_events:
        merged.append((date, 0, pk, ("l", province, park or 0)))
    for date, pk, employees, progress in measure_events:
        merged.append((date, -1, pk, ("m", employees, progress)))
        if progress is not None and progress >= SEMI_FINISHED_PROGRESS:
            # The day the progress has stood still long enough (if nothing is recorded
            # before it: checked when it comes).
            merged.append((stalled_from(date, months), -2, pk, ("t", date)))
    permit = unit.get("permit_date")
    if permit is not None:
        merged.append((permit, 2, 0, ("p",)))
    merged = [m for m in merged if until is None or m[0] <= until]
    merged.sort(key=lambda m: (m[0], m[1], m[2]))
    first_location = next((m[3] for m in merged if m[3][0] == "l"), None)

    out: dict[Key, list[int]] = defaultdict(_zero) if into is None else into

    def add(keys: list[Key], sign: int, employees: int) -> None:
        jobs = sign * employees
        for key in keys:
            cell = out.get(key)
            if cell is None:
                out[key] = [sign, jobs]
            else:
                cell[0] += sign
                cell[1] += jobs

    group = unit["industry_group_id"]
    status, province, park = "", 0, 0
    # Before its first recorded headcount (a permit dated before the unit was registered),
    # a unit has that headcount.
    employees = next((m[2] for m in measure_events if m[2] is not None), 0)
    progress, since = 0, None
    semi = False
    month_state: dict[int, tuple[str, int, int, int, bool]] = {}
    for date, _t, _pk, event in merged:
        month = month_index(date)
        attrs = (group, size_band_for(employees), semi)
        if event[0] == "s":
            status = event[2]
            if status == "active" and event[1] in REVIVAL_FROM and province:
                add(_fan("r", month, "active", province, park, attrs, park_detail), 1, employees)
        elif event[0] == "l":
            province, park = event[1], event[2]
        elif event[0] == "m":
            if event[1] is not None:
                employees = event[1]
            if event[2] is not None:
                progress, since = event[2], date
            semi = _semi(progress, since, date, months)
        elif event[0] == "t":
            semi = _semi(progress, since, date, months)
        else:
            where = (
                (province, park)
                if province
                else ((first_location[1], first_location[2]) if first_location else (0, 0))
            )
            if where[0]:
                add(_fan("p", month, "", where[0], where[1], attrs, park_detail), 1, employees)
        month_state[month] = (status, province, park, employees, semi)
    previous: tuple[str, int, int, int, bool] | None = None
    for month in sorted(month_state):
        state = month_state[month]
        if state == previous:
            continue
        if previous is not None and previous[0] and previous[1]:
            attrs = (group, size_band_for(previous[3]), previous[4])
            fan = _fan("s", month, previous[0], previous[1], previous[2], attrs, park_detail)
            add(fan, -1, previous[3])
        if state[0] and state[1]:
            attrs = (group, size_band_for(state[3]), state[4])
            add(_fan("s", month, state[0], state[1], state[2], attrs, park_detail), 1, state[3])
        previous = state
    return out


# What the facts read of a unit besides its history.
UNIT_FIELDS = ("id", "industry_group_id", "permit_date")
# One unit: those values, its status events (date, id, from, to), its location events
# (date, id, province, park) and its measure events (date, id, employees, progress).
History = tuple[
    dict[str, Any],
    list[tuple[dt.date, int, str, str]],
    list[tuple[dt.date, int, int, int | None]],
    list[tuple[dt.date, int, int | None, int | None]],
]


def histories(ids: Iterable[int]) -> dict[int, History]:
    """The units' values and dated histories as the database has them now (four queries)."""
    ids = list(ids)
    if not ids:
        return {}
    units = {u["id"]: u for u in Enterprise.objects.filter(pk__in=ids).values(*UNIT_FIELDS)}
    statuses: dict[int, list] = defaultdict(list)
    for row in StatusEvent.objects.filter(enterprise_id__in=ids).values_list(
        "enterprise_id", "date", "id", "from_status", "to_status"
    ):
        statuses[row[0]].append(row[1:])
    locations: dict[int, list] = defaultdict(list)
    for row in LocationEvent.objects.filter(enterprise_id__in=ids).values_list(  # type: ignore[assignment]
        "enterprise_id", "date", "id", "province_id", "park_id"
    ):
        locations[row[0]].append(row[1:])
    measures: dict[int, list] = defaultdict(list)
    for row in MeasureEvent.objects.filter(enterprise_id__in=ids).values_list(  # type: ignore[assignment]
        "enterprise_id", "date", "id", "employees", "construction_progress"
    ):
        measures[row[0]].append(row[1:])
    return {pk: (unit, statuses[pk], locations[pk], measures[pk]) for pk, unit in units.items()}


def _add(
    totals: dict[Key, list[int]],
    history: History,
    until: dt.date | None = None,
    park_detail: bool = False,
) -> None:
    unit, statuses, locations, measures = history
    for key, (n, jobs) in unit_rows(
        unit, statuses, locations, until, park_detail, measures
    ).items():
        if n or jobs:
            cell = totals[key]
            cell[0] += n
            cell[1] += jobs


def units_rows(
    ids: Iterable[int], until: dt.date | None = None, park_detail: bool = False
) -> dict[Key, list[int]]:
    """The summed contribution of the given units: key → [units, jobs]."""
    totals: dict[Key, list[int]] = defaultdict(_zero)
    for history in histories(ids).values():
        _add(totals, history, until, park_detail)
    return totals


def _contribution(history: History | None) -> dict[Key, list[int]]:
    """One unit's contribution (nothing for a unit that did not exist)."""
    totals: dict[Key, list[int]] = defaultdict(_zero)
    if history is not None:
        _add(totals, history)
    return totals


def park_rows(park_id: int, until: dt.date) -> dict[Key, list[int]]:
    """One park's cells with every breakdown, as of ``until``, from the histories of the
    units that were ever at the park (the stored facts keep only a park's totals)."""
    ids = set(
        LocationEvent.objects.filter(park_id=park_id, date__lte=until).values_list(
            "enterprise_id", flat=True
        )
    )
    return {
        key: cell
        for key, cell in units_rows(ids, until, park_detail=True).items()
        if key[2] == "k" and key[3] == park_id
    }


def _subtract(after: dict[Key, list[int]], before: dict[Key, list[int]]) -> dict[Key, list[int]]:
    diff: dict[Key, list[int]] = {}
    for key in set(after) | set(before):
        a, b = after.get(key, [0, 0]), before.get(key, [0, 0])
        d = [a[0] - b[0], a[1] - b[1]]
        if d != [0, 0]:
            diff[key] = d
    return diff


# --- incremental refresh ---------------------------------------------------------------------
#
# ``registry_changed`` is subscribed, inside the transaction, to every event the registry's
# services publish (``IndicatorsConfig.ready``). Published right after the write, the event
# says what changed: the unit's contribution *before* is its current history with that one
# event undone (``_before``), and *after* is its current history. The difference is written
# on a ``FactChange`` row in the change's own transaction and added to the facts once it
# commits (``_apply_change``); a rebuild running meanwhile settles the rows it could not
# see. Several changes to one unit in one transaction are applied once: the first event
# opens the row and keeps the contribution before; the later ones only write the
# difference again (the unit's row lock, taken by every service, keeps other transactions
# out meanwhile).

_UPSERT = (
    "INSERT INTO indicators_fact (kind, month, level, place, status, dim, value, units, jobs) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (level, place, kind, dim, month, status, value) DO UPDATE SET "
    "units = indicators_fact.units + excluded.units, jobs = indicators_fact.jobs + excluded.jobs"
)


def _encode(diff: dict[Key, list[int]]) -> list[list[Any]]:
    # In the difference's own order: it is read back into a dict (``_decode``), and sorting
    # a bulk batch's ten thousand keys cost several times more than writing them.
    return [[*key, u, j] for key, (u, j) in diff.items()]


def _decode(rows: list[list[Any]]) -> dict[Key, list[int]]:
    return {tuple(r[:7]): [r[7], r[8]] for r in rows}  # type: ignore[misc]


def _pack(diff: dict[Key, list[int]]) -> str:
    """A ``FactChange``'s difference as it is stored: JSON text, not ``jsonb`` (the
    database only keeps it; parsing a bulk batch's ten thousand cells into ``jsonb`` cost
    the server a second per ten batches)."""
    return json.dumps(_encode(diff), separators=(",", ":"))


def _unpack(text: str | None) -> dict[Key, list[int]]:
    return _decode(json.loads(text)) if text else {}


def _upsert(cursor: Any, table: str, diff: dict[Key, list[int]]) -> None:
    if diff:
        cursor.executemany(
            _UPSERT.replace("indicators_fact", table),
            [(*key, u, j) for key, (u, j) in sorted(diff.items())],
        )


class _Pending:
    """One unit's change in the current transaction: its contribution before the first
    change, and its ``FactChange`` row."""

    def __init__(self, enterprise_id: int, before: dict[Key, list[int]], change_id: int) -> None:
        self.enterprise_id = enterprise_id
        self.before = before
        self.change_id = change_id
        self.commit: Callable[[], None] = lambda: None


def _pending() -> dict[int, _Pending]:
    return connection.__dict__.setdefault("_indicator_pending", {})


def _live(entry: _Pending | None) -> bool:
    """The entry's commit hook is still registered (not discarded by a rolled-back
    savepoint, not run yet)."""
    return entry is not None and any(hook[1] is entry.commit for hook in connection.run_on_commit)


def _counts(event: EnterpriseEvent) -> bool:
    """Whether the event can change the unit's facts."""
    if isinstance(event, OwnersChanged):
        return False
    if isinstance(event, UnitChanged):
        return bool(set(event.changes) & set(UNIT_FIELDS))
    if isinstance(event, StatusEventCorrected):
        return event.date_before != event.date_after  # a reason alone counts nowhere
    if isinstance(
        event, UnitCreated | UnitStatusChanged | UnitMoved | StatusEventWithdrawn | UnitMeasured
    ):
        return True
    raise _unknown(event)


def _unknown(event: EnterpriseEvent) -> TypeError:
    """A new kind of registry change: until the facts know what it undoes, its service
    fails (and rolls back) rather than leave the figures silently wrong."""
    return TypeError(
        f"indicators.facts does not know how {event.name} changes a unit's facts: "
        "teach _counts and _before (docs/indicators.md)"
    )


def _before(event: EnterpriseEvent, history: History) -> History | None:
    """The unit's history as it stood before ``event``, from its history after it (None:
    the unit did not exist)."""
    unit, statuses, locations, measures = history
    if isinstance(event, UnitCreated):
        return None
    if isinstance(event, UnitStatusChanged):
        return unit, [s for s in statuses if s[1] != event.status_event_id], locations, measures
    if isinstance(event, UnitMoved):
        return (
            unit,
            statuses,
            [x for x in locations if x[1] != event.location_event_id],
            measures,
        )
    if isinstance(event, UnitMeasured):
        return unit, statuses, locations, [m for m in measures if m[1] != event.measure_event_id]
    if isinstance(event, UnitChanged):
        earlier = {name: old for name, (old, _new) in event.changes.items() if name in unit}
        return {**unit, **earlier}, statuses, locations, measures
    if isinstance(event, StatusEventCorrected):
        corrected = [
            (event.date_before, *s[1:]) if s[1] == event.status_event_id else s for s in statuses
        ]
        return unit, corrected, locations, measures  # type: ignore[return-value]
    if isinstance(event, StatusEventWithdrawn):
        withdrawn = (event.date, event.status_event_id, event.from_status, event.to_status)
        return unit, [*statuses, withdrawn], locations, measures
    raise _unknown(event)


def registry_changed(event: EnterpriseEvent) -> None:
    """Keep the facts fresh: subscribed inside the transaction to every ``enterprise.``
    event, published by the service right after its write (see above)."""
    if not _counts(event):
        return
    pk = event.enterprise_id
    pending = _pending()
    entry = pending.get(pk)
    history = histories([pk]).get(pk)
    after = _contribution(history)
    if _live(entry):  # changed earlier in this transaction: a new difference only
        assert entry is not None
        diff = _pack(_subtract(after, entry.before))
        if FactChange.objects.filter(pk=entry.change_id).update(diff=diff):
            return
        # Its row is gone: a rebuild run inside this transaction counted the unit as it
        # stood then (and deleted the rows it saw), that is as it stood before this event.
    before = _contribution(_before(event, history)) if history is not None else {}
    change = FactChange.objects.create(enterprise_id=pk, diff=_pack(_subtract(after, before)))
    entry = _Pending(pk, before, change.pk)

    def commit() -> None:
        if pending.get(pk) is entry:
            del pending[pk]
        _apply_change(entry)

    entry.commit = commit
    pending[pk] = entry
    transaction.on_commit(commit)


def _apply_change(entry: _Pending) -> None:
    """Apply one committed change to the facts, once: a rebuild that already counted it
    (or replayed it into the table it swapped in) marked it applied. The difference is the
    one its row committed with (a later change to the unit in a savepoint that was rolled
    back wrote another, and took it back)."""
    places: set[tuple[str, int]] = set()
    with transaction.atomic(), connection.cursor() as cursor:
        claimed = FactChange.objects.filter(pk=entry.change_id, applied=False).update(applied=True)
        if claimed:
            stored = FactChange.objects.filter(pk=entry.change_id).values_list("diff", flat=True)
            diff = _unpack(stored[0])
            _upsert(cursor, "indicators_fact", diff)
            places = {(level, place) for _k, _m, level, place, *_rest in diff}
            if entry.change_id % 1000 == 0:
                # Applied changes are kept for a rebuild running meanwhile; a day is ample.
                FactChange.objects.filter(
                    applied=True, created_at__lt=timezone.now() - dt.timedelta(days=1)
                ).delete()
    if claimed:
        publish(
            FactsApplied(
                enterprise_id=entry.enterprise_id,
                change_id=entry.change_id,
                places=tuple(sorted(places)),
            )
        )


# --- units registered in bulk ----------------------------------------------------------------
#
# ``registry_batch_created`` is subscribed, inside the transaction, to ``UnitsCreated`` (a
# bulk import's batch of new units). New units have no contribution before, so the batch's
# difference is their summed contribution after, read with ``histories`` (three queries per
# batch). Each batch writes its own ``FactChange`` row (what a rebuild running meanwhile
# settles, as for a single change); the rows of one transaction are applied together, once,
# when it commits (``_apply_batches``: one upsert of the summed difference, by COPY on
# PostgreSQL), not an upsert per unit.


class _Batches:
    """The ``FactChange`` rows of the bulk batches of the current transaction."""

    def __init__(self) -> None:
        self.change_ids: list[int] = []
        # Each row's difference as written (not read back and decoded when applied).
        self.diffs: dict[int, dict[Key, list[int]]] = {}
        self.commit: Callable[[], None] = lambda: None


def registry_batch_created(event: UnitsCreated) -> None:
    """Add units registered in bulk to the facts (see above)."""
    totals: dict[Key, list[int]] = defaultdict(_zero)
    months = stalled_months()
    for unit, statuses, locations, measures in (
        event.histories or histories(event.enterprise_ids).values()
    ):
        # Added straight into the batch's cells (a unit's own cells are not kept apart).
        unit_rows(
            unit,  # type: ignore[arg-type]
            statuses,
            locations,
            measure_events=measures,
            months=months,
            into=totals,
        )
    diff = {key: cell for key, cell in totals.items() if cell != [0, 0]}
    _batch_change(event.enterprise_ids[0] if event.enterprise_ids else 0, diff)


def registry_batch_updated(event: UnitsUpdated) -> None:
    """Follow known units updated in bulk: the difference between their histories now and
    as they were before the batch (now with the batch's new events left out and the
    profile values it changed put back, as ``_before`` undoes a single change), on the
    batch's ``FactChange`` row, applied with the other batches once the transaction
    commits."""
    earlier = dict(event.changes)
    new_statuses, new_places = set(event.status_event_ids), set(event.location_event_ids)
    new_measures = set(event.measure_event_ids)
    after: dict[Key, list[int]] = defaultdict(_zero)
    before: dict[Key, list[int]] = defaultdict(_zero)
    for pk, history in histories(event.enterprise_ids).items():
        unit, statuses, locations, measures = history
        _add(after, history)
        was = {name: old for name, (old, _new) in earlier.get(pk, {}).items() if name in unit}
        _add(
            before,
            (
                {**unit, **was},
                [s for s in statuses if s[1] not in new_statuses],
                [x for x in locations if x[1] not in new_places],
                [m for m in measures if m[1] not in new_measures],
            ),
        )
    _batch_change(event.enterprise_ids[0] if event.enterprise_ids else 0, _subtract(after, before))


def _batch_change(first: int, diff: dict[Key, list[int]]) -> None:
    """A bulk batch's difference on its own ``FactChange`` row, applied with the other
    batches of the transaction once it commits."""
    change = FactChange.objects.create(enterprise_id=first, diff=_pack(diff))
    state: _Batches | None = connection.__dict__.get("_indicator_batches")
    if state is None or not any(hook[1] is state.commit for hook in connection.run_on_commit):
        # The first batch of the transaction (or the hook went with a rolled-back savepoint,
        # and the rows it would have applied with it).
        state = _Batches()
        batches = state

        def commit() -> None:
            if connection.__dict__.get("_indicator_batches") is batches:
                del connection.__dict__["_indicator_batches"]
            _apply_batches(batches.change_ids, batches.diffs)

        state.commit = commit
        connection.__dict__["_indicator_batches"] = state
        transaction.on_commit(commit)
    state.change_ids.append(change.pk)
    state.diffs[change.pk] = diff


def _apply_batches(change_ids: list[int], diffs: dict[int, dict[Key, list[int]]]) -> None:
    """Apply committed batch changes to the facts, once each (a rebuild that counted or
    replayed one has deleted its row), in one upsert of their summed difference. ``diffs``:
    each row's difference as it was written (the rows are only claimed here, not read)."""
    total: dict[Key, list[int]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        claimed: list[int] = []
        for start in range(0, len(change_ids), 1000):
            rows = (
                FactChange.objects.select_for_update()
                .filter(pk__in=change_ids[start : start + 1000], applied=False)
                .values_list("pk", flat=True)
            )
            for pk in rows:
                claimed.append(pk)
                for key, (u, j) in diffs[pk].items():
                    cell = total.get(key)
                    if cell is None:
                        total[key] = [u, j]
                    else:
                        cell[0] += u
                        cell[1] += j
        if not claimed:
            return
        for start in range(0, len(claimed), 1000):
            FactChange.objects.filter(pk__in=claimed[start : start + 1000]).update(applied=True)
        _upsert_many(cursor, {key: cell for key, cell in total.items() if cell != [0, 0]})
    # The places are many: every figure may have changed.
    publish(FactsApplied(enterprise_id=0, change_id=max(claimed), places=()))


def _upsert_many(cursor: Any, diff: dict[Key, list[int]]) -> None:
    """``_upsert`` into the facts for a large difference: on PostgreSQL the rows are
    copied into a temporary table and added by one ``INSERT … SELECT``."""
    if connection.vendor != "postgresql" or len(diff) < 1000:
        _upsert(cursor, "indicators_fact", diff)
        return
    cursor.execute(
        "CREATE TEMP TABLE ind_fact_in (kind varchar(1), month integer, level varchar(1), "
        "place integer, status varchar(20), dim varchar(10), value varchar(40), "
        "units bigint, jobs bigint) ON COMMIT DROP"
    )
    with cursor.cursor.copy("COPY ind_fact_in FROM STDIN") as copy:
        for key, (u, j) in diff.items():
            copy.write_row((*key, u, j))
    cursor.execute(
        "INSERT INTO indicators_fact (kind, month, level, place, status, dim, value, units, "
        "jobs) SELECT kind, month, level, place, status, dim, value, units, jobs "
        "FROM ind_fact_in ORDER BY level, place, kind, dim, month, status, value "
        "ON CONFLICT (level, place, kind, dim, month, status, value) DO UPDATE SET "
        "units = indicators_fact.units + excluded.units, "
        "jobs = indicators_fact.jobs + excluded.jobs"
    )
    cursor.execute("DROP TABLE ind_fact_in")


# --- a date in the middle of a month --------------------------------------------------------


def partial_month(as_of: dt.date) -> dict[Key, list[int]]:
    """What to add to the facts of ``as_of``'s whole month to get ``as_of`` itself: the
    units with an event after ``as_of`` in that month, counted as they stood on ``as_of``
    minus as they stood at the month's end. Empty for a month end and for today (no event
    is dated in the future), so current figures are the facts alone."""
    month = month_index(as_of)
    end = month_end(month)
    if as_of >= end:
        return {}
    after = (as_of + dt.timedelta(days=1), end)
    # A stalled project becomes semi-finished on a day of its own, maybe after today.
    stalled = _stalling(*after)
    if as_of >= jdate_today() and not stalled:
        return {}  # the services refuse dates in the future (events and permits alike)
    ids = set(StatusEvent.objects.filter(date__range=after).values_list("enterprise_id", flat=True))
    ids |= stalled
    ids |= set(
        MeasureEvent.objects.filter(date__range=after).values_list("enterprise_id", flat=True)
    )
    ids |= set(
        LocationEvent.objects.filter(date__range=after).values_list("enterprise_id", flat=True)
    )
    ids |= set(Enterprise.objects.filter(permit_date__range=after).values_list("id", flat=True))
    return _subtract(units_rows(ids, as_of), units_rows(ids, end))


def _stalling(first: dt.date, last: dt.date) -> set[int]:
    """The units whose progress, if nothing is recorded after it, has stood still long
    enough on a day from ``first`` to ``last`` (they may become semi-finished that day)."""
    months = stalled_months()
    recorded = MeasureEvent.objects.filter(
        construction_progress__gte=SEMI_FINISHED_PROGRESS,
        date__range=(
            first - dt.timedelta(days=31 * months + 2),
            last - dt.timedelta(days=29 * months - 2),
        ),
    ).values_list("enterprise_id", "date")
    return {pk for pk, day in recorded if first <= stalled_from(day, months) <= last}


# --- full rebuild in SQL ---------------------------------------------------------------------

# The registry's tables are wide (names, addresses, reasons); each is read once into a
# narrow copy (``ind_u``: units' attributes, ``ind_se``: status events with their Jalali
# month) and every later step reads the copies.
#
# Most units never move: one location event, dated on or before their first status event
# (the one that leaves no status, ``from_status = ''``). Their place is fixed, so each
# status event is simply −1 for the status it leaves and +1 for the one it enters, in its
# month (the services keep ``from_status`` equal to the status before). The few others
# (``ind_mover``) go through the general path: merge status and location events in date
# order, carry the state forward with window functions, take each month's closing state.
#
# ``ind_fine`` holds the movers' stocks, revivals and permits by month, status, province,
# park and the unit attributes (industry group, size band, semi-finished). The fixed-place
# units' rows (their events' two sides, their revivals and permits), by far the most, are
# summed straight from the copies twice, with ``ind_fine`` added to each: by park
# (``ind_sum_k``, totals) and by province class (``ind_sum_p``), from which the province
# breakdowns are fanned out. Sums are cast to integer between steps: PostgreSQL sums
# bigints as numerics, several times slower.
_ATTRS = "u.grp, u.sz, u.semi"


def _size_code(employees: str) -> str:
    """The size band's number in ``_SIZES`` from a number of employees (``size_band_for``)."""
    bands = (
        (10, SizeBand.MICRO),
        (50, SizeBand.SMALL),
        (100, SizeBand.MEDIUM),
    )
    return (
        "CASE"
        + "".join(f" WHEN {employees} < {n} THEN {_SIZES.index(b)}" for n, b in bands)
        + f" ELSE {_SIZES.index(SizeBand.LARGE)} END"
    )


_MOVER = "{col} IN (SELECT e FROM ind_mover)"
# The sums group on integers, not text (twice as fast): kind, month and status are packed
# in a tag, ``(kind × 32768 + month) × 8 + status`` (Jalali month indexes stay below 32768
# until the year 2730); a province class (province, in a park, industry group, size band,
# semi-finished) in one bigint, ``(((province × 2 + in park) × g + group) × 4 + size) × 2 +
# semi``, g one more than the largest industry group id (``ind_span``). Kinds and statuses
# are numbered in their text's order, so ordering by the tag orders by the fact's key.
_KINDS = ("p", "r", "s")
_STATUSES = ("", *sorted(Status.values))
_SIZES = tuple(SizeBand.values)
assert len(_STATUSES) <= 8 and len(_SIZES) <= 4
_STOCK, _REVIVALS, _PERMITS = (_KINDS.index(k) * 32768 for k in ("s", "r", "p"))


def _code(column: str, values: tuple[str, ...]) -> str:
    return (
        f"CASE {column}" + "".join(f" WHEN '{v}' THEN {i}" for i, v in enumerate(values)) + " END"
    )


def _uncode(expression: str, values: tuple[str, ...]) -> str:
    return (
        f"CASE {expression}"
        + "".join(f" WHEN {i} THEN '{v}'" for i, v in enumerate(values))
        + " END"
    )


def _untag(level: str, place: str) -> str:
    """kind, month, level, place, status: the first columns of a fact, from ``tag``."""
    return (
        f"{_uncode('tag / 262144', _KINDS)} AS kind, (tag / 8) % 32768 AS month, "
        f"'{level}' AS level, {place} AS place, {_uncode('tag % 8', _STATUSES)} AS status"
    )


def _class(t: str, inpark: str) -> str:
    return f"((({t}.prov * 2 + {inpark}) * n.g + {t}.grp) * 4 + {t}.sz) * 2 + {t}.semi"


_ACTIVE, _BUILDING = _STATUSES.index("active"), _STATUSES.index("under_construction")
_REVIVED_FROM = ", ".join(str(_STATUSES.index(s)) for s in REVIVAL_FROM)
# The fixed-place units' rows, to be grouped: (tag, place, units, jobs), the place being
# ``stock`` for the stocks, ``flow`` for the flows (columns of ``ind_simple``) and ``fine``
# for ``ind_fine``: each status event's two sides (the status entered +1, the one left −1),
# the revivals and the permits; then the movers' rows (``ind_fine``). PostgreSQL sums both
# places in one pass (two place columns, ``kp`` and ``pc``).
_FIXED_ROWS = (
    # One pass over the events: ``v.sg`` 1 the status entered, -1 the one left, 0 a revival.
    f"SELECT CASE v.sg WHEN 1 THEN ({_STOCK} + s.m) * 8 + s.tc WHEN -1 THEN ({_STOCK} + s.m) "
    f"* 8 + s.fc ELSE ({_REVIVALS} + s.m) * 8 + {_ACTIVE} END AS tag, "
    "{stock}, "
    "v.u AS units, v.u * x.emp AS jobs FROM ind_se s JOIN ind_simple x ON x.e = s.e "
    "CROSS JOIN (SELECT 1 AS sg, 1 AS u UNION ALL SELECT -1, -1 UNION ALL SELECT 0, 1) v "
    "WHERE (v.sg = 1 OR (v.sg = -1 AND s.fc <> 0) OR (v.sg = 0 AND "
    f"s.tc = {_ACTIVE} AND s.fc IN ({_REVIVED_FROM}))) {{where}} "
    "{fix}"
    f"UNION ALL SELECT ({_PERMITS} + x.pm) * 8, {{flow}}, 1, x.emp FROM ind_simple x "
    "WHERE x.pm IS NOT NULL {where} UNION ALL SELECT "
    f"({_code('f.kind', _KINDS)} * 32768 + f.m) * 8 + {_code('f.status', _STATUSES)}, "
    "{fine}, f.units, f.jobs FROM ind_fine f CROSS JOIN ind_span n {fine_where} "
)
# A fixed-place project stalled while under construction: in its month ``tm`` it leaves the
# class without the semi-finished bit (the lowest bit of ``pc``) for the one with it; a
# project with several progresses recorded (``ind_sv``) likewise where each of its periods
# of being semi-finished begins, and back where it ends. (``kp``: a park's place before it,
# none.)
_STALLED_ROWS = (
    f"UNION ALL SELECT ({_STOCK} + x.tm) * 8 + {_STATUSES.index('under_construction')}, "
    "{kp}x.pc + v.b, CASE WHEN v.b = 1 THEN 1 ELSE -1 END, CASE WHEN v.b = 1 THEN x.emp "
    "ELSE -x.emp END FROM ind_simple x CROSS JOIN (SELECT 0 AS b UNION ALL SELECT 1) v "
    "WHERE x.fix = 1 "
    f"UNION ALL SELECT ({_STOCK} + s.m) * 8 + {_BUILDING}, {{kp}}s.pc + v.b, "
    "CASE WHEN v.b = 1 THEN s.d ELSE -s.d END, CASE WHEN v.b = 1 THEN s.d * s.emp "
    "ELSE -s.d * s.emp END FROM ind_sv s CROSS JOIN (SELECT 0 AS b UNION ALL SELECT 1) v "
)
# The fixed-place units whose class changes (``ind_mu``): a stock for each overlap of a
# status period and a class period (+1 in the month it begins, -1 in the month it ends),
# summed with the other rows (``{overlap}``: the place columns, from ``x``, ``z.sz`` and
# ``z.semi``).
_OVERLAP_ROWS = (
    f"UNION ALL SELECT CAST(({_STOCK} + z.m) * 8 + z.tc AS integer), {{overlap}}, z.sg, "
    "z.sg * z.emp FROM ("
    "SELECT sp.e, v.sg, sp.tc, cp.emp, " + _size_code("cp.emp") + " AS sz, "
    f"CASE WHEN sp.tc = {_BUILDING} THEN cp.semi ELSE 0 END AS semi, "
    "CASE WHEN v.sg = 1 THEN (CASE WHEN sp.a > cp.a THEN sp.a ELSE cp.a END) "
    "WHEN sp.b IS NULL THEN cp.b WHEN cp.b IS NULL OR sp.b < cp.b THEN sp.b "
    "ELSE cp.b END AS m FROM ind_sp sp JOIN ind_cp cp ON cp.e = sp.e "
    "AND (cp.b IS NULL OR sp.a < cp.b) AND (sp.b IS NULL OR cp.a < sp.b) "
    "CROSS JOIN (SELECT 1 AS sg UNION ALL SELECT -1) v "
    "WHERE v.sg = 1 OR sp.b IS NOT NULL OR cp.b IS NOT NULL) z "
    "JOIN ind_mu x ON x.e = z.e CROSS JOIN ind_span n {overlap_where}"
)
_OVERLAP_CLASS = (
    _class("x", "CASE WHEN x.park <> 0 THEN 1 ELSE 0 END")
    .replace("x.sz", "z.sz")
    .replace("x.semi", "z.semi")
)
_SUM = (
    "CREATE TEMP TABLE {table} AS SELECT tag, place, CAST(SUM(units) AS integer) AS units, "
    "CAST(SUM(jobs) AS integer) AS jobs FROM ({rows}) z GROUP BY tag, place"
)
# A stock's month once stalled (not a revival's: flows have no semi-finished breakdown).
_SEMI_BIT = " + CASE WHEN v.sg <> 0 AND s.m >= x.tm THEN 1 ELSE 0 END"
_FINE_CLASS = _class("f", "CASE WHEN f.park <> 0 THEN 1 ELSE 0 END")
_PARK = "CASE WHEN {t}.park <> 0 THEN {t}.park END"  # a park's place (none outside parks)
# The province sums with their class unpacked.
_SUM_P = (
    "(SELECT p.tag, p.place / (n.g * 16) AS prov, (p.place / (n.g * 8)) % 2 AS inpark, "
    "(p.place / 8) % n.g AS grp, (p.place / 2) % 4 AS sz, p.place % 2 AS semi, p.units, "
    "p.jobs FROM ind_sum_p p CROSS JOIN ind_span n)"
)
# A province fact's breakdown and value as integers in their text's order (``dim`` then
# ``value``): the group ids' decimal text, "10" before "9", and the size bands' names.
_DIMS = ("", "group", "inpark", "semi", "size")
assert list(_DIMS) == sorted(_DIMS)


def _group_order(grp: str) -> str:
    return (
        "CASE"
        + "".join(f" WHEN {grp} < {10**d} THEN {grp} * {10 ** (9 - d)} + {d}" for d in range(1, 9))
        + " END"
    )


def _size_order(sz: str) -> str:
    return (
        f"CASE {sz}"
        + "".join(f" WHEN {i} THEN {sorted(_SIZES).index(v)}" for i, v in enumerate(_SIZES))
        + " END"
    )


# The new facts, each level in the key's order. (PostgreSQL writes them with CREATE TABLE AS,
# which fills page after page: an INSERT puts a narrower row into the space a wider one left
# on an earlier page, and the rows are no longer in order.)
# The orders are packed into one bigint where they can be (sorting on one integer is several
# times faster than on several columns): (place, tag) for a park; (place, kind, breakdown,
# month, status) then the value's order for a province; the same without place for the country.
_ORDER_P = "(({place} * 4 + tag / 262144) * 8 + dc) * 262144 + tag % 262144, vc"
_FACTS = (
    "SELECT * FROM (SELECT kind, month, 'c' AS level, 0 AS place, status, dim, value, "
    "SUM(units) AS units, SUM(jobs) AS jobs FROM ind_pfact "
    "GROUP BY kind, month, status, dim, value, tag, dc, vc "
    "HAVING SUM(units) <> 0 OR SUM(jobs) <> 0 ORDER BY " + _ORDER_P.format(place=0) + ") c "
    "UNION ALL SELECT * FROM (SELECT " + _untag("k", "place") + ", '' AS dim, '' AS value, "
    "units, jobs FROM ind_sum_k WHERE units <> 0 OR jobs <> 0 "
    "ORDER BY CAST(place AS bigint) * 1048576 + tag) k "
    "UNION ALL SELECT * FROM (SELECT kind, month, level, place, status, dim, value, units, "
    "jobs FROM ind_pfact ORDER BY " + _ORDER_P.format(place="CAST(place AS bigint)") + ") p"
)
assert (2 * 32768 + 32767) * 8 + 7 < 262144 * 4 <= 1048576  # a tag fits in 20 bits
_INSERT_FACTS = "INSERT INTO ind_fact (kind, month, level, place, status, dim, value, units, jobs) "
_MOVER_ATTRS = "u.grp AS grp, " + _size_code("x.emp") + " AS sz, x.semi AS semi"
_SEMI = f"semi = 1 AND tag / 262144 = {_KINDS.index('s')} AND tag % 8 = {_BUILDING}"  # a semi-finished project
_STEPS: list[tuple[str, list[str]]] = [
    (
        "units",
        [
            # A unit's employees and progress from its measure events, read once: their
            # number, first date, lowest and highest headcount and the first day of a
            # progress of 60% or more. A unit whose headcount never changed (the lowest is
            # the highest) has that headcount on every date.
            "CREATE TEMP TABLE ind_u AS SELECT x.id, x.industry_group_id AS grp, "
            + _size_code("COALESCE(m.emax, 0)")
            + " AS sz, 0 AS semi, COALESCE(m.emax, 0) AS emp, "
            "m.n AS mn, m.d AS md, m.emin, m.emax, m.p6d, x.permit_date "
            "FROM enterprises_enterprise x LEFT JOIN ("
            "SELECT enterprise_id AS e, COUNT(*) AS n, MIN(date) AS d, MIN(employees) AS emin, "
            "MAX(employees) AS emax, MIN(CASE WHEN construction_progress >= "
            f"{SEMI_FINISHED_PROGRESS} THEN date END) AS p6d "
            "FROM enterprises_measureevent GROUP BY enterprise_id) m ON m.e = x.id",
            "CREATE UNIQUE INDEX ind_u_id ON ind_u (id)",
        ],
    ),
    ("calendar", []),  # filled in Python (the Jalali month of every day in the history)
    (
        "copies",
        [
            "CREATE TEMP TABLE ind_se AS SELECT s.enterprise_id AS e, s.date AS d, s.id AS i, "
            "c.m, "
            + _code("s.from_status", _STATUSES)
            + " AS fc, "
            + _code("s.to_status", _STATUSES)
            + " AS tc FROM enterprises_statusevent s "
            # In month order: each sum then works on a few months' groups at a time, not on all
            # of them at random (about 1 s less for each sum at 3 M events; the sort costs about
            # as much as one of them saves, and nothing where events are stored as they happen).
            "JOIN ind_day c ON c.d = s.date ORDER BY c.m",
            "CREATE TEMP TABLE ind_span AS SELECT COALESCE(MAX(grp), 0) + 1 AS g FROM ind_u",
        ],
    ),
    (
        "fixed places",
        [
            # Every unit whose place never changed and whose first measure event is not later
            # than its registration (``q`` = 1: its employees and semi-finished class can be
            # carried on the unit; 0: its class changes over time, ``ind_mu`` below).
            "CREATE TEMP TABLE ind_simple AS SELECT l.e, l.prov, l.park, "
            "CASE WHEN l.park <> 0 THEN 1 ELSE 0 END AS inpark, "
            + _ATTRS
            + ", u.emp, "
            + _class("l", "CASE WHEN l.park <> 0 THEN 1 ELSE 0 END")
            .replace("l.grp", "u.grp")
            .replace("l.sz", "u.sz")
            .replace("l.semi", "u.semi")
            + " AS pc, c.m AS pm, u.permit_date AS pd, "
            # A project recorded once at 60% or more stalls (semi-finished) from month ``tm``:
            # its rows from then on carry the semi-finished bit; ``fix``: it was under
            # construction at the end of the month before, so that month's state moves to the
            # semi-finished class.
            "CASE WHEN u.mn = 1 AND u.p6d IS NOT NULL THEN t.sm END AS tm, "
            "CASE WHEN u.mn = 1 AND u.p6d IS NOT NULL AND f.uc = 1 AND f.fm < t.sm "
            "AND (f.lum IS NULL OR f.lum >= t.sm) THEN 1 ELSE 0 END AS fix, "
            # Several measure events: the unit stays here (``q`` = 1) if its headcount never
            # changed; ``sv`` = 1: it may have been semi-finished at the end of a month it
            # was under construction (a progress of 60% or more recorded before the month it
            # left "under construction" had stood long enough then), its periods of being
            # semi-finished are moved by pairs of rows (``ind_sv``, step "classes").
            "CASE WHEN u.mn IS NULL OR u.mn = 1 OR u.emin = u.emax OR u.emax IS NULL "
            "THEN 1 ELSE 0 END AS q, CASE WHEN u.mn > 1 AND f.uc = 1 AND u.p6d IS NOT NULL "
            "AND (f.lum IS NULL OR t6.sm < f.lum) THEN 1 ELSE 0 END AS sv, f.fm, f.lum FROM ("
            "SELECT enterprise_id AS e, COUNT(*) AS n, MIN(date) AS d, MAX(province_id) AS prov, "
            "MAX(COALESCE(park_id, 0)) AS park FROM enterprises_locationevent "
            # The first status event (its date and month; under construction or not), and
            # the month the unit left "under construction" (nothing returns to it).
            # One pass over the status events for both (``lv``: the same row as ``f``).
            "GROUP BY enterprise_id) l JOIN (SELECT e, "
            f"MIN(CASE WHEN fc = {_STATUSES.index('')} THEN d END) AS d, "
            f"MIN(CASE WHEN fc = {_STATUSES.index('')} THEN m END) AS fm, "
            f"MAX(CASE WHEN fc = {_STATUSES.index('')} AND tc = {_BUILDING} THEN 1 ELSE 0 END) "
            f"AS uc, MIN(CASE WHEN fc = {_BUILDING} THEN m END) AS lum FROM ind_se "
            f"WHERE fc IN ({_STATUSES.index('')}, {_BUILDING}) GROUP BY e) f ON f.e = l.e "
            "JOIN ind_u u ON u.id = l.e CROSS JOIN ind_span n "
            "LEFT JOIN ind_day c ON c.d = u.permit_date LEFT JOIN ind_day t ON t.d = u.md "
            "LEFT JOIN ind_day t6 ON t6.d = u.p6d "
            # ``l.n < 2``, not ``= 1`` (the same: a unit here has a location event): PostgreSQL
            # guesses that an aggregate equals a constant for 0.5% of the units and would look
            # every one of them up in ``ind_u`` by its index, one at a time.
            "WHERE l.n < 2 AND l.d <= f.d AND (u.mn IS NULL OR u.md <= f.d)",
            # Fixed-place units whose employees or semi-finished class change over time: their
            # rows are made from the periods of their status and of their class (step "fine").
            "CREATE TEMP TABLE ind_mu AS SELECT e, prov, park, grp, pm, pd FROM ind_simple "
            "WHERE q = 0",
            "DELETE FROM ind_simple WHERE q = 0",
            "CREATE UNIQUE INDEX ind_simple_e ON ind_simple (e)",
            "CREATE UNIQUE INDEX ind_mu_e ON ind_mu (e)",
            # The others (a few per cent): every unit that has a history and is not above.
            "CREATE TEMP TABLE ind_mover AS SELECT u.id AS e FROM ind_u u "
            "WHERE NOT EXISTS (SELECT 1 FROM ind_simple ns WHERE ns.e = u.id) "
            "AND NOT EXISTS (SELECT 1 FROM ind_mu nm WHERE nm.e = u.id)",
            "CREATE UNIQUE INDEX ind_mover_e ON ind_mover (e)",
        ],
    ),
    (
        "classes",
        [
            # The fixed-place units of a constant headcount that may have been semi-finished
            # while under construction (``sv``): each progress of 60% or more makes them
            # semi-finished from the month it has stood long enough to the month of the next
            # progress; within the months they were under construction (from ``fm`` to
            # ``lum``), a pair of rows moves them into the semi-finished class where such a
            # period begins (``d`` = 1) and out of it where it ends (``d`` = -1).
            "CREATE TEMP TABLE ind_sv AS SELECT z.e, v.d, CASE WHEN v.d = 1 THEN (CASE "
            "WHEN z.a > x.fm THEN z.a ELSE x.fm END) WHEN z.b IS NULL OR (x.lum IS NOT NULL "
            "AND x.lum < z.b) THEN x.lum ELSE z.b END AS m, x.pc, x.emp FROM ("
            "SELECT e, sm AS a, nm AS b FROM (SELECT me.enterprise_id AS e, "
            "me.construction_progress AS prog, c.sm, LEAD(c.m) OVER (PARTITION BY "
            "me.enterprise_id ORDER BY me.date, me.id) AS nm FROM enterprises_measureevent me "
            "JOIN ind_day c ON c.d = me.date WHERE me.construction_progress IS NOT NULL AND "
            "me.enterprise_id IN (SELECT e FROM ind_simple WHERE sv = 1)) y "
            f"WHERE prog >= {SEMI_FINISHED_PROGRESS} AND (nm IS NULL OR sm < nm)) z "
            "JOIN ind_simple x ON x.e = z.e CROSS JOIN (SELECT 1 AS d UNION ALL SELECT -1) v "
            "WHERE (x.lum IS NULL OR (CASE WHEN z.a > x.fm THEN z.a ELSE x.fm END) < x.lum) "
            "AND (z.b IS NULL OR (CASE WHEN z.a > x.fm THEN z.a ELSE x.fm END) < z.b) "
            "AND (v.d = 1 OR z.b IS NOT NULL OR x.lum IS NOT NULL)",
            # The fixed-place units whose class changes (``ind_mu``): their measure events in
            # date order, each with the headcount and progress carried to it (the last
            # recorded; before the first headcount, the first one), the month and day of the
            # next event. One sort: the carried values are running maxima of (how many
            # values were recorded so far, the value) packed in one integer, so every window
            # reads the same order. A progress carries the month its project stalls.
            "CREATE TEMP TABLE ind_mq AS SELECT e, m, n, nm, nd, fn, "
            "CAST(COALESCE(ce % 2097152, fe, 0) AS integer) AS emp, "
            f"CASE WHEN (cp / 32768) % 128 >= {SEMI_FINISHED_PROGRESS} THEN cp % 32768 END AS sm "
            "FROM (SELECT e, m, n, nm, nd, MIN(n) OVER (PARTITION BY e) AS fn, "
            "MAX(CASE WHEN emp IS NOT NULL THEN eg * 2097152 + emp END) OVER w AS ce, "
            "MAX(CASE WHEN eg = 1 AND emp IS NOT NULL THEN emp END) OVER (PARTITION BY e) AS fe, "
            "MAX(CASE WHEN prog IS NOT NULL THEN pg * 4194304 + prog * 32768 + sm END) OVER w "
            "AS cp FROM (SELECT me.enterprise_id AS e, me.date AS d, me.id AS i, c.m, c.n, c.sm, "
            "me.employees AS emp, me.construction_progress AS prog, "
            "COUNT(me.employees) OVER w AS eg, COUNT(me.construction_progress) OVER w AS pg, "
            "LEAD(c.m) OVER w AS nm, LEAD(c.n) OVER w AS nd "
            "FROM enterprises_measureevent me JOIN ind_day c ON c.d = me.date "
            "WHERE me.enterprise_id IN (SELECT e FROM ind_mu) WINDOW w AS "
            "(PARTITION BY me.enterprise_id ORDER BY me.date, me.id ROWS UNBOUNDED PRECEDING)) z "
            "WINDOW w AS (PARTITION BY e ORDER BY d, i ROWS UNBOUNDED PRECEDING)) y "
            "WHERE nm IS NULL OR nm > m OR nd IS NULL OR nd > n",
            # Their class at each month's end, as periods [a, b) of months (b NULL: to the
            # end): the last event of a month gives the headcount until the next event's
            # month; a progress of 60% or more splits its period at the month it stalls
            # (semi-finished from then on).
            "CREATE TEMP TABLE ind_cp AS SELECT e, "
            "CASE WHEN v.b = 1 AND sm > m THEN sm ELSE m END AS a, "
            "CASE WHEN v.b = 0 AND sm IS NOT NULL AND (nm IS NULL OR sm < nm) AND sm > m "
            "THEN sm ELSE nm END AS b, emp, v.b AS semi "
            "FROM ind_mq CROSS JOIN (SELECT 0 AS b UNION ALL SELECT 1) v "
            "WHERE (nm IS NULL OR nm > m) AND ((v.b = 1 AND sm IS NOT NULL AND "
            "(nm IS NULL OR sm < nm)) OR (v.b = 0 AND (sm IS NULL OR nm <= sm OR sm > m)))",
            # Their headcount on each day (a revival, a permit), as periods [a, b) of days (a
            # -1: the first headcount holds before the first event too).
            "CREATE TEMP TABLE ind_dp AS SELECT e, CASE WHEN n = fn THEN -1 ELSE n END AS a, "
            "nd AS b, emp FROM ind_mq WHERE nd IS NULL OR nd > n",
            # Their status at each month's end, as periods of months.
            "CREATE TEMP TABLE ind_sp AS SELECT e, m AS a, nm AS b, tc FROM ("
            "SELECT s.e, s.m, s.tc, LEAD(s.m) OVER (PARTITION BY s.e ORDER BY s.d, s.i) AS nm "
            "FROM ind_se s WHERE s.e IN (SELECT e FROM ind_mu)) z WHERE nm IS NULL OR nm > m",
        ],
    ),
    (
        "events",
        [
            "CREATE TEMP TABLE ind_ev AS "
            "SELECT se.e, se.d, 1 AS t, se.i, "
            + _uncode("se.tc", _STATUSES)
            + " AS s, "
            + _uncode("se.fc", _STATUSES)
            + " AS fs, CAST(NULL AS integer) AS prov, "
            "       CAST(NULL AS integer) AS park, CAST(NULL AS date) AS pd, "
            "       CAST(NULL AS integer) AS emp, CAST(NULL AS integer) AS prog, "
            "       CAST(NULL AS date) AS st "
            "FROM ind_se se WHERE " + _MOVER.format(col="se.e") + " "
            "UNION ALL SELECT enterprise_id, date, 0, id, NULL, NULL, province_id, "
            "       COALESCE(park_id, 0), NULL, NULL, NULL, NULL FROM enterprises_locationevent "
            "WHERE " + _MOVER.format(col="enterprise_id") + " "
            # Employees and progress (type −1), and the day a project's progress has stood
            # still for N months (type −2: it may be semi-finished from then on).
            "UNION ALL SELECT me.enterprise_id, me.date, -1, me.id, NULL, NULL, NULL, NULL, "
            "       NULL, me.employees, me.construction_progress, "
            "       CASE WHEN me.construction_progress IS NOT NULL THEN c.sd END "
            "FROM enterprises_measureevent me JOIN ind_day c ON c.d = me.date "
            "WHERE " + _MOVER.format(col="me.enterprise_id") + " "
            "UNION ALL SELECT me.enterprise_id, c.sd, -2, me.id, NULL, NULL, NULL, NULL, "
            "       NULL, NULL, NULL, NULL "
            "FROM enterprises_measureevent me JOIN ind_day c ON c.d = me.date "
            f"WHERE me.construction_progress >= {SEMI_FINISHED_PROGRESS} AND "
            + _MOVER.format(col="me.enterprise_id")
            + " UNION ALL SELECT x.id, "
            "       CASE WHEN x.permit_date < f.d THEN f.d ELSE x.permit_date END, "
            "       2, 0, NULL, NULL, NULL, NULL, x.permit_date, NULL, NULL, NULL "
            "FROM ind_u x JOIN (SELECT enterprise_id AS e, MIN(date) AS d "
            "       FROM enterprises_locationevent WHERE "
            + _MOVER.format(col="enterprise_id")
            + " GROUP BY enterprise_id) f ON f.e = x.id WHERE x.permit_date IS NOT NULL",
        ],
    ),
    (
        "carry",
        [
            "CREATE TEMP TABLE ind_g AS SELECT e, d, t, i, s, fs, prov, park, pd, emp, prog, st, "
            "COUNT(s) OVER w AS sg, COUNT(prov) OVER w AS lg, COUNT(emp) OVER w AS eg, "
            "COUNT(prog) OVER w AS pg FROM ind_ev "
            "WINDOW w AS (PARTITION BY e ORDER BY d, t, i ROWS UNBOUNDED PRECEDING)",
            "CREATE TEMP TABLE ind_st AS SELECT g.e, g.d, g.t, g.i, g.fs, g.s AS ts, g.pd, "
            "MAX(g.s) OVER (PARTITION BY g.e, g.sg) AS status, "
            "MAX(g.prov) OVER (PARTITION BY g.e, g.lg) AS prov, "
            "MAX(g.park) OVER (PARTITION BY g.e, g.lg) AS park, "
            # Before the first recorded headcount, the first one (as ``unit_rows``).
            "COALESCE(MAX(g.emp) OVER (PARTITION BY g.e, g.eg), FIRST_VALUE(g.emp) OVER "
            "(PARTITION BY g.e ORDER BY CASE WHEN g.emp IS NULL THEN 1 ELSE 0 END, g.d, g.t, g.i "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), 0) AS emp, "
            "CASE WHEN MAX(g.prog) OVER (PARTITION BY g.e, g.pg) >= "
            f"{SEMI_FINISHED_PROGRESS} AND g.d >= MAX(g.st) OVER (PARTITION BY g.e, g.pg) "
            "THEN 1 ELSE 0 END AS semi, c.m "
            "FROM ind_g g JOIN ind_day c ON c.d = g.d",
        ],
    ),
    (
        "month ends",
        [
            "CREATE TEMP TABLE ind_me AS SELECT e, m, status, prov, park, emp, semi FROM ("
            "SELECT e, m, status, prov, park, emp, semi, ROW_NUMBER() OVER "
            "(PARTITION BY e, m ORDER BY d DESC, t DESC, i DESC) AS rn FROM ind_st WHERE t < 2) z "
            "WHERE rn = 1",
            "CREATE TEMP TABLE ind_delta AS "
            "SELECT e, m, status, prov, park, emp, semi, 1 AS sg FROM ind_me "
            "WHERE status IS NOT NULL AND prov IS NOT NULL "
            "UNION ALL SELECT e, m, ps, pp, pk, pe, psm, -1 FROM ("
            "SELECT e, m, LAG(status) OVER w AS ps, LAG(prov) OVER w AS pp, LAG(park) OVER w AS pk, "
            "LAG(emp) OVER w AS pe, LAG(semi) OVER w AS psm "
            "FROM ind_me WINDOW w AS (PARTITION BY e ORDER BY m)) z "
            "WHERE ps IS NOT NULL AND pp IS NOT NULL",
        ],
    ),
    (
        "fine",
        [
            # The movers' attributes are those of each date (carried above), not ``ind_u``'s.
            "CREATE TEMP TABLE ind_fine AS SELECT 's' AS kind, x.m, x.status, x.prov, x.park, "
            + _MOVER_ATTRS
            + ", CAST(SUM(x.sg) AS integer) AS units, "
            "CAST(SUM(x.sg * x.emp) AS integer) AS jobs "
            "FROM ind_delta x JOIN ind_u u ON u.id = x.e "
            "GROUP BY x.m, x.status, x.prov, x.park, u.grp, x.emp, x.semi "
            "HAVING SUM(x.sg) <> 0 OR SUM(x.sg * x.emp) <> 0",
            "INSERT INTO ind_fine SELECT 'r', x.m, 'active', x.prov, x.park, "
            + _MOVER_ATTRS
            + ", COUNT(*), SUM(x.emp) "
            "FROM ind_st x JOIN ind_u u ON u.id = x.e "
            "WHERE x.t = 1 AND x.ts = 'active' AND x.fs IN ('idle', 'semi_active') "
            "AND x.prov IS NOT NULL GROUP BY x.m, x.prov, x.park, u.grp, x.emp, x.semi",
            "INSERT INTO ind_fine SELECT 'p', c.m, '', x.prov, x.park, " + _MOVER_ATTRS + ", "
            "COUNT(*), SUM(x.emp) "
            "FROM ind_st x JOIN ind_u u ON u.id = x.e JOIN ind_day c ON c.d = x.pd "
            "WHERE x.t = 2 AND x.prov IS NOT NULL GROUP BY c.m, x.prov, x.park, u.grp, x.emp, "
            "x.semi",
            # The fixed-place units whose class changes: revivals and permits with the
            # headcount of their day (their stocks: ``_OVERLAP_ROWS``, summed with the others).
            "INSERT INTO ind_fine SELECT 'r', s.m, 'active', x.prov, x.park, x.grp, "
            + _size_code("dp.emp")
            + ", 0, COUNT(*), SUM(dp.emp) FROM ind_se s JOIN ind_mu x ON x.e = s.e "
            "JOIN ind_day c ON c.d = s.d JOIN ind_dp dp ON dp.e = s.e AND dp.a <= c.n "
            f"AND (dp.b IS NULL OR c.n < dp.b) WHERE s.tc = {_ACTIVE} "
            f"AND s.fc IN ({_REVIVED_FROM}) GROUP BY s.m, x.prov, x.park, x.grp, dp.emp",
            "INSERT INTO ind_fine SELECT 'p', x.pm, '', x.prov, x.park, x.grp, "
            + _size_code("dp.emp")
            + ", 0, COUNT(*), SUM(dp.emp) FROM ind_mu x JOIN ind_day c ON c.d = x.pd "
            "JOIN ind_dp dp ON dp.e = x.e AND dp.a <= c.n AND (dp.b IS NULL OR c.n < dp.b) "
            "GROUP BY x.pm, x.prov, x.park, x.grp, dp.emp",
        ],
    ),
    (
        "sums",
        [
            # The fixed-place units' rows summed twice: by park (totals) and by province with
            # the breakdowns; ``ind_fine`` (the movers, far fewer) is added to each.
            _SUM.format(
                table="ind_sum_k",
                rows=_FIXED_ROWS.format(
                    stock="x.park AS place",
                    flow="x.park",  # a park's totals: no semi-finished breakdown
                    fix="",
                    where="AND x.park <> 0",
                    fine="f.park",
                    fine_where="WHERE f.park <> 0",
                )
                + _OVERLAP_ROWS.format(overlap="x.park", overlap_where="WHERE x.park <> 0"),
            ),
            _SUM.format(
                table="ind_sum_p",
                rows=_FIXED_ROWS.format(
                    stock="x.pc" + _SEMI_BIT + " AS place",
                    flow="x.pc",
                    fix=_STALLED_ROWS.format(kp=""),
                    where="",
                    fine=_FINE_CLASS,
                    fine_where="",
                )
                + _OVERLAP_ROWS.format(overlap=_OVERLAP_CLASS, overlap_where=""),
            ),
        ],
    ),
    # The new facts are written in their key's order (country, parks, provinces; then place,
    # kind, breakdown, month, status, value): the key's index is then built from sorted rows,
    # several times faster than from shuffled ones (PostgreSQL).
    (
        "provinces",
        [
            "CREATE TEMP TABLE ind_pfact AS SELECT " + _untag("p", "prov") + ", dim, value, "
            "SUM(units) AS units, SUM(jobs) AS jobs, tag, dc, vc FROM ("
            "SELECT tag, prov, x.dim, CASE x.dim WHEN 'group' THEN CAST(grp AS varchar(40)) "
            "WHEN 'size' THEN "
            + _uncode("sz", _SIZES)
            + " WHEN '' THEN '' ELSE '1' END AS value, "
            + _code("x.dim", _DIMS)
            + " AS dc, CASE x.dim WHEN 'group' THEN "
            + _group_order("grp")
            + " WHEN 'size' THEN "
            + _size_order("sz")
            + " ELSE 0 END AS vc, "
            "units, jobs FROM "
            + _SUM_P
            + " f JOIN ind_fan x ON (x.dim <> 'semi' OR ("
            + _SEMI
            + ")) AND (x.dim <> 'inpark' OR inpark = 1)) z GROUP BY tag, prov, dim, value, dc, vc "
            "HAVING SUM(units) <> 0 OR SUM(jobs) <> 0",
        ],
    ),
    ("facts", [_INSERT_FACTS + _FACTS]),
    (
        "swap",
        [
            "DELETE FROM indicators_fact",
            "INSERT INTO indicators_fact (kind, month, level, place, status, dim, value, units, jobs) "
            "SELECT kind, month, level, place, status, dim, value, units, jobs FROM ind_fact",
        ],
    ),
]
# PostgreSQL's own statements for some steps. It fans the province rows out in one pass
# (GROUPING SETS) instead of a join, and writes the new facts table itself (see below).
_PG_STEPS = {
    # Both sums in one pass over the rows (two hash tables, one join of the events with their
    # units), then split.
    "sums": [
        "CREATE TEMP TABLE ind_sum AS SELECT tag, kp, pc, GROUPING(kp) AS gk, "
        "CAST(SUM(units) AS integer) AS units, CAST(SUM(jobs) AS integer) AS jobs FROM ("
        + _FIXED_ROWS.format(
            stock=_PARK.format(t="x") + " AS kp, x.pc" + _SEMI_BIT + " AS pc",
            flow=_PARK.format(t="x") + ", x.pc",
            fix=_STALLED_ROWS.format(kp="NULL, "),
            where="",
            fine=_PARK.format(t="f") + ", " + _FINE_CLASS,
            fine_where="",
        )
        + _OVERLAP_ROWS.format(
            overlap=_PARK.format(t="x") + ", " + _OVERLAP_CLASS, overlap_where=""
        )
        + ") z GROUP BY GROUPING SETS ((tag, kp), (tag, pc))",
        "CREATE TEMP TABLE ind_sum_k AS SELECT tag, kp AS place, units, jobs FROM ind_sum "
        "WHERE gk = 0 AND kp IS NOT NULL",
        "CREATE TEMP TABLE ind_sum_p AS SELECT tag, pc AS place, units, jobs FROM ind_sum "
        "WHERE gk = 1",
    ],
    "provinces": [
        "CREATE TEMP TABLE ind_pfact AS SELECT " + _untag("p", "prov") + ", "
        "CASE WHEN GROUPING(grp) = 0 THEN 'group' WHEN GROUPING(sz) = 0 THEN 'size' "
        "WHEN GROUPING(semi) = 0 THEN 'semi' WHEN GROUPING(inpark) = 0 THEN 'inpark' "
        "ELSE '' END AS dim, "
        "CASE WHEN GROUPING(grp) = 0 THEN CAST(grp AS varchar(40)) "
        "WHEN GROUPING(sz) = 0 THEN " + _uncode("sz", _SIZES) + " WHEN GROUPING(semi) = 0 "
        "THEN '1' WHEN GROUPING(inpark) = 0 THEN '1' ELSE '' END AS value, "
        "SUM(units) AS units, SUM(jobs) AS jobs, tag, "
        f"CASE WHEN GROUPING(grp) = 0 THEN {_DIMS.index('group')} WHEN GROUPING(sz) = 0 THEN "
        f"{_DIMS.index('size')} WHEN GROUPING(semi) = 0 THEN {_DIMS.index('semi')} "
        f"WHEN GROUPING(inpark) = 0 THEN {_DIMS.index('inpark')} ELSE 0 END AS dc, "
        "CASE WHEN GROUPING(grp) = 0 THEN " + _group_order("grp") + " WHEN GROUPING(sz) = 0 "
        "THEN " + _size_order("sz") + " ELSE 0 END AS vc FROM " + _SUM_P + " p "
        "GROUP BY tag, prov, GROUPING SETS ((), (grp), (sz), (semi), (inpark)) "
        "HAVING (GROUPING(semi) = 1 OR (" + _SEMI + ")) AND (GROUPING(inpark) = 1 OR inpark = 1) "
        "AND (SUM(units) <> 0 OR SUM(jobs) <> 0)",
    ],
    "facts": [
        # Serial: a parallel plan would interleave the parts.
        "SET LOCAL max_parallel_workers_per_gather = 0",
        "CREATE TABLE ind_fact AS SELECT CAST(kind AS varchar(1)) AS kind, month, "
        "CAST(level AS varchar(1)) AS level, CAST(place AS integer) AS place, "
        "CAST(status AS varchar(20)) AS status, "
        "CAST(dim AS varchar(10)) AS dim, CAST(value AS varchar(40)) AS value, "
        "CAST(units AS bigint) AS units, CAST(jobs AS bigint) AS jobs FROM (" + _FACTS + ") f",
    ],
}
# On PostgreSQL ``ind_fact`` is the new facts table itself (not a work table): written in the
# snapshot's transaction (step "facts", with the columns of ``indicators_fact``: a column
# added to Fact must be added there), keyed after it, and swapped in by renaming (readers
# wait for the rename only, not for the writing).
_PG_SWAP_PREPARE = [
    "ALTER TABLE ind_fact ALTER units SET NOT NULL, ALTER jobs SET NOT NULL, "
    "ADD CONSTRAINT ind_fact_pkey PRIMARY KEY (level, place, kind, dim, month, status, value)",
    # A new table has no statistics: without them the planner reads a province's parks
    # with a filter over every park row instead of the index (0.5 s instead of 10 ms).
    "ANALYZE ind_fact",
]
_PG_SWAP = [
    "LOCK TABLE indicators_fact IN ACCESS EXCLUSIVE MODE",
    "ALTER TABLE indicators_fact RENAME TO indicators_fact_old",
    "ALTER TABLE indicators_fact_old RENAME CONSTRAINT indicators_fact_pkey "
    "TO indicators_fact_old_pkey",
    "ALTER TABLE ind_fact RENAME TO indicators_fact",
    "ALTER TABLE indicators_fact RENAME CONSTRAINT ind_fact_pkey TO indicators_fact_pkey",
    "DROP TABLE indicators_fact_old",
]
# Temporary tables have no statistics until analysed: the planner needs them for the joins.
_ANALYZE = {
    "units": "ind_u",
    "copies": "ind_se, ind_span",
    "fixed places": "ind_simple, ind_mu",
    "classes": "ind_sv, ind_cp, ind_dp, ind_sp",
    "month ends": "ind_delta",
}
# PostgreSQL, for the snapshot's transaction: window sorts and aggregates stay in memory
# instead of spilling; scans, joins and the appends that feed each sum run on every core
# (parallel plans cost nothing extra here: the rebuild is the only query on its session);
# no JIT compilation (its 0.4 s per large statement buys nothing on these plans).
_PG_SETTINGS = [
    "SET LOCAL work_mem = '1GB'",
    "SET LOCAL jit = off",
    "SET LOCAL parallel_setup_cost = 0",
    "SET LOCAL parallel_tuple_cost = 0",
    "SET LOCAL min_parallel_table_scan_size = 0",
]
_TEMP = (
    "ind_day",
    "ind_fan",
    "ind_fact",
    "ind_pfact",
    "ind_u",
    "ind_se",
    "ind_simple",
    "ind_mu",
    "ind_sv",
    "ind_mq",
    "ind_cp",
    "ind_dp",
    "ind_sp",
    "ind_mover",
    "ind_ev",
    "ind_g",
    "ind_st",
    "ind_me",
    "ind_delta",
    "ind_fine",
    "ind_sum_k",
    "ind_sum_p",
    "ind_sum",
    "ind_span",
)


def _calendar(cursor: Any) -> None:
    cursor.execute(
        "SELECT MIN(d), MAX(d) FROM (SELECT MIN(date) AS d FROM enterprises_statusevent "
        "UNION ALL SELECT MAX(date) FROM enterprises_statusevent "
        "UNION ALL SELECT MIN(date) FROM enterprises_locationevent "
        "UNION ALL SELECT MAX(date) FROM enterprises_locationevent "
        "UNION ALL SELECT MIN(permit_date) FROM ind_u UNION ALL SELECT MAX(permit_date) "
        "FROM ind_u UNION ALL SELECT MIN(date) FROM enterprises_measureevent "
        "UNION ALL SELECT MAX(date) FROM enterprises_measureevent) z"  # ind_u: the narrow copy
    )
    low, high = cursor.fetchone()
    if isinstance(low, str):  # SQLite returns text from an aggregate over a union
        low, high = dt.date.fromisoformat(low), dt.date.fromisoformat(high)
    # Every day of the history with its month and the day progress recorded on it has stood
    # still long enough (``stalled_from``); then the days up to the last of those.
    # ``n``: the day's number in the history (the rebuild compares days as integers).
    days: list[tuple[dt.date, int, dt.date, int, int]] = []
    months = stalled_months()  # the agency's number, read once
    if low is not None:
        day, last = low, stalled_from(high, months)
        while day <= last:
            stalled = stalled_from(day, months)
            days.append((day, month_index(day), stalled, month_index(stalled), len(days)))
            day += dt.timedelta(days=1)
    if connection.vendor == "postgresql":  # one statement, not one per day (0.3 s at 9,600)
        cursor.execute(
            "INSERT INTO ind_day (d, m, sd, sm, n) SELECT * FROM unnest(%s::date[], "
            "%s::integer[], %s::date[], %s::integer[], %s::integer[])",
            [[d[i] for d in days] for i in range(5)],
        )
    else:
        cursor.executemany(
            "INSERT INTO ind_day (d, m, sd, sm, n) VALUES (%s, %s, %s, %s, %s)", days
        )


class RebuildRunning(RuntimeError):
    pass


def rebuild(
    progress: Callable[[str, int, int], None] | None = None, run: RefreshRun | None = None
) -> RefreshRun:
    """Rebuild every fact from the registry, as of one moment, while the registry keeps
    changing. The registry is read in one snapshot (PostgreSQL: a REPEATABLE READ
    transaction; SQLite: one transaction holding the write lock, so writers wait), into
    temporary tables; the new table is then swapped in with the changes committed after
    the snapshot added (their ``FactChange`` rows), so none is lost. A rebuild that stops
    half-way leaves the facts as they were, and its ``RefreshRun`` says where it stopped."""
    run = run or RefreshRun.objects.create(kind="rebuild", steps_total=len(_STEPS))
    RefreshRun.objects.filter(pk=run.pk).update(steps_total=len(_STEPS))
    postgres = connection.vendor == "postgresql"
    step = {"name": ""}
    busy = RebuildRunning("Another rebuild of the facts is running.")
    try:
        with (
            _progress_reporter(run.pk) as report,
            one_at_a_time("pishran.rebuild_facts", busy),
            connection.cursor() as cursor,
        ):
            mark_abandoned_runs(but=run.pk)  # no other rebuild runs now: any "running" died
            outermost = not connection.in_atomic_block  # tests run inside a transaction
            with transaction.atomic():
                if postgres and outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                if postgres:
                    for setting in _PG_SETTINGS:
                        cursor.execute(setting)
                _create_work_tables(cursor, postgres)
                for done, (name, statements) in enumerate(_STEPS):
                    step["name"] = name
                    report(name, done)
                    if progress:
                        progress(name, done, len(_STEPS))
                    if name == "calendar":
                        _calendar(cursor)
                        continue
                    if name == "swap":
                        break
                    if postgres:
                        statements = _PG_STEPS.get(name, statements)
                    for sql in statements:
                        cursor.execute(_work_tables(sql, postgres))
                    if postgres and name in _ANALYZE:
                        cursor.execute(f"ANALYZE {_ANALYZE[name]}")
                # The changes this snapshot sees are in the new facts already.
                seen = set(FactChange.objects.values_list("pk", flat=True))
                if not postgres:
                    for sql in dict(_STEPS)["swap"]:
                        cursor.execute(sql)
                    _settle_changes(cursor, seen, "indicators_fact")
            if postgres:
                for sql in _PG_SWAP_PREPARE:
                    cursor.execute(sql)
                with transaction.atomic():
                    # Changes wait here (their rows, then the facts) until the swap is done.
                    cursor.execute("LOCK TABLE indicators_factchange IN EXCLUSIVE MODE")
                    cursor.execute("LOCK TABLE indicators_fact IN ACCESS EXCLUSIVE MODE")
                    _settle_changes(cursor, seen, "ind_fact")
                    for sql in _PG_SWAP:
                        cursor.execute(sql)
            cursor.execute("SELECT COUNT(*) FROM indicators_fact")
            rows = cursor.fetchone()[0]
            for name in _TEMP:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
    except BaseException as error:
        _record_failure(run.pk, error, step["name"])
        raise
    RefreshRun.objects.filter(pk=run.pk).update(
        state=RefreshRun.State.DONE,
        steps_done=len(_STEPS),
        step="",
        rows=rows,
        finished_at=timezone.now(),
    )
    if progress:
        progress("done", len(_STEPS), len(_STEPS))
    publish(FactsRebuilt(run_id=run.pk, rows=rows))
    run.refresh_from_db()
    return run


def _work_tables(sql: str, postgres: bool) -> str:
    """PostgreSQL: the work tables are unlogged tables, not temporary ones: a parallel worker
    cannot read another session's temporary tables, and no one else sees them before the
    snapshot's transaction ends (they are dropped at the end)."""
    return sql.replace("CREATE TEMP TABLE", "CREATE UNLOGGED TABLE") if postgres else sql


def _create_work_tables(cursor: Any, postgres: bool) -> None:
    for name in _TEMP:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        _work_tables(
            "CREATE TEMP TABLE ind_day (d date PRIMARY KEY, m integer, sd date, sm integer, "
            "n integer)",
            postgres,
        )
    )
    cursor.execute(_work_tables("CREATE TEMP TABLE ind_fan (dim varchar(10))", postgres))
    cursor.executemany(
        "INSERT INTO ind_fan VALUES (%s)", [(d,) for d in ("", "group", "size", "semi", "inpark")]
    )
    if not postgres:  # PostgreSQL creates the new facts table in its step "facts"
        cursor.execute(
            "CREATE TEMP TABLE ind_fact (kind varchar(1), month integer, level varchar(1), "
            "place integer, status varchar(20), dim varchar(10), value varchar(40), "
            "units bigint, jobs bigint)"
        )


def _settle_changes(cursor: Any, seen: set[int], table: str) -> None:
    """At the swap: changes the snapshot saw are counted (their pending commit hooks must
    not add them again); changes committed after it are added to the new ``table`` if
    their difference is known, else left for their commit hook (which will find the new
    table). Settled rows are deleted."""
    replay: dict[Key, list[int]] = defaultdict(_zero)
    done: list[int] = []
    for pk, diff in FactChange.objects.values_list("pk", "diff"):
        if pk in seen:
            done.append(pk)
        elif diff is not None:
            for key, (u, j) in _unpack(diff).items():
                replay[key][0] += u
                replay[key][1] += j
            done.append(pk)
    _upsert(cursor, table, {k: v for k, v in replay.items() if v != [0, 0]})
    for start in range(0, len(done), 1000):
        FactChange.objects.filter(pk__in=done[start : start + 1000]).delete()


@contextlib.contextmanager
def _progress_reporter(pk: int) -> Iterator[Callable[[str, int], None]]:
    """Writes how far the run got where others can read it while it runs: on PostgreSQL
    through a connection of its own (the rebuild's transaction is not visible until it
    ends); on SQLite in the rebuild's transaction (another writer would wait for it)."""
    other = None
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        other = connections.create_connection(DEFAULT_DB_ALIAS)

    def report(step: str, done: int) -> None:
        sql = "UPDATE indicators_refreshrun SET step = %s, steps_done = %s WHERE id = %s"
        with contextlib.suppress(Exception):  # a courtesy: never why a rebuild fails
            with (other or connection).cursor() as cursor:
                cursor.execute(sql, [step, done, pk])

    try:
        yield report
    finally:
        if other is not None:
            other.close()


def _record_failure(pk: int, error: BaseException, step: str = "") -> None:
    """Say why the run stopped, on a fresh connection if the database dropped this one
    (a restarted server): the facts themselves were never touched."""
    for _attempt in range(2):
        try:
            RefreshRun.objects.filter(pk=pk).update(
                state=RefreshRun.State.FAILED,
                error=repr(error)[:2000],
                step=step,
                finished_at=timezone.now(),
            )
            return
        except Exception:  # the connection is gone: reconnect once
            connection.close()


def mark_abandoned_runs(but: int | None = None) -> int:
    """Runs still 'running' whose worker died: say so (nothing of theirs was swapped in).
    Called by a rebuild once it holds the one-rebuild lock (``but``: its own run)."""
    runs = RefreshRun.objects.filter(state=RefreshRun.State.RUNNING)
    if but is not None:
        runs = runs.exclude(pk=but)
    return runs.update(
        state=RefreshRun.State.FAILED,
        error="The worker stopped before the rebuild finished; the facts were left as they were.",
        finished_at=timezone.now(),
    )


def all_facts() -> dict[Key, tuple[int, int]]:
    """Every non-zero fact (for comparisons)."""
    return {
        (f.kind, f.month, f.level, f.place, f.status, f.dim, f.value): (f.units, f.jobs)
        for f in Fact.objects.exclude(units=0, jobs=0)
    }


def python_facts() -> dict[Key, tuple[int, int]]:
    """The facts summed unit by unit in Python (slow; for tests)."""
    ids = list(Enterprise.objects.values_list("id", flat=True))
    return {k: (u, j) for k, (u, j) in units_rows(ids).items() if (u, j) != (0, 0)}
