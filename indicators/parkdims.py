"""Units and jobs by park kind (park / zone) and ownership (state / private), by status, for
the country or a province as of a date; and the parks and zones by kind × ownership.

The figures officials quote ("units and jobs in state and private parks and zones") are
summed from the parks' own facts (each park's units and jobs by status, ``level = 'k'``:
a few thousand parks), each park counted under its kind and ownership; the units outside
any park are the place's total (the facts of ``units``) minus the parks'. No unit is read:
the same facts the cards read, so the rows pages (``rows.Asked.park_kind`` /
``ownership``) state the same numbers.

A park's kind and ownership are its current ones (the registry keeps no history of them);
the parks that existed on a date are those established on or before it, or with no
establishment date recorded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from places.models import Park, Province

from . import facts
from .models import Indicator
from .sources import Place, memo, partial_month

# The table's groups, in order: (park kind, ownership); "none" is outside any park.
GROUPS: tuple[tuple[str, str], ...] = (
    ("park", "state"),
    ("park", "private"),
    ("zone", "state"),
    ("zone", "private"),
)
OUTSIDE = ("none", "")
KINDS = (*Park.Kind.values, OUTSIDE[0])

Cells = dict[tuple[str, str], dict[str, tuple[int, int]]]  # group → status → (units, jobs)


def _parks() -> dict[int, tuple[int, str, str]]:
    """Every park's province, kind and ownership, kept per figures version."""
    return memo(  # type: ignore[no-any-return]
        ("park-kinds",),
        lambda: {
            pk: (province, kind, ownership)
            for pk, province, kind, ownership in Park.objects.values_list(
                "pk", "province_id", "kind", "ownership"
            )
        },
    )


def park_ids(kind: str, ownership: str, province_id: int | None = None) -> list[int]:
    """The parks of ``kind`` (park / zone; "" any) and ``ownership`` ("" any), of one
    province or all, sorted."""
    return sorted(
        pk
        for pk, (province, k, o) in _parks().items()
        if (not kind or k == kind)
        and (not ownership or o == ownership)
        and (province_id is None or province == province_id)
    )


def cells(place: Place, as_of: dt.date) -> Cells:
    """Units and jobs by status for each (kind, ownership) group and outside parks, at the
    country (``Place("c")``) or a province, as of ``as_of`` (kept per figures version)."""
    return memo(("park-dims", place, as_of), lambda: _cells(place, as_of))  # type: ignore[no-any-return]


def _cells(place: Place, as_of: dt.date) -> Cells:
    parks = _parks()
    if place.level == "p":
        wanted = {pk for pk, (province, _k, _o) in parks.items() if province == place.id}
    else:
        wanted = set(parks)
    month = facts.month_index(as_of)
    by_park: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    total: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with connection.cursor() as cursor:
        sql = (
            "SELECT place, status, SUM(units), SUM(jobs) FROM indicators_fact "
            "WHERE level = 'k' AND kind = 's' AND dim = '' AND month <= %s"
        )
        args: list[Any] = [month]
        if place.level == "p":
            if wanted:
                sql += f" AND place IN ({', '.join(['%s'] * len(wanted))})"
                args += sorted(wanted)
            else:
                sql += " AND 1 = 0"
        cursor.execute(sql + " GROUP BY place, status", args)
        for park, status, units, jobs in cursor.fetchall():
            cell = by_park[park][status]
            cell[0] += int(units)
            cell[1] += int(jobs)
        cursor.execute(
            "SELECT status, SUM(units), SUM(jobs) FROM indicators_fact WHERE level = %s "
            "AND place = %s AND kind = 's' AND dim = '' AND month <= %s GROUP BY status",
            [place.level, place.id or 0, month],
        )
        for status, units, jobs in cursor.fetchall():
            total[status][0] += int(units)
            total[status][1] += int(jobs)
    for (kind, _m, level, where, status, dim, _v), (units, jobs) in partial_month(as_of).items():
        if kind != "s" or dim != "":
            continue
        if level == "k" and where in wanted:
            by_park[where][status][0] += units
            by_park[where][status][1] += jobs
        elif level == place.level and where == (place.id or 0):
            total[status][0] += units
            total[status][1] += jobs
    out: dict[tuple[str, str], dict[str, list[int]]] = {
        group: defaultdict(lambda: [0, 0]) for group in (*GROUPS, OUTSIDE)
    }
    outside = out[OUTSIDE]
    for status, (units, jobs) in total.items():
        outside[status][0] += units
        outside[status][1] += jobs
    for park, statuses in by_park.items():
        _province, kind, ownership = parks.get(park, (0, "", ""))
        group = out.setdefault((kind, ownership), defaultdict(lambda: [0, 0]))
        for status, (units, jobs) in statuses.items():
            group[status][0] += units
            group[status][1] += jobs
            outside[status][0] -= units
            outside[status][1] -= jobs
    return {
        group: {s: (u, j) for s, (u, j) in statuses.items() if (u, j) != (0, 0)}
        for group, statuses in out.items()
    }


def value(
    found: Cells, kind: str, ownership: str, statuses: set[str] | None, measure: str = "units"
) -> int:
    """The units (or jobs) of the groups matching ``kind`` ("" any, "none" outside parks)
    and ``ownership`` ("" any), in ``statuses`` (None: any)."""
    index = 0 if measure == "units" else 1
    total = 0
    for (k, o), by_status in found.items():
        if kind and k != kind:
            continue
        if ownership and o != ownership:
            continue
        for status, cell in by_status.items():
            if statuses is None or status in statuses:
                total += cell[index]
    return total


def figure(
    indicator: Indicator, place: Place, as_of: dt.date, kind: str, ownership: str, status: str
) -> int | None:
    """How many units a registry figure counts at ``place`` narrowed to a park kind and
    ownership (and a status): None when the figure has a filter the parks' facts do not
    carry (size, semi-finished)."""
    f = indicator.filters
    if set(f) - {"status", "in_park"}:
        return None
    if "in_park" in f and (kind == OUTSIDE[0]) == bool(f["in_park"]):
        return 0
    statuses = set(f["status"]) if f.get("status") else None
    if status:
        statuses = {status} & statuses if statuses is not None else {status}
    return value(cells(place, as_of), kind, ownership, statuses)


# As the figure "parks" counts them (``sources.ParksSource``).
PARKS_DEFINITION = _(
    "Parks and zones registered and established on or before the date (or with no "
    "establishment date recorded), by their current kind and ownership."
)


def existed_q(as_of: dt.date) -> Q:
    """The parks and zones that existed on ``as_of``: established on or before it, or with no
    date recorded (as the figure ``parks`` counts them)."""
    return Q(established_on__isnull=True) | Q(established_on__lte=as_of)


def counts_by_province(as_of: dt.date) -> list[tuple[Province, dict[tuple[str, str], list[Park]]]]:
    """Every province with its parks and zones that existed on ``as_of`` by (kind,
    ownership), each list in name order (one query: about a thousand parks)."""
    by_province: dict[int, dict[tuple[str, str], list[Park]]] = defaultdict(dict)
    parks = Park.objects.filter(existed_q(as_of)).order_by("sort_key", "id")
    for park in parks.only("pk", "name", "kind", "ownership", "province_id", "established_on"):
        by_province[park.province_id].setdefault((park.kind, park.ownership), []).append(park)
    return [(p, by_province.get(p.pk, {})) for p in Province.objects.order_by("code")]
