"""The cases pre-aggregated per day and per Jalali month (``CaseFact``), so that the
figures of every case type — the business clinics' open cases by stage, diagnoses,
causes and revivals; the finance pipeline's files by stage — are a handful of indexed
rows whatever the number of cases, like the registry's ``indicators.facts``.

A case's contribution (its *share*) is computed in Python from its dated history:

- **stage** (a stock): +1 on the day the case entered a stage, −1 on the day it left it,
  counted in the province of the office that held it then and in its unit's park (today's,
  as the clinics' rows pages count it); a day's several steps count by the day's last;
- **flows** declared by the source of the case type (``register_flows``): items
  ``(measure, day, value, amount, office_day)`` — a diagnosis, each of its causes, a
  revival, its jobs, its days since opening, a revival that held six months… — counted on
  ``day`` in the province of the office that held the case on ``office_day``.

Every share is written three times: a day row (``gran`` d), its month's row (``gran`` m,
on the month's first day) and its Jalali year's (``gran`` y, on 1 Farvardin). A figure as
of a date reads the day rows of its month, the month rows before it, and — counted from
the beginning (a stock, an all-time ledger) — the year rows before its year: at most a few
thousand rows for the largest province, and a twelfth of the months' for all time.
The table also keeps each cell's **all-time** total (``gran`` a, on ``ALL_TIME``: the sum
of its year rows, written with them — not part of a case's share), so that a sum from the
beginning to today, such as the referral list's ledgers or the pipeline's files by stage
after any case event, reads one row per value: a quarter of the year rows in 2026.

**Kept in step inside the change's transaction**: every ``case.`` event, and every registry
change of a unit that has cases (its park, its status history: whether a revival held),
recomputes the case's share, locks its ``CaseShare`` row, and applies the difference to
``CaseFact`` (an upsert in key order, so that two writers never deadlock) — it commits or
rolls back with the change. ``rebuild()`` recomputes everything (``manage.py
rebuild_facts``; after writes that bypass the services, such as the benchmarks' COPY).
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import BigIntegerField, F, JSONField, Q, Sum, When
from django.db.models import Case as Case_

from cases.events import CaseEvent as CaseAnnounced
from cases.models import Case, CaseEvent
from enterprises.events import EnterpriseEvent, OwnersChanged, UnitsUpdated
from persian.jalali import today, year_bounds, year_of, year_start

from .base import Place
from .facts import month_index, month_start
from .models import CaseFact, CaseShare

Key = tuple[str, str, int, str, str, dt.date, str]  # type, level, place, measure, gran, day, value
Item = tuple[str, dt.date, str, int, dt.date]  # measure, day, value, amount, office day
Flows = Callable[[list[int]], dict[int, list[Item]]]

STAGE = "stage"
BATCH = 2000
# The day of the all-time rows (``gran`` a): before any case.
ALL_TIME = dt.date(1, 1, 1)

_FLOWS: dict[str, Flows] = {}


def register_flows(case_type: str, flows: Flows) -> None:
    """Declare the flows of a case type: ``flows(case_ids)`` gives each case's items."""
    _FLOWS[case_type] = flows


# --- one case's share, in Python ------------------------------------------------------------


def _month_day(day: dt.date) -> dt.date:
    return month_start(month_index(day))


def _fan(
    case_type: str,
    province: int | None,
    park: int | None,
    measure: str,
    day: dt.date,
    value: str,
    amount: int,
    out: Counter[Key],
) -> None:
    places = [("c", 0)]
    if province is not None:
        places.append(("p", province))
    if park:
        places.append(("k", park))
    first, year = _month_day(day), year_start(day)
    for level, place in places:
        out[(case_type, level, place, measure, "d", day, value)] += amount
        out[(case_type, level, place, measure, "m", first, value)] += amount
        out[(case_type, level, place, measure, "y", year, value)] += amount


def shares(case_ids: Iterable[int]) -> dict[int, Counter[Key]]:
    """Each case's share of the facts (cells with a zero amount left out)."""
    ids = list(case_ids)
    cases = {
        pk: (case_type, park)
        for pk, case_type, park in Case.objects.filter(pk__in=ids).values_list(
            "pk", "type", "enterprise__park_id"
        )
    }
    steps: dict[int, list[tuple[dt.date, str, int]]] = defaultdict(list)
    for case_id, date, stage, province in (
        CaseEvent.objects.filter(case_id__in=ids)
        .order_by("case_id", "date", "id")
        .values_list("case_id", "date", "stage", "province_id")
    ):
        steps[case_id].append((date, stage, province))
    flows: dict[int, list[Item]] = {}
    for case_type in {t for t, _p in cases.values()}:
        declared = _FLOWS.get(case_type)
        if declared is not None:
            flows.update(declared([pk for pk, (t, _p) in cases.items() if t == case_type]))
    out: dict[int, Counter[Key]] = {}
    for pk, (case_type, park) in cases.items():
        share: Counter[Key] = Counter()
        history = steps.get(pk, [])
        # The state at the end of each day with a step (its last step), then +1/−1.
        days: list[tuple[dt.date, str, int]] = []
        for date, stage, province in history:
            if days and days[-1][0] == date:
                days[-1] = (date, stage, province)
            else:
                days.append((date, stage, province))
        for i, (date, stage, province) in enumerate(days):
            _fan(case_type, province, park, STAGE, date, stage, 1, share)
            if i + 1 < len(days):
                _fan(case_type, province, park, STAGE, days[i + 1][0], stage, -1, share)
        step_days = [d for d, _s, _p in history]
        for measure, day, value, amount, office_day in flows.get(pk, []):
            at = bisect.bisect_right(step_days, office_day)
            office = history[at - 1][2] if at else None
            _fan(case_type, office, park, measure, day, value, amount, share)
        out[pk] = _nonzero(share)  # drops the cells a step took back the same day
    return out


def _with_all_time(cells: Counter[Key]) -> Counter[Key]:
    """``cells`` and their all-time rows (``gran`` a): each year row's amount again on
    ``ALL_TIME`` — how the table holds them, beside the shares (which do not)."""
    out = Counter(cells)
    for (case_type, level, place, measure, gran, _day, value), n in cells.items():
        if gran == "y":
            out[(case_type, level, place, measure, "a", ALL_TIME, value)] += n
    return out


def _nonzero(cells: Counter[Key]) -> Counter[Key]:
    """The cells with an amount (``+counter`` would drop the negative ones too)."""
    return Counter({key: n for key, n in cells.items() if n})


# --- applying a change ----------------------------------------------------------------------


def _encode(share: Counter[Key]) -> list[list[Any]]:
    return [[*key[:5], key[5].isoformat(), key[6], n] for key, n in sorted(share.items())]


def _decode(rows: list[list[Any]]) -> Counter[Key]:
    return Counter(
        {(t, lv, pl, m, g, dt.date.fromisoformat(d), v): n for t, lv, pl, m, g, d, v, n in rows}
    )


_UPSERT = (
    "INSERT INTO indicators_casefact (type, level, place, measure, gran, day, value, n) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (type, measure, level, place, gran, day, value) DO UPDATE SET "
    "n = indicators_casefact.n + excluded.n"
)


def _upsert(diff: Counter[Key]) -> None:
    rows = [(*key, n) for key, n in sorted(_with_all_time(diff).items()) if n]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(_UPSERT, rows)


def recompute(case_ids: Iterable[int]) -> None:
    """Bring the facts of these cases up to date with their history (inside the caller's
    transaction, or in one of its own)."""
    ids = sorted(set(case_ids))
    if not ids:
        return
    with transaction.atomic():
        before = {
            share.case_id: _decode(share.rows)
            for share in CaseShare.objects.select_for_update().filter(case_id__in=ids)
        }
        after = shares(ids)
        diff: Counter[Key] = Counter()
        for pk in ids:
            new, old = after.get(pk, Counter()), before.get(pk, Counter())
            if new == old:
                continue
            diff.update(new)
            diff.subtract(old)
            if pk in after:
                CaseShare.objects.update_or_create(case_id=pk, defaults={"rows": _encode(new)})
            else:  # the case is gone
                CaseShare.objects.filter(case_id=pk).delete()
        _upsert(diff)


def case_changed(event: CaseAnnounced) -> None:
    """Subscribed inside the transaction to every ``case.`` event."""
    recompute([event.case_id])


def unit_changed(event: EnterpriseEvent) -> None:
    """Subscribed inside the transaction to the registry's events: a unit's park and status
    history count in its cases' facts (where they count at a park; whether a revival held)."""
    if isinstance(event, OwnersChanged):
        return
    recompute(Case.objects.filter(enterprise_id=event.enterprise_id).values_list("pk", flat=True))


def units_changed(event: UnitsUpdated) -> None:
    """``unit_changed`` for units updated in bulk (one query for the batch's cases)."""
    recompute(
        Case.objects.filter(enterprise_id__in=event.enterprise_ids).values_list("pk", flat=True)
    )


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every case's share and the whole table, in one transaction (case writes
    wait for it). Returns the number of fact rows."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "LOCK TABLE indicators_casefact, indicators_caseshare IN EXCLUSIVE MODE"
                )
        CaseFact.objects.all().delete()
        CaseShare.objects.all().delete()
        ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
        total: Counter[Key] = Counter()
        for start in range(0, len(ids), BATCH):
            batch = shares(ids[start : start + BATCH])
            _write(CaseShare, ("case_id", "rows"), ((pk, _encode(s)) for pk, s in batch.items()))
            for share in batch.values():
                total.update(share)
            if progress is not None:
                progress(min(start + BATCH, len(ids)), len(ids))
        columns = ("type", "level", "place", "measure", "gran", "day", "value", "n")
        cells = _with_all_time(total)
        _write(CaseFact, columns, ((*key, n) for key, n in sorted(cells.items()) if n))
        if connection.vendor == "postgresql":  # the planner's statistics for the new rows
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE indicators_casefact")
        return CaseFact.objects.count()


def _write(model: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert many rows: COPY on PostgreSQL (a million cells in seconds, where the ORM's
    inserts take minutes), ``bulk_create`` elsewhere. A JSON field's value is written as
    its JSON text."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=5000
        )
        return
    fields = [model._meta.get_field(c) for c in columns]
    as_json = [isinstance(f, JSONField) for f in fields]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [json.dumps(v) if j else v for v, j in zip(row, as_json, strict=True)]
                )


def all_facts() -> dict[Key, int]:
    """The table as it stands (zero cells left out), for the tests' comparisons."""
    return {
        (f.type, f.level, f.place, f.measure, f.gran, f.day, f.value): f.n
        for f in CaseFact.objects.exclude(n=0)
    }


def python_facts() -> dict[Key, int]:
    """The table as the shares of every case sum it."""
    total: Counter[Key] = Counter()
    for share in shares(Case.objects.values_list("pk", flat=True)).values():
        total.update(share)
    return dict(_nonzero(_with_all_time(total)))


# --- reading --------------------------------------------------------------------------------


def _period(since: dt.date | None, as_of: dt.date, years: bool = True) -> Q:
    """The rows that sum a flow from ``since`` (a month's first day; None: from the
    beginning) to ``as_of``: the day rows of ``as_of``'s month up to it, the month rows of
    whole months before it from ``since`` — and, from the beginning, the year rows of whole
    Jalali years before ``as_of``'s year, its months only from 1 Farvardin (``years``
    false: months all the way, for the monthly series)."""
    first = _month_day(as_of)
    days = Q(gran="d", day__gte=max(first, since or first), day__lte=as_of)
    if since is None and years:
        year = year_start(as_of)
        return Q(gran="y", day__lt=year) | Q(gran="m", day__gte=year, day__lt=first) | days
    months = Q(gran="m", day__lt=first)
    if since is not None:
        months &= Q(day__gte=since)
    return months | days


def _summed(since: dt.date | None, as_of: dt.date) -> tuple[Q, Any]:
    """The rows and the sum of a flow (or a stock's changes) from ``since`` to ``as_of``
    (``_period``). From the beginning to today the all-time rows alone hold it (one per
    value), and from 1 Farvardin to today this year's rows — less the days after ``as_of``
    (none, no step being dated in the future): a twelfth of the rows the months and days
    of the year so far would be, or fewer."""
    if as_of >= today() and since in (None, year_start(as_of)):
        if since is None:
            period = Q(gran="a") | Q(gran="d", day__gt=as_of)
        else:
            last = year_bounds(year_of(as_of))[1]
            period = Q(gran="y", day=since) | Q(gran="d", day__gt=as_of, day__lte=last)
        signed = Case_(When(gran="d", then=-F("n")), default=F("n"), output_field=BigIntegerField())
        return period, Sum(signed)
    return _period(since, as_of), Sum("n")


def _grouped(query: Any) -> list[tuple[Any, ...]]:
    """The rows of a grouped ``values_list`` query as the database returns them, read on
    the connection the query would use: no ORM converter called per row (a national ledger
    is ~1,650 sums, a converter each took more than the query itself)."""
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()  # type: ignore[no-any-return]


def _where(case_type: str, measure: str, place: Place | None) -> Q:
    q = Q(type=case_type, measure=measure)
    if place is None:
        return q & Q(level="p")
    return q & Q(level=place.level, place=place.id)


def _sums(
    case_type: str,
    measure: str,
    place: Place | None,
    since: dt.date | None,
    as_of: dt.date,
    values: Sequence[str] | None,
) -> dict[tuple[int, str], int]:
    period, amount = _summed(since, as_of)
    rows = CaseFact.objects.filter(_where(case_type, measure, place), period)
    # The values are kept in Python, not asked of the database: with ``value IN (…)`` the
    # planner walked the key's index and filtered the period row by row (11 ms for a map of
    # the pipeline's open stages, against 1 ms by the day's index for every value).
    kept = None if values is None else set(values)
    return {
        (p, v): int(n or 0)
        for p, v, n in _grouped(rows.values_list("place", "value").annotate(n=amount).order_by())
        if kept is None or v in kept
    }


def stock(
    case_type: str, place: Place, as_of: dt.date, values: Sequence[str] | None = None
) -> dict[str, int]:
    """Cases at each stage (of ``values``) at the place at the end of ``as_of``."""
    return {v: n for (_p, v), n in _sums(case_type, STAGE, place, None, as_of, values).items()}


def flow(
    case_type: str,
    measure: str,
    place: Place,
    since: dt.date | None,
    as_of: dt.date,
) -> dict[str, int]:
    """A flow's amount per value from ``since`` (a Jalali month's first day; None: from the
    beginning) to ``as_of``."""
    return {v: n for (_p, v), n in _sums(case_type, measure, place, since, as_of, None).items()}


def flows(
    case_type: str,
    measures: Sequence[str] | None,
    places: Sequence[Place],
    since: dt.date | None,
    as_of: dt.date,
) -> dict[str, dict[str, int]]:
    """Several flows at once, summed over ``places`` (which must not overlap): measure →
    value → amount from ``since`` (None: from the beginning) to ``as_of``; every flow of
    the type when ``measures`` is None (the stages' stock left out). One query (from the
    beginning to today: the all-time rows only, ``_summed``)."""
    where = Q()
    for place in places:
        where |= Q(level=place.level, place=place.id)
    period, amount = _summed(since, as_of)
    rows = CaseFact.objects.filter(where, period, type=case_type)
    if measures is None:
        rows = rows.exclude(measure=STAGE)
    else:
        rows = rows.filter(measure__in=list(measures))
    out: dict[str, dict[str, int]] = {measure: {} for measure in measures or ()}
    for measure, value, n in _grouped(
        rows.values_list("measure", "value").annotate(n=amount).order_by()
    ):
        out.setdefault(measure, {})[value] = int(n or 0)
    return out


def by_province(
    case_type: str,
    measure: str,
    since: dt.date | None,
    as_of: dt.date,
    values: Sequence[str] | None = None,
) -> dict[int, dict[str, int]]:
    """A stock (``measure`` ``stage``, ``since`` None) or a flow per province and value."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for (province, value), n in _sums(case_type, measure, None, since, as_of, values).items():
        out[province][value] = n
    return dict(out)


def monthly(
    case_type: str,
    measure: str,
    place: Place,
    as_of: dt.date,
    values: Sequence[str] | None = None,
) -> dict[int, int]:
    """The amount of each Jalali month (``facts.month_index``) up to ``as_of`` (its own month
    up to that day), summed over ``values``: a flow's monthly amounts, or a stock's monthly
    changes (its month-end values are their running sum)."""
    rows = CaseFact.objects.filter(
        _where(case_type, measure, place), _period(None, as_of, years=False)
    )
    if values is not None:
        rows = rows.filter(value__in=list(values))
    out: dict[int, int] = defaultdict(int)
    for day, n in rows.values_list("day", "n"):
        out[month_index(day)] += n
    return dict(out)
