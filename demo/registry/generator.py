"""The one generator of demo rows: synthetic parks and zones, enterprises, their dated
status histories and location events, as plain row tuples in database column order.

Deterministic for a seed: every choice comes from ``random.Random`` instances seeded from
it (one stream for parks, one for enterprises), never from the global generator or the
clock. The data horizon (the last date any event may carry) is a fixed Jalali date, not
"today", so the same seed gives the same rows on any day.

Shares follow the reference data and DOMAIN.md:
- parks and zones per province: ``parks_zones_est`` (places/data/province_industry_stats.csv),
  the named real parks counting toward their province's total;
- enterprises per province: ``units_in_parks_1398_est``; per industry group: ``share_1398``
  (sectors/data/isipo_groups.csv), ISIC division from the group's list;
- size: ~55% micro, ~41% small, ~2.5% medium, ~1.5% large;
- current status: ~60% active, ~8% semi-active, ~18% idle, ~10% under construction,
  ~4% closed; histories follow ``enterprises.models.TRANSITIONS``.

Derived columns come from the model's own helpers (``size_band_for``, ``normalize``,
``sort_key``, ``enterprise_search_text``), cached per distinct string.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from enterprises.models import (
    OPERATING,
    TRANSITIONS,
    Status,
    enterprise_search_text,
    size_band_for,
)
from persian.identifiers import legal_id_check_digit
from persian.jalali import to_jalali, year_bounds
from persian.text import normalize, search_key, sort_key, to_latin_digits, to_persian_digits

from . import words as W

PLACES_DATA = Path(settings.BASE_DIR) / "places" / "data"
SECTORS_DATA = Path(settings.BASE_DIR) / "sectors" / "data"

FIRST_YEAR = 1395  # histories run over Jalali years 1395–1404
LAST_YEAR = 1404
MAX_UNITS = 10_000_000  # legal IDs are derived from the row index (see _legal_id)

UC = str(Status.UNDER_CONSTRUCTION)
ACTIVE = str(Status.ACTIVE)
SEMI = str(Status.SEMI_ACTIVE)
IDLE = str(Status.IDLE)
CLOSED = str(Status.CLOSED)
_OPERATING = frozenset(str(s) for s in OPERATING)

# Current status shares.
STATUS_SHARES = ((ACTIVE, 60), (SEMI, 8), (IDLE, 18), (UC, 10), (CLOSED, 4))
# Number of status events wanted for a unit whose current status is not "under
# construction" (the walk back stops early when it reaches "under construction"). Units
# that are not active swing between semi-active and idle for years, so with these
# weights a national registry holds ~3 status events per unit (the benchmark's scale:
# 1,000,000 units, ~3,000,000 events).
HISTORY_LENGTHS = (
    (1, 2),
    (2, 5),
    (3, 9),
    (4, 12),
    (5, 13),
    (6, 13),
    (7, 12),
    (8, 12),
    (9, 11),
    (10, 11),
)
# Which status came before, for a walk back through the lifecycle (weights).
PREDECESSORS = {
    # Revivals (idle or semi-active before active): ~2% of the units a year, as in the
    # reports (about 2,000 a year of ~90,000 units).
    ACTIVE: ((UC, 75), (IDLE, 12.5), (SEMI, 12.5)),
    SEMI: ((ACTIVE, 30), (IDLE, 62), (UC, 8)),
    IDLE: ((ACTIVE, 18), (SEMI, 77), (UC, 5)),
    CLOSED: ((IDLE, 60), (ACTIVE, 15), (SEMI, 15), (UC, 10)),
}
# Size bands (micro, small, medium, large).
SIZE_SHARES = (0.55, 0.41, 0.025, 0.015)
IN_PARK_SHARE = 0.85
MOVED_SHARE = 0.03
PUBLISHED_SHARE = 0.70
KNOWLEDGE_BASED_SHARE = 0.03
EXPORTER_SHARE_OPERATING = 0.09  # ~8% of all units
SEMI_FINISHED_SHARE = 0.45  # of the units under construction: progress >= 60%
# Employees and progress over time (``MeasureEvent``): a share of the units changed their
# headcount once to three times since they were registered; a project's progress was
# recorded a few times on its way to what it is now (100% on the day it started
# operating); of the projects still at 60% or more, most have recorded nothing for more
# than six months (stalled: semi-finished), the others are still moving.
EMPLOYEE_CHANGES_SHARE = 0.35
STALLED_SHARE = 0.7
# Products (1, 2 or 3 of the group's list) and capabilities (1 or 2, sometimes one of
# the common ones).
PRODUCT_COUNTS = (50, 35, 15)
CAPABILITY_COUNTS = (75, 25)
COMMON_CAPABILITY_SHARE = 0.2
# Parks.
ZONE_SHARE = 0.37
PRIVATE_SHARE = 0.08
PARK_ACTIVE_SHARE = 0.87
SPECIALISED_SHARE = 0.10
# ISIC divisions within a group (weights; unlisted divisions weigh 1).
DIVISION_WEIGHTS = {
    "10": 8, "11": 2, "12": 0.2,
    "13": 4, "14": 4, "15": 2,
    "16": 3, "17": 3, "18": 2, "31": 4,
    "19": 0.5, "20": 4, "21": 1.5, "22": 6,
    "24": 2, "25": 6, "28": 4, "29": 3, "30": 0.7, "33": 1.3,
    "26": 1, "27": 2,
}  # fmt: skip
SERVICES_DIVISION = "33"  # the "services" group has no ISIC list
OTHER_MANUFACTURING = "32"  # a little of "metal" and "cellulose" (jewellery, toys, …)
OTHER_MANUFACTURING_SHARE = 0.04

_UTC = dt.UTC
_WORKDAY_SECONDS = (4 * 3600 + 1800, 12 * 3600 + 1800)  # 08:00–16:00 in Tehran, as UTC

ENTERPRISE_COLUMNS = (
    "id", "name", "legal_id", "business_id", "permit_number", "permit_date",
    "isic_division_id", "industry_group_id", "employees", "size_band",
    "construction_progress", "knowledge_based", "exporter", "products", "capabilities",
    "phone", "mobile", "email", "website", "address", "latitude", "longitude",
    "status", "status_since", "province_id", "park_id", "published",
    "search_text", "sort_key", "created_at", "updated_at",
)  # fmt: skip
STATUS_EVENT_COLUMNS = (
    "id", "enterprise_id", "date", "from_status", "to_status", "reason", "author_id",
    "recorded_at",
)  # fmt: skip
LOCATION_EVENT_COLUMNS = (
    "id", "enterprise_id", "date", "province_id", "park_id", "reason", "author_id",
    "recorded_at",
)  # fmt: skip
MEASURE_EVENT_COLUMNS = (
    "id", "enterprise_id", "date", "employees", "construction_progress", "author_id",
    "recorded_at",
)  # fmt: skip

# Plot numbers and road kilometres in Persian digits, as an officer writes an address (made
# once: the loop builds a million addresses).
_FA = [to_persian_digits(str(n)) for n in range(251)]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def weighted_table(items: list[tuple[Any, float]], size: int = 4096) -> list[Any]:
    """A lookup list in which each item fills a share of slots proportional to its weight,
    so that ``table[int(random() * len(table))]`` is a weighted choice in one step."""
    total = float(sum(w for _, w in items))
    if total <= 0:
        raise ValueError("weights must not all be zero")
    table: list[Any] = []
    acc = 0.0
    for item, weight in items:
        acc += weight
        while len(table) < round(acc / total * size):
            table.append(item)
    return table


def _legal_id(index: int) -> str:
    """A valid, unique legal-entity national ID for row ``index``: the first ten digits
    come from the index (so two rows never collide) with a fixed non-zero 4th digit (digits
    4–9 are never all zero), then the check digit."""
    first_ten = f"10{index // 1_000_000 % 10}8{index % 1_000_000:06d}"
    return first_ten + str(legal_id_check_digit(first_ten))


def _business_id(index: int) -> str:
    """12 digits, unique per index (a bijection mod 9·10^11 with a prime multiplier)."""
    return str(100_000_000_000 + (index * 982_451_653 + 7_654_321) % 900_000_000_000)


@dataclass
class ProvinceRef:
    id: int
    code: str
    name_fa: str
    capital_fa: str
    lat: float
    lon: float
    parks_target: int
    units_weight: float
    parks: list[ParkRef] = field(default_factory=list)
    park_table: list[ParkRef] = field(default_factory=list)


@dataclass
class ParkRef:
    id: int
    province_id: int
    name: str
    lat: float
    lon: float
    weight: float
    opened: int = 0  # ordinal of the establishment date (0: unknown)


@dataclass
class GroupRef:
    id: int
    key: str
    share: float
    divisions: list[str]


@dataclass
class ParkSpec:
    """A synthetic park or zone (or the missing attributes of a named real one)."""

    province_code: str
    name: str
    kind: str
    ownership: str
    specialty: str
    area_ha: float
    established_on: dt.date
    is_active: bool
    latitude: float
    longitude: float


def default_until() -> dt.date:
    """The data horizon: the last day of Jalali 1404 (fixed, so output does not depend on
    the day the command runs)."""
    return year_bounds(LAST_YEAR)[1]


class DemoGenerator:
    def __init__(self, *, units: int, seed: int, until: dt.date | None = None) -> None:
        if not 0 <= units <= MAX_UNITS:
            raise ValueError(f"units must be between 0 and {MAX_UNITS}")
        self.units = units
        self.seed = seed
        self.start = year_bounds(FIRST_YEAR)[0]
        self.until = until or default_until()
        if self.until <= self.start:
            raise ValueError("the data horizon must be after the start of 1395")
        self.province_stats = {
            r["province_code"]: r for r in read_csv(PLACES_DATA / "province_industry_stats.csv")
        }
        self.group_rows = read_csv(SECTORS_DATA / "isipo_groups.csv")
        self._name_cache: dict[str, tuple[str, str, str]] = {}
        self._key_cache: dict[str, str] = {}
        self.fast_search_text = self._fast_search_text_matches()
        self.units_per_park: dict[int, int] = {}

    # --- parks ---------------------------------------------------------------------------
    def park_specs(
        self, provinces: list[dict[str, Any]], existing: dict[str, list[str]]
    ) -> list[ParkSpec]:
        """Synthetic parks and zones to add so that each province reaches its
        ``parks_zones_est``; ``existing`` maps a province code to the names of the parks it
        already has (the named real ones count toward the total)."""
        rng = random.Random(self.seed * 1_000_003 + 1)
        r = rng.random
        specs: list[ParkSpec] = []
        for prov in sorted(provinces, key=lambda p: p["code"]):
            code = prov["code"]
            target = int(self.province_stats[code]["parks_zones_est"])
            names = existing.get(code, [])
            used = {search_key(n) for n in names}
            missing = max(0, target - len(names))
            for _ in range(missing):
                kind = "zone" if r() < ZONE_SHARE else "park"
                name = ""
                for attempt in range(200):
                    word = W.PARK_WORDS[int(r() * len(W.PARK_WORDS))]
                    name = f"{W.PARK_PREFIX[kind]} {word}"
                    if attempt >= 3 or r() < 0.25:
                        qualifier = W.PARK_QUALIFIERS[int(r() * len(W.PARK_QUALIFIERS))]
                        name = f"{name} {qualifier}"
                    if attempt >= 20:
                        name = f"{name} {prov['capital_fa']}"
                    if search_key(name) not in used:
                        break
                else:  # pragma: no cover - the word lists are far larger than any province
                    raise RuntimeError(f"ran out of park names for {code}")
                used.add(search_key(name))
                specs.append(self._park_attributes(rng, prov, name, kind))
        return specs

    def _park_attributes(
        self, rng: random.Random, prov: dict[str, Any], name: str, kind: str, specialty: str = ""
    ) -> ParkSpec:
        r = rng.random
        if not specialty:
            specialty = (
                W.PARK_SPECIALTIES[int(r() * len(W.PARK_SPECIALTIES))]
                if r() < SPECIALISED_SHARE
                else W.PARK_GENERAL
            )
        if kind == "zone":
            area = round(math.exp(rng.gauss(math.log(25), 0.6)), 2)
            year = 1370 + int(r() * 33)  # 1370–1402
        else:
            area = round(math.exp(rng.gauss(math.log(120), 0.9)), 2)
            year = 1350 + int(r() * 53)  # 1350–1402
        area = min(max(area, 5.0), 4000.0)
        established = to_gregorian(year, 1 + int(r() * 12), 1 + int(r() * 29))
        # Parks established lately are more often not yet active.
        active_share = PARK_ACTIVE_SHARE + 0.05 if year < 1395 else PARK_ACTIVE_SHARE - 0.25
        return ParkSpec(
            province_code=prov["code"],
            name=name,
            kind=kind,
            ownership="private" if r() < PRIVATE_SHARE else "state",
            specialty=specialty,
            area_ha=area,
            established_on=established,
            is_active=r() < active_share,
            latitude=round(float(prov["lat"]) + rng.uniform(-0.8, 0.8), 5),
            longitude=round(float(prov["lon"]) + rng.uniform(-0.8, 0.8), 5),
        )

    def reference_park_attributes(
        self, prov: dict[str, Any], name: str, kind: str, specialty: str
    ) -> ParkSpec:
        """Area (read from the specialty note where it gives hectares), establishment date
        and location for a named real park whose row lacks them (demo values)."""
        rng = random.Random(f"{self.seed}:{prov['code']}:{search_key(name)}")
        spec = self._park_attributes(rng, prov, name, kind, specialty or W.PARK_GENERAL)
        match = re.search(r"(\d+)\s*هکتار", to_latin_digits(specialty or ""))
        if match:
            spec.area_ha = float(match.group(1))
        spec.is_active = True
        return spec

    @staticmethod
    def plots_for(rng: random.Random, units: int, area_ha: float | None) -> tuple[int, int]:
        """Land plots (total, allocated) for a park holding ``units`` enterprises: every
        unit has a plot, some contracts are not built yet, and some plots are still free."""
        base = max(int((area_ha or 50) * 1.5), 10)
        allocated = units + int(units * rng.uniform(0.05, 0.35)) + int(rng.random() * 10)
        total = max(allocated + int(allocated * rng.uniform(0.0, 0.4)), base)
        return total, min(allocated, total)

    # --- enterprises ---------------------------------------------------------------------
    def _names_for(self, group_key: str, rng: random.Random, count: int) -> list[str]:
        r = rng.random
        prefixes = weighted_table(list(W.NAME_PREFIXES), 512)
        suffixes = weighted_table(list(W.LEGAL_SUFFIXES), 512)
        acts = W.NAME_ACTIVITIES[group_key]
        first, second = W.BRAND_FIRST, W.BRAND_SECOND
        out = []
        for _ in range(count):
            a = first[int(r() * len(first))]
            x = r()
            if x < 0.25 and len(a) > 2:
                brand = a
            elif x < 0.55:
                brand = a + second[int(r() * len(second))]
            elif x < 0.75:
                brand = a + W.ZWNJ + second[int(r() * len(second))]
            elif x < 0.85:
                b = second[int(r() * len(second))]
                c = second[int(r() * len(second))]
                brand = a + b + (W.ZWNJ + c if c != b else "")
            else:
                b = first[int(r() * len(first))]
                brand = f"{a} {b}" if b != a else a
            prefix = prefixes[int(r() * len(prefixes))]
            if r() < 0.72:
                name = f"{prefix} {acts[int(r() * len(acts))]} {brand}"
            else:
                name = f"{prefix} {brand}"
            # A legal form after company names (a cooperative is neither of them).
            suffix = (
                suffixes[int(r() * len(suffixes))]
                if prefix.startswith("شرکت") and "تعاونی" not in prefix
                else ""
            )
            out.append(f"{name} {suffix}" if suffix else name)
        return out

    @staticmethod
    def _text_pool(
        rng: random.Random,
        items: tuple[str, ...],
        extra: tuple[str, ...],
        count: int,
        sep: str,
        sizes: tuple[float, ...],
        extra_share: float = 0.0,
    ) -> list[str]:
        """``count`` texts of 1, 2, … items (weights ``sizes``), sometimes with one of
        ``extra``; enterprises pick from this pool, so the search keys of product and
        capability texts are computed once per distinct text."""
        size_table = weighted_table([(k + 1, w) for k, w in enumerate(sizes)], 100)
        out = []
        for _ in range(count):
            k = size_table[int(rng.random() * 100)]
            chosen = rng.sample(items, min(k, len(items)))
            if extra and rng.random() < extra_share:
                chosen.append(extra[int(rng.random() * len(extra))])
            out.append(sep.join(chosen))
        return out

    def _name_keys(self, name: str) -> tuple[str, str, str]:
        """(stored name, sort key, search key) for a name, computed once per distinct name."""
        keys = self._name_cache.get(name)
        if keys is None:
            stored = normalize(name)
            keys = (stored, sort_key(stored), search_key(stored))
            self._name_cache[name] = keys
        return keys

    def _text_key(self, text: str) -> str:
        key = self._key_cache.get(text)
        if key is None:
            key = self._key_cache[text] = search_key(text)
        return key

    def _fast_search_text_matches(self) -> bool:
        """The generator joins cached per-field search keys instead of calling
        ``enterprise_search_text`` for every row. Use that only if it gives exactly what the
        model's helper gives (checked on a sample of generated-looking text); otherwise the
        helper is called for every row."""
        rng = random.Random(self.seed)
        for key in ("food", "metal", "services"):
            names = self._names_for(key, rng, 30)
            products = self._text_pool(rng, W.PRODUCTS[key], (), 10, "، ", PRODUCT_COUNTS)
            caps = self._text_pool(
                rng, W.CAPABILITIES[key], W.CAPABILITIES_COMMON, 10, "؛ ", (1, 1), 0.5
            )
            for i, name in enumerate(names):
                stored = normalize(name)
                p, c = products[i % 10], caps[i % 10]
                fast = f"{search_key(stored)}|{search_key(p)}|{search_key(c)}"
                if fast != enterprise_search_text(stored, p, c):
                    return False
        return True

    def rows(
        self,
        provinces: list[ProvinceRef],
        groups: list[GroupRef],
        *,
        first_enterprise_id: int,
        first_status_event_id: int,
        first_location_event_id: int,
        first_measure_event_id: int = 0,
        first_index: int = 0,
    ) -> Iterator[
        tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]
    ]:
        """Yield, for each enterprise, ``(enterprise_row, status_event_rows,
        location_event_rows, measure_event_rows)`` in the column order of the ``*_COLUMNS``
        tuples above.
        Also counts the current units per park in ``self.units_per_park``.

        Legal IDs, business IDs and permit numbers derive from the row index, counted from
        ``first_index`` (so another batch with another ``first_index`` never collides)."""
        if first_index + self.units > MAX_UNITS:
            raise ValueError(f"row indexes must stay below {MAX_UNITS}")
        rng = random.Random(self.seed * 1_000_003 + 2)
        r = rng.random
        # Measure histories from a stream of their own: the other rows stay as they were.
        m = random.Random(self.seed * 1_000_003 + 5).random
        mev_id = first_measure_event_id
        start, until = self.start.toordinal(), self.until.toordinal()
        span = until - start

        # Weighted lookup tables.
        prov_table = weighted_table([(p, p.units_weight) for p in provinces], 8192)
        for p in provinces:
            if p.parks:
                p.park_table = weighted_table([(k, k.weight) for k in p.parks], 2048)
        other_provinces = {p.id: [q for q in provinces if q.id != p.id] for p in provinces}
        group_table = weighted_table([(g, g.share) for g in groups], 8192)
        div_tables: dict[str, list[str]] = {}
        name_pools: dict[str, list[str]] = {}
        product_pools: dict[str, list[str]] = {}
        cap_pools: dict[str, list[str]] = {}
        # Distinct names grow more slowly than units: at a million units a name recurs a
        # few times (as real registries do), and the Persian keys are computed once each.
        pool_total = min(max(self.units, 1000), 40_000 + self.units // 25)
        pool_rng = random.Random(self.seed * 1_000_003 + 3)
        for g in groups:
            if g.key == "services" or not g.divisions:
                divs = [(SERVICES_DIVISION, 1.0)]
            else:
                divs = [(d, DIVISION_WEIGHTS.get(d, 1.0)) for d in g.divisions]
                if g.key in ("metal", "cellulose"):
                    total = sum(w for _, w in divs)
                    divs.append((OTHER_MANUFACTURING, total * OTHER_MANUFACTURING_SHARE))
            div_tables[g.key] = weighted_table(divs, 1024)
            name_pools[g.key] = self._names_for(g.key, pool_rng, max(50, int(pool_total * g.share)))
            product_pools[g.key] = self._text_pool(
                pool_rng, W.PRODUCTS[g.key], (), 400, "، ", PRODUCT_COUNTS
            )
            cap_pools[g.key] = self._text_pool(
                pool_rng,
                W.CAPABILITIES[g.key],
                W.CAPABILITIES_COMMON,
                200,
                "؛ ",
                CAPABILITY_COUNTS,
                COMMON_CAPABILITY_SHARE,
            )
        status_table = weighted_table(list(STATUS_SHARES), 1000)
        length_table = weighted_table(list(HISTORY_LENGTHS), 1000)
        pred_tables = {s: weighted_table(list(w), 1000) for s, w in PREDECESSORS.items()}
        for s, preds in pred_tables.items():  # the lifecycle rules hold for every pair
            if not all(s in TRANSITIONS[p] for p in preds):
                raise RuntimeError(f"PREDECESSORS of {s} break enterprises.models.TRANSITIONS")
        reasons = _reason_table()
        size_bands = {e: str(size_band_for(e)) for e in range(0, 10_001)}

        # Jalali year of an ordinal date (for permit numbers), by bisecting year starts.
        year_starts = [year_bounds(y)[0].toordinal() for y in range(1340, LAST_YEAR + 3)]

        def jalali_year(ordinal: int) -> int:
            return 1340 + bisect.bisect_right(year_starts, ordinal) - 1

        # Every day of the horizon as a date and as midnight UTC, and office-hour offsets,
        # made once: a row then only looks them up.
        fromordinal = dt.date.fromordinal
        days = [fromordinal(o) for o in range(start, until + 1)]
        midnights = [
            dt.datetime.fromordinal(o).replace(tzinfo=_UTC) for o in range(start, until + 1)
        ]
        w_lo, w_hi = _WORKDAY_SECONDS
        offsets = [dt.timedelta(seconds=sec) for sec in range(w_lo, w_hi, 37)]
        n_offsets = len(offsets)

        fast = self.fast_search_text
        name_keys, text_key = self._name_keys, self._text_key
        area_codes = {p.id: W.AREA_CODES.get(p.code, "021") for p in provinces}
        mobiles = W.MOBILE_PREFIXES
        n_mobile_numbers = len(mobiles) * 10_000_000
        streets, roads = W.STREETS, W.ROADS
        first_project, first_operating = W.FIRST_REASON_PROJECT, W.FIRST_REASON_OPERATING
        first_location, move_reasons = W.FIRST_LOCATION_REASON, W.MOVE_REASONS
        move_in_reason, move_out_reason = W.MOVE_IN_REASON, W.MOVE_OUT_REASON
        units_per_park = self.units_per_park
        sev_id = first_status_event_id
        lev_id = first_location_event_id
        s_micro = SIZE_SHARES[0]
        s_small = s_micro + SIZE_SHARES[1]
        s_medium = s_small + SIZE_SHARES[2]
        n_prov, n_group = len(prov_table), len(group_table)
        operating = _OPERATING

        for row in range(self.units):
            eid = first_enterprise_id + row
            index = first_index + row
            # Where it stands now.
            prov = prov_table[int(r() * n_prov)]
            park_table = prov.park_table
            park = (
                park_table[int(r() * len(park_table))]
                if park_table and r() < IN_PARK_SHARE
                else None
            )
            # What it makes.
            group = group_table[int(r() * n_group)]
            gkey = group.key
            divisions = div_tables[gkey]
            division = divisions[int(r() * len(divisions))]
            # Size.
            x = r()
            if x < s_micro:
                employees = 1 + int(9 * r() ** 1.3)
            elif x < s_small:
                employees = 10 + int(40 * r() ** 2)
            elif x < s_medium:
                employees = 50 + int(50 * r())
            else:
                employees = min(100 + int(100 * ((1.0 - r()) ** -0.9 - 1.0)), 10_000)
            # Lifecycle: walk back from the current status.
            final = status_table[int(r() * 1000)]
            path = [final]
            if final != UC:
                want = length_table[int(r() * 1000)]
                if final == CLOSED and want < 2:  # nobody registers a closed unit
                    want = 2
                while len(path) < want:
                    prev = pred_tables[path[0]][int(r() * 1000)]
                    path.insert(0, prev)
                    if prev == UC:
                        break
            n = len(path)
            project_start = path[0] == UC
            d0 = start + int(span * (r() if project_start else r() ** 2.5))
            if park is not None and park.opened > d0:  # not before the park existed
                d0 = park.opened + int((until - park.opened) * 0.5 * r())
            if n == 1:
                dates = [d0]
            else:
                rest = until - d0
                dates = [d0 + int(rest * r()) for _ in range(n - 1)]
                dates.sort()
                dates.insert(0, d0)
            # Permit and construction.
            first_op = -1
            for k in range(n):
                if path[k] in operating:
                    first_op = k
                    break
            if first_op >= 0:
                if project_start:
                    permit_ord = dates[first_op]
                    permit_date = days[permit_ord - start]
                else:  # registered already operating: the permit is older
                    permit_ord = max(d0 - int(r() * 6000), 726_468)  # not before 1990
                    permit_date = fromordinal(permit_ord)
                permit_number = (
                    f"{prov.code[3:]}{jalali_year(permit_ord) % 100:02d}-{index + 1:07d}"
                )
                progress = 100
            else:
                permit_number, permit_date = "", None
                if final == UC:
                    progress = (
                        60 + int(36 * r()) if r() < SEMI_FINISHED_SHARE else 5 + int(55 * r())
                    )
                else:  # a project abandoned before it ever operated
                    progress = 5 + int(70 * r())
            # Status events.
            d0_date = days[d0 - start]
            created_at = midnights[d0 - start] + offsets[int(r() * n_offsets)]
            sevs = [
                (
                    sev_id,
                    eid,
                    d0_date,
                    "",
                    path[0],
                    first_project if project_start else first_operating,
                    None,
                    created_at,
                )
            ]
            sev_id += 1
            for k in range(1, n):
                options = reasons[(path[k - 1], path[k])]
                o = dates[k] - start
                sevs.append(
                    (
                        sev_id,
                        eid,
                        days[o],
                        path[k - 1],
                        path[k],
                        options[int(r() * len(options))],
                        None,
                        midnights[o] + offsets[int(r() * n_offsets)],
                    )
                )
                sev_id += 1
            last_ord = dates[-1]
            # Location events: where it was first; a few moved once since.
            park_id = park.id if park is not None else None
            first_prov, first_park = prov, park
            if r() < MOVED_SHARE and until - d0 > 1:
                if park_table and r() < 0.6:  # from elsewhere in the province
                    first_park = (
                        None  # from outside any park
                        if park is not None and r() < 0.4
                        else park_table[int(r() * len(park_table))]
                    )
                else:  # from another province
                    others = other_provinces[prov.id]
                    first_prov = others[int(r() * len(others))]
                    first_table = first_prov.park_table
                    first_park = (
                        first_table[int(r() * len(first_table))]
                        if first_table and r() < IN_PARK_SHARE
                        else None
                    )
                if first_park is not None and first_park.opened > d0:
                    first_park = None  # that park did not exist yet: it stood outside one
            if first_prov is not prov or first_park is not park:
                move = d0 + 1 + int((until - d0 - 1) * r()) - start
                if park is None:
                    reason = move_out_reason
                elif first_park is None:
                    reason = move_in_reason
                else:
                    reason = move_reasons[int(r() * len(move_reasons))]
                levs = [
                    (
                        lev_id,
                        eid,
                        d0_date,
                        first_prov.id,
                        first_park.id if first_park is not None else None,
                        first_location,
                        None,
                        created_at,
                    ),
                    (
                        lev_id + 1,
                        eid,
                        days[move],
                        prov.id,
                        park_id,
                        reason,
                        None,
                        midnights[move] + offsets[int(r() * n_offsets)],
                    ),
                ]
                lev_id += 2
                last_ord = max(last_ord, move + start)
            else:
                levs = [(lev_id, eid, d0_date, prov.id, park_id, first_location, None, created_at)]
                lev_id += 1
            # Employees and progress over time, ending at the current values.
            steps: list[tuple[int, int | None, int | None]] = []  # (ordinal, employees, progress)
            end_ord = dates[first_op] if first_op >= 0 and project_start else until
            if project_start and end_ord - d0 > 60:
                # Progress recorded a few times between the start and its end (or today).
                k = 1 + int(3 * m())
                if final == UC and progress >= 60 and m() < STALLED_SHARE:
                    end_ord = max(d0 + 1, until - 200 - int(m() * (until - d0) * 0.5))
                days_on = sorted(d0 + 1 + int((end_ord - d0 - 1) * m()) for _ in range(k))
                start_progress = max(1, int(progress * (0.1 + 0.4 * m())))
                for i, o in enumerate(days_on):
                    value = start_progress + (progress - start_progress) * (i + 1) // k
                    steps.append((o, None, value))
                first_progress = start_progress
            else:
                first_progress = progress
            first_employees = employees
            if m() < EMPLOYEE_CHANGES_SHARE and until - d0 > 365:
                changes = 1 + int(3 * m())
                days_on = sorted(d0 + 1 + int((until - d0 - 1) * m()) for _ in range(changes))
                headcounts = [employees]
                for _ in range(changes):  # backwards from today's headcount
                    headcounts.insert(0, max(1, int(headcounts[0] * (0.6 + 0.8 * m()))))
                first_employees = headcounts[0]
                steps += [(o, headcounts[i + 1], None) for i, o in enumerate(days_on)]
            steps.sort(key=lambda x: x[0])
            mevs: list[tuple[Any, ...]] = [
                (mev_id, eid, d0_date, first_employees, first_progress, None, created_at)
            ]
            mev_id += 1
            merged: dict[int, list[int | None]] = {}
            for o, step_employees, step_progress in steps:
                cell = merged.setdefault(o, [None, None])
                if step_employees is not None:
                    cell[0] = step_employees
                if step_progress is not None:
                    cell[1] = step_progress
            for o, (step_employees, step_progress) in sorted(merged.items()):
                mevs.append(
                    (
                        mev_id,
                        eid,
                        days[o - start],
                        step_employees,
                        step_progress,
                        None,
                        midnights[o - start] + offsets[int(m() * n_offsets)],
                    )
                )
                mev_id += 1
            if last_ord == d0:
                updated_at = created_at
            else:
                updated_at = midnights[last_ord - start] + offsets[int(r() * n_offsets)]
            if merged and max(merged) > last_ord:  # (the main stream is drawn as before)
                updated_at = mevs[-1][6]
            # Text.
            names = name_pools[gkey]
            name, skey, name_search = name_keys(names[int(r() * len(names))])
            products = product_pools[gkey][int(r() * 400)]
            capabilities = cap_pools[gkey][int(r() * 200)]
            if fast:
                search_text = f"{name_search}|{text_key(products)}|{text_key(capabilities)}"
            else:
                search_text = enterprise_search_text(name, products, capabilities)
            if park is not None:
                units_per_park[park.id] = units_per_park.get(park.id, 0) + 1
                address = f"{park.name}، خیابان {streets[int(r() * len(streets))]}، پلاک {_FA[1 + int(r() * 250)]}"
                lat = park.lat + (r() - 0.5) * 0.02
                lon = park.lon + (r() - 0.5) * 0.02
            else:
                address = f"{prov.capital_fa}، {roads[int(r() * len(roads))]}، کیلومتر {_FA[1 + int(r() * 30)]}"
                lat = prov.lat + (r() - 0.5) * 1.2
                lon = prov.lon + (r() - 0.5) * 1.2
            mobile = int(r() * n_mobile_numbers)
            yield (
                (
                    eid,
                    name,
                    _legal_id(index),
                    _business_id(index),
                    permit_number,
                    permit_date,
                    division,
                    group.id,
                    employees,
                    size_bands.get(employees) or str(size_band_for(employees)),
                    progress,
                    r() < KNOWLEDGE_BASED_SHARE,
                    first_op >= 0 and r() < EXPORTER_SHARE_OPERATING,
                    products,
                    capabilities,
                    f"{area_codes[prov.id]}-{30_000_000 + int(r() * 60_000_000)}",
                    f"{mobiles[mobile // 10_000_000]}{mobile % 10_000_000:07d}",
                    "",
                    "",
                    address,
                    Decimal(f"{lat:.5f}"),
                    Decimal(f"{lon:.5f}"),
                    final,
                    days[dates[-1] - start],
                    prov.id,
                    park_id,
                    r() < PUBLISHED_SHARE,
                    search_text,
                    skey,
                    created_at,
                    updated_at,
                ),
                sevs,
                levs,
                mevs,
            )


def _reason_table() -> dict[tuple[str, str], tuple[str, ...]]:
    table: dict[tuple[str, str], tuple[str, ...]] = {}
    for src, targets in TRANSITIONS.items():
        for dst in targets:
            src_s, dst_s = str(src), str(dst)
            if (src_s, dst_s) in W.REASONS:
                table[(src_s, dst_s)] = W.REASONS[(src_s, dst_s)]
            elif dst_s == CLOSED:
                table[(src_s, dst_s)] = W.REASONS["to_closed"]
            elif dst_s == IDLE:
                table[(src_s, dst_s)] = W.REASONS["to_idle"]
            elif dst_s == SEMI:
                table[(src_s, dst_s)] = W.REASONS["to_semi_active"]
            else:  # to active from idle or semi-active: a revival
                table[(src_s, dst_s)] = W.REASONS["revival"]
    return table


def to_gregorian(year: int, month: int, day: int) -> dt.date:
    import jdatetime

    return jdatetime.date(year, month, min(day, 29)).togregorian()


def jalali_text(value: dt.date) -> str:
    j = to_jalali(value)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
