"""The dry run: every row of a file judged before anything is written.

``check(table, mapping, …)`` turns each row into a ``RowPlan`` — the values the services
will be given, the unit it updates (matched by national ID) or none, and every problem
found, each a sentence for the officer with the row's number. Nothing is written here;
the commit (``imports.services``) runs the same checks again on the same file and writes
only when no row has a problem.

Reference rows (provinces, parks, ISIC divisions) are read once into dictionaries, and the
units the file names are read by national ID a thousand at a time, so the dry run costs a
few queries per thousand rows, not several per row.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Min
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.scope import Scope
from enterprises.models import (
    OPERATING,
    TRANSITIONS,
    Enterprise,
    LocationEvent,
    Status,
    StatusEvent,
)
from persian.identifiers import (
    clean_digits,
    is_latin_digits,
    is_valid_business_id,
    is_valid_legal_id,
)
from persian.jalali import JalaliDateError, format_date, today
from persian.jalali import parse as _parse
from persian.text import search_key as _search_key
from places.models import Park, Province
from sectors.models import IsicDivision

from .columns import BY_KEY
from .reader import Row, Table

BATCH = 1000


# A file repeats its provinces, parks, statuses and dates on thousands of rows: each text is
# judged once per process (the answers depend on the text alone).
search_key = functools.lru_cache(maxsize=65536)(_search_key)
parse = functools.lru_cache(maxsize=65536)(_parse)  # a refused text raises each time
# Words officers put before a park's name that the registry's names leave out.
_PARK_PREFIXES = tuple(
    search_key(p) for p in ("شهرک صنعتی", "ناحیه صنعتی", "شهرک", "ناحیه", "منطقه ویژه اقتصادی")
)
# Other ways a status is written in the provinces' files.
_STATUS_WORDS = {
    "درحالاحداث": Status.UNDER_CONSTRUCTION,
    "درحالساخت": Status.UNDER_CONSTRUCTION,
    "غیرفعال": Status.IDLE,
    "نیمهفعال": Status.SEMI_ACTIVE,
    "تعطیلشده": Status.CLOSED,
}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str


@dataclass
class PlannedRow:
    """A row of a file as the dry run judged it: its number, the row it would write
    (``existing``: the known row it updates; None: a new one) and its problems."""

    number: int
    existing: Any = None
    problems: list[Problem] = field(default_factory=list)

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))


@dataclass
class RowPlan(PlannedRow):
    legal_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # profile fields for the services
    province: Province | None = None
    park: Park | None = None
    status: str = ""
    status_date: dt.date | None = None
    reason: str = ""


@dataclass
class Plan[R: PlannedRow]:
    """A file's rows as the dry run judged them (units: ``Plan[RowPlan]``; parks:
    ``parks.ParkPlan``)."""

    rows: list[R]

    @property
    def problems(self) -> list[Problem]:
        return [p for row in self.rows for p in row.problems]

    @property
    def to_create(self) -> int:
        return sum(1 for r in self.rows if r.existing is None)

    @property
    def to_update(self) -> int:
        return len(self.rows) - self.to_create


class Lookups:
    """The reference rows a file's text is matched against, read once."""

    def __init__(self) -> None:
        self.provinces: dict[str, Province] = {}
        for province in Province.objects.all():
            for name in (province.code, province.name_fa, province.name_en):
                self.provinces[search_key(name)] = province
            self.provinces.setdefault(search_key("استان " + province.name_fa), province)
        self.parks: dict[tuple[int, str], Park] = {}
        self.parks_anywhere: dict[str, list[Park]] = {}
        for park in Park.objects.select_related("province"):
            self.parks[(park.province_id, park.name_key)] = park
            self.parks_anywhere.setdefault(park.name_key, []).append(park)
        self._parks_seen: dict[tuple[int, str], tuple[Park | None, list[Park]]] = {}
        self.isic = {d.code: d for d in IsicDivision.objects.select_related("group")}
        self.statuses: dict[str, str] = dict(_STATUS_WORDS)
        for language in ("en", "fa"):
            with translation.override(language):
                for status in Status:
                    self.statuses[search_key(str(status.label))] = status.value
        for status in Status:
            self.statuses[search_key(status.value)] = status.value

    def park(self, province: Province, text: str) -> tuple[Park | None, list[Park]]:
        """The park of that name in ``province``, else the parks of that name elsewhere."""
        found = self._parks_seen.get((province.pk, text))
        if found is None:
            found = self._parks_seen[(province.pk, text)] = self._park(province, text)
        return found

    def _park(self, province: Province, text: str) -> tuple[Park | None, list[Park]]:
        key = search_key(text)
        keys = [key] + [key[len(p) :] for p in _PARK_PREFIXES if key.startswith(p)]
        for candidate in keys:
            if (province.pk, candidate) in self.parks:
                return self.parks[(province.pk, candidate)], []
        return None, [p for k in keys for p in self.parks_anywhere.get(k, [])]


def _label(key: str) -> str:
    """The column's label in the active language (made once per language: a dry run asks
    for a date column's label on every row, for the problem it may have)."""
    return _labels(key, translation.get_language())


@functools.cache
def _labels(key: str, language: str | None) -> str:
    with translation.override(language):
        return str(BY_KEY[key].label)


def _date(plan: RowPlan, key: str, text: str) -> dt.date | None:
    return judge_date(plan, _label(key), text)


def judge_date(plan: Any, column: str, text: str) -> dt.date | None:
    """The Jalali date ``text`` means, or None with ``plan``'s problem in ``column``: a
    date that does not exist, is not a date, or is in the future."""
    try:
        value = parse(text)
    except JalaliDateError as error:
        if error.code == "nonexistent":
            plan.problem(
                column,
                _("The date %(date)s does not exist in the Jalali calendar.") % {"date": text},
            )
        else:
            plan.problem(
                column,
                _("“%(text)s” is not a Jalali date such as 1402/05/21.") % {"text": text},
            )
        return None
    if value > today():
        plan.problem(column, _("The date cannot be in the future."))
        return None
    return value


class Checker:
    def __init__(
        self,
        *,
        actor: Any,
        province: Province | None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.progress = progress
        self.scope = Scope.of(actor)
        self.province = province
        self.lookups = Lookups()
        self.seen: dict[str, int] = {}
        self.first_operating: dict[int, dt.date] = {}
        self.last_moved: dict[int, dt.date] = {}
        self.places_allowed: dict[tuple[int, int | None], bool] = {}
        self.default_reason = _("Bulk import")  # every row's reason when it gives none

    def check(self, table: Table, mapping: dict[str, int]) -> Plan:
        plans: list[RowPlan] = []
        missing = [k for k, f in BY_KEY.items() if f.required and k not in mapping]
        if missing:
            plan = RowPlan(number=1)
            for key in missing:
                plan.problem(_label(key), _("No column of the file is mapped to this field."))
            return Plan([plan])
        for start in range(0, len(table.rows), BATCH):
            batch = table.rows[start : start + BATCH]
            values = [self._values(row, mapping) for row in batch]
            ids = {clean_digits(v.get("legal_id", "")) for v in values} - {""}
            existing = {
                e.legal_id: e
                for e in Enterprise.objects.filter(legal_id__in=ids).select_related(
                    "province", "park"
                )
                if e.legal_id
            }
            mine = set(
                Enterprise.objects.filter(
                    self.scope.full_q(Enterprise), pk__in=[e.pk for e in existing.values()]
                ).values_list("pk", flat=True)
            )
            self._read_history(mine)
            for row, vals in zip(batch, values, strict=True):
                plans.append(self._row(row, vals, existing, mine, table.headers))
            if self.progress is not None:
                self.progress(len(plans))
        return Plan(plans)

    def _read_history(self, pks: set[int]) -> None:
        """When each known unit first operated and last moved: what the services judge
        a permit date and a move date against."""
        self.first_operating = dict(
            StatusEvent.objects.filter(enterprise_id__in=pks, to_status__in=OPERATING)
            .values("enterprise_id")
            .annotate(first=Min("date"))
            .values_list("enterprise_id", "first")
        )
        self.last_moved = dict(
            LocationEvent.objects.filter(enterprise_id__in=pks)
            .values("enterprise_id")
            .annotate(last=Max("date"))
            .values_list("enterprise_id", "last")
        )

    @staticmethod
    def _values(row: Row, mapping: dict[str, int]) -> dict[str, str]:
        return {
            key: row.cells[index].strip() if index < len(row.cells) else ""
            for key, index in mapping.items()
        }

    def _row(
        self,
        row: Row,
        values: dict[str, str],
        existing: dict[str, Enterprise],
        mine: set[int],
        headers: list[str],
    ) -> RowPlan:
        plan = RowPlan(number=row.number)
        for index in row.formulas:
            column = headers[index] if index < len(headers) else str(index + 1)
            plan.problem(column, _("The cell holds a formula; type its value instead."))
        if "\x00" in "".join(values.values()):  # no registry field may hold one
            for key, text in values.items():
                if "\x00" in text:
                    plan.problem(_label(key), _("The cell holds a null character; type it again."))
        self._identity(plan, values, existing, mine)
        self._place(plan, values)
        self._status(plan, values)
        self._profile(plan, values)
        self._history(plan)
        return plan

    def _identity(
        self,
        plan: RowPlan,
        values: dict[str, str],
        existing: dict[str, Enterprise],
        mine: set[int],
    ) -> None:
        text = values.get("legal_id", "")
        code = clean_digits(text)
        if not code:
            plan.problem(_label("legal_id"), _("The national ID is missing."))
            return
        if not is_valid_legal_id(code):
            plan.problem(
                _label("legal_id"),
                _("The national ID %(id)s is not 11 digits with a correct check digit.")
                % {"id": text},
            )
            return
        plan.legal_id = code
        if code in self.seen:
            plan.problem(
                _label("legal_id"),
                _("The national ID %(id)s is also in row %(row)s.")
                % {"id": code, "row": self.seen[code]},
            )
        else:
            self.seen[code] = plan.number
        unit = existing.get(code)
        if unit is not None and unit.pk not in mine:
            plan.problem(
                _label("legal_id"),
                _("A unit with the national ID %(id)s is registered outside your provinces.")
                % {"id": code},
            )
            return
        plan.existing = unit

    def _place(self, plan: RowPlan, values: dict[str, str]) -> None:
        text = values.get("province", "")
        province = self.lookups.provinces.get(search_key(text)) if text else None
        if text and province is None:
            plan.problem(_label("province"), _("Unknown province “%(text)s”.") % {"text": text})
            return
        if province is None:
            province = self.province or (plan.existing.province if plan.existing else None)
        if province is None:
            plan.problem(_label("province"), _("The province is missing."))
            return
        if self.province is not None and province.pk != self.province.pk:
            plan.problem(
                _label("province"),
                _("This row is for %(row)s; this import is for %(import)s.")
                % {"row": province.name_fa, "import": self.province.name_fa},
            )
            return
        plan.province = province
        park_text = values.get("park", "")
        if park_text:
            park, elsewhere = self.lookups.park(province, park_text)
            if park is None and elsewhere:
                plan.problem(
                    _label("park"),
                    _("The park %(park)s is in %(park_province)s, not in %(province)s.")
                    % {
                        "park": park_text,
                        "park_province": elsewhere[0].province.name_fa,
                        "province": province.name_fa,
                    },
                )
                return
            if park is None:
                plan.problem(
                    _label("park"),
                    _("Unknown park or zone “%(text)s” in %(province)s.")
                    % {"text": park_text, "province": province.name_fa},
                )
                return
            plan.park = park
        elif plan.existing is not None and "park" not in values:
            plan.park = plan.existing.park
        place = (province.pk, plan.park.pk if plan.park else None)
        if place not in self.places_allowed:
            self.places_allowed[place] = self.scope.can("enterprises.place", place)
        if not self.places_allowed[place]:
            plan.problem(
                _label("province"),
                _("You may not register units in %(province)s.") % {"province": province.name_fa},
            )

    def _status(self, plan: RowPlan, values: dict[str, str]) -> None:
        text = values.get("status", "")
        if text:
            status = self.lookups.statuses.get(search_key(text))
            if status is None:
                plan.problem(_label("status"), _("Unknown status “%(text)s”.") % {"text": text})
            else:
                plan.status = status
        elif plan.existing is None:
            plan.problem(_label("status"), _("The status is missing."))
        date_text = values.get("status_date", "")
        if date_text:
            plan.status_date = _date(plan, "status_date", date_text)
        elif text:
            plan.problem(_label("status_date"), _("The status date is missing."))
        plan.reason = values.get("reason", "") or self.default_reason

    def _profile(self, plan: RowPlan, values: dict[str, str]) -> None:
        data = plan.data
        name = values.get("name", "")
        if name:
            data["name"] = name[:200]
        elif plan.existing is None:
            plan.problem(_label("name"), _("The name is missing."))
        isic = clean_digits(values.get("isic", ""))
        if isic:
            division = self.lookups.isic.get(isic.zfill(2))
            if division is None or division.group is None:
                plan.problem(
                    _label("isic"), _("Unknown ISIC division “%(code)s”.") % {"code": isic}
                )
            else:
                data["isic_division"], data["industry_group"] = division, division.group
        elif plan.existing is None:
            plan.problem(_label("isic"), _("The ISIC division is missing."))
        employees = clean_digits(values.get("employees", "")).replace(",", "").replace("٬", "")
        if employees:
            if not is_latin_digits(employees) or int(employees) > 1_000_000:
                plan.problem(
                    _label("employees"),
                    _("“%(text)s” is not a number of employees.") % {"text": values["employees"]},
                )
            else:
                data["employees"] = int(employees)
        business_id = values.get("business_id", "")
        if business_id:
            if not is_valid_business_id(business_id):
                plan.problem(_label("business_id"), _("The business ID must be exactly 12 digits."))
            else:
                data["business_id"] = clean_digits(business_id)
        if values.get("permit_number"):
            data["permit_number"] = values["permit_number"][:40]
        if values.get("permit_date"):
            permit = _date(plan, "permit_date", values["permit_date"])
            if permit is not None:
                data["permit_date"] = permit
        for key, limit in (("products", 5000), ("phone", 20), ("address", 300)):
            if values.get(key):
                data[key] = values[key][:limit]
        if plan.legal_id:
            data["legal_id"] = plan.legal_id

    def _history(self, plan: RowPlan) -> None:
        """The rules of the dated history, judged before the services would refuse."""
        unit = plan.existing
        if unit is not None:
            self._known_unit(plan, unit)
        permit_number = plan.data.get("permit_number") or (unit.permit_number if unit else "")
        permit_date = plan.data.get("permit_date") or (unit.permit_date if unit else None)
        status, date = plan.status, plan.status_date
        if not status or date is None:
            return
        changes = unit is None or status != unit.status
        if changes and status in OPERATING:
            if not permit_number:
                plan.problem(
                    _label("permit_number"),
                    _("An operating unit needs its operating permit number."),
                )
            if permit_date is not None and date < permit_date:
                plan.problem(
                    _label("status_date"),
                    _("The status is dated %(date)s, before the operating permit of %(permit)s.")
                    % {"date": format_date(date), "permit": format_date(permit_date)},
                )
        if unit is None or not changes:
            return
        if status not in TRANSITIONS[unit.status]:
            plan.problem(
                _label("status"),
                _("A unit that is %(current)s cannot become %(new)s.")
                % {"current": Status(unit.status).label, "new": Status(status).label},
            )
        elif date < unit.status_since:
            plan.problem(
                _label("status_date"),
                _("The date cannot be before %(date)s, the date of the previous event.")
                % {"date": format_date(unit.status_since)},
            )

    def _known_unit(self, plan: RowPlan, unit: Enterprise) -> None:
        """A known unit's permit date and move, as ``enterprise_update`` and
        ``enterprise_move`` judge them."""
        permit = plan.data.get("permit_date")
        started = self.first_operating.get(unit.pk)
        if permit is not None and permit != unit.permit_date and started and permit > started:
            plan.problem(
                _label("permit_date"),
                _(
                    "The operating permit cannot be dated after %(date)s, when the "
                    "unit started operating."
                )
                % {"date": format_date(started)},
            )
        if plan.province is None:
            return
        place = (plan.province.pk, plan.park.pk if plan.park else None)
        last = self.last_moved.get(unit.pk)
        date = plan.status_date or today()
        if place != (unit.province_id, unit.park_id) and last is not None and date < last:
            plan.problem(
                _label("status_date"),
                _("The date cannot be before %(date)s, the date of the previous event.")
                % {"date": format_date(last)},
            )


def check(
    table: Table,
    mapping: dict[str, int],
    *,
    actor: Any,
    province: Province | None,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Judge every row of ``table``; write nothing (``progress(rows done)`` after each
    batch)."""
    return Checker(actor=actor, province=province, progress=progress).check(table, mapping)
