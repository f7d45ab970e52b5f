"""A file of parks and zones: every row judged (the dry run), then written through the
parks' services (``places.services.park_create`` / ``park_update``: audited, ``park.saved``
announced), all rows or none.

A park is known by its name inside its province (the registry's unique key: its search
key, so «شهرک صنعتی …» and «ناحیه صنعتی …» before the name are ignored as for units): a
row naming a known park updates it, never registers it twice. A provincial officer
imports only the parks of their provinces; national staff any province's, each row naming
its province when the import names none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.scope import Scope
from persian.identifiers import clean_digits, is_latin_digits
from places import services as places
from places.models import Park, Province

from .checks import _PARK_PREFIXES, Lookups, Plan, PlannedRow, judge_date, search_key
from .columns import PARK_FIELDS, by_key
from .reader import Table

_KIND_WORDS: dict[str, str] = {"شهرک": Park.Kind.PARK, "ناحیه": Park.Kind.ZONE}
_OWNERSHIP_WORDS: dict[str, str] = {"دولتی": Park.Ownership.STATE, "خصوصی": Park.Ownership.PRIVATE}


@dataclass
class ParkRowPlan(PlannedRow):
    data: dict[str, Any] = field(default_factory=dict)  # for the parks' services


class ParkPlan(Plan[ParkRowPlan]):
    """A file of parks and zones as the dry run judged it."""


def _label(key: str) -> str:
    return str(by_key("parks")[key].label)


def _words(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    """The words a choice is written with: its labels in Persian and English, its code."""
    words = {search_key(k): v for k, v in extra.items()}
    for language in ("en", "fa"):
        with translation.override(language):
            for choice in choices:
                words[search_key(str(choice.label))] = choice.value
    for choice in choices:
        words[search_key(choice.value)] = choice.value
    return words


class ParkChecker:
    def __init__(self, *, actor: Any, province: Province | None) -> None:
        self.scope = Scope.of(actor)
        self.province = province
        self.lookups = Lookups()
        self.mine = set(Park.objects.filter(self.scope.full_q(Park)).values_list("pk", flat=True))
        self.kinds = _words(Park.Kind, _KIND_WORDS)
        self.ownerships = _words(Park.Ownership, _OWNERSHIP_WORDS)
        self.seen: dict[tuple[int, str], int] = {}

    def check(
        self, table: Table, mapping: dict[str, int], progress: Callable[[int], None] | None
    ) -> ParkPlan:
        missing = [f.key for f in PARK_FIELDS if f.required and f.key not in mapping]
        if missing:
            plan = ParkRowPlan(number=1)
            for key in missing:
                plan.problem(_label(key), _("No column of the file is mapped to this field."))
            return ParkPlan([plan])
        plans = []
        for row in table.rows:
            values = {
                key: row.cells[index].strip() if index < len(row.cells) else ""
                for key, index in mapping.items()
            }
            plan = ParkRowPlan(number=row.number)
            for index in row.formulas:
                column = table.headers[index] if index < len(table.headers) else str(index + 1)
                plan.problem(column, _("The cell holds a formula; type its value instead."))
            self._row(plan, values)
            plans.append(plan)
        if progress is not None:
            progress(len(plans))
        return ParkPlan(plans)

    def _province(self, plan: ParkRowPlan, text: str) -> Province | None:
        province = self.lookups.provinces.get(search_key(text)) if text else self.province
        if text and province is None:
            plan.problem(_label("province"), _("Unknown province “%(text)s”.") % {"text": text})
            return None
        if province is None:
            plan.problem(_label("province"), _("The province is missing."))
            return None
        if self.province is not None and province.pk != self.province.pk:
            plan.problem(
                _label("province"),
                _("This row is for %(row)s; this import is for %(import)s.")
                % {"row": province.name_fa, "import": self.province.name_fa},
            )
            return None
        return province

    def _row(self, plan: ParkRowPlan, values: dict[str, str]) -> None:
        province = self._province(plan, values.get("province", ""))
        name = values.get("name", "")
        if not name:
            plan.problem(_label("name"), _("The name is missing."))
        if province is None or not name:
            return
        plan.data.update(name=name[:200], province=province)
        key = search_key(name)
        keys = [key] + [key[len(p) :] for p in _PARK_PREFIXES if key.startswith(p)]
        known = next(
            (
                self.lookups.parks[(province.pk, k)]
                for k in keys
                if (province.pk, k) in self.lookups.parks
            ),
            None,
        )
        here = (province.pk, known.name_key if known else key)
        if here in self.seen:
            plan.problem(
                _label("name"),
                _("The park %(name)s of %(province)s is also in row %(row)s.")
                % {"name": name, "province": province.name_fa, "row": self.seen[here]},
            )
        else:
            self.seen[here] = plan.number
        if known is not None:
            plan.existing = known
            plan.data["name"] = known.name  # matched by name: the registry's spelling stays
            if known.pk not in self.mine:
                plan.problem(
                    _label("province"),
                    _("You may not change the parks of %(province)s.")
                    % {"province": province.name_fa},
                )
        elif not self.scope.can("places.create", province.pk):
            plan.problem(
                _label("province"),
                _("You may not register parks in %(province)s.") % {"province": province.name_fa},
            )
        self._choices(plan, values)
        self._numbers(plan, values)

    def _choices(self, plan: ParkRowPlan, values: dict[str, str]) -> None:
        for key, words in (("kind", self.kinds), ("ownership", self.ownerships)):
            text = values.get(key, "")
            if not text:
                continue
            value = words.get(search_key(text))
            if value is None:
                plan.problem(
                    _label(key),
                    _("Unknown %(field)s “%(text)s”.") % {"field": _label(key), "text": text},
                )
            else:
                plan.data[key] = value
        if values.get("specialty"):
            plan.data["specialty"] = values["specialty"][:300]
        if values.get("established_on"):
            date = judge_date(plan, _label("established_on"), values["established_on"])
            if date is not None:
                plan.data["established_on"] = date

    def _numbers(self, plan: ParkRowPlan, values: dict[str, str]) -> None:
        area = clean_digits(values.get("area_ha", "")).replace("٫", ".").replace("/", ".")
        if area:
            try:
                number = Decimal(area.replace(",", ""))
            except InvalidOperation:
                number = Decimal(-1)
            if not number.is_finite() or number < 0 or number >= Decimal("1e8"):
                plan.problem(
                    _label("area_ha"),
                    _("“%(text)s” is not an area in hectares.") % {"text": values["area_ha"]},
                )
            else:
                plan.data["area_ha"] = number.quantize(Decimal("0.01"))
        for key in ("plots_total", "plots_allocated"):
            text = clean_digits(values.get(key, "")).replace(",", "").replace("٬", "")
            if not text:
                continue
            if not is_latin_digits(text) or int(text) > 1_000_000:
                plan.problem(
                    _label(key), _("“%(text)s” is not a number of plots.") % {"text": values[key]}
                )
            else:
                plan.data[key] = int(text)
        existing = plan.existing
        total = plan.data.get("plots_total", existing.plots_total if existing else 0)
        allocated = plan.data.get("plots_allocated", existing.plots_allocated if existing else 0)
        if allocated > total:
            plan.problem(
                _label("plots_allocated"), _("Allocated plots cannot exceed the total plots.")
            )


def check_parks(
    table: Table,
    mapping: dict[str, int],
    *,
    actor: Any,
    province: Province | None,
    progress: Callable[[int], None] | None = None,
) -> ParkPlan:
    """Judge every row of a file of parks; write nothing."""
    return ParkChecker(actor=actor, province=province).check(table, mapping, progress)


def write_park(actor: Any, row: ParkRowPlan) -> str:
    """One row through the parks' services: "created" or "updated"."""
    if row.existing is None:
        places.park_create(actor=actor, data=row.data)
        return "created"
    places.park_update(actor=actor, park=row.existing, data=row.data, fields=tuple(row.data))
    return "updated"
