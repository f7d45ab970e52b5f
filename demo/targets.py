"""Demo targets for the current Jalali year, so the demo dashboards show actual against
target. A target is what each province would reach at its pace so far this year, raised
by the programme's ambition: for a flow (revivals, permits, clusters completed) the
year's count so far projected to the whole year; for a stock (active units, jobs) its
value at the start of the year plus this year's gain so far, projected (a falling stock
is asked to hold). The country's target is the sum of its provinces'. Written through
``indicators.services.target_set`` (audited). Needs the facts (``rebuild_facts``)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from indicators.models import Indicator, Target
from indicators.selectors import by_province
from indicators.services import target_delete, target_set
from persian.jalali import today, year_bounds, year_of
from places.models import Province

# indicator key → the ambition over the pace so far
AMBITION = {
    "revived": Decimal("1.25"),  # as the programme set it: "revive 2,000 units in 1402"
    "permits": Decimal("1.10"),
    "units-active": Decimal("1.05"),
    "jobs": Decimal("1.05"),
    "clusters-completed-in-period": Decimal("1.20"),
    # HOOK (issue 19, clinic targets per province): when the indicator "revived with the
    # clinic" is on main (key "clinic-revived", a flow counted like "revived"; being added
    # by the clinic figures' work), add it here — the demo then sets each province's target
    # for the year from its pace so far, as for the others:
    # "clinic-revived": Decimal("1.25"),
}


@transaction.atomic  # all of the year's demo targets, or none
def seed_targets(year: int | None = None) -> int:
    """Set the demo targets for ``year`` (default: this Jalali year), in place of any it
    has for these indicators; return how many."""
    year = year or year_of(today())
    for old in Target.objects.filter(year=year, indicator__key__in=AMBITION):
        target_delete(actor=None, target=old)
    first, last = year_bounds(year)
    as_of = min(today(), last)
    pace = Decimal((last - first).days + 1) / Decimal(max((as_of - first).days + 1, 1))
    provinces = {p.pk: p for p in Province.objects.all()}
    written = 0
    for indicator in Indicator.objects.filter(key__in=AMBITION).order_by("position"):
        now = by_province(indicator, as_of)
        start = {} if indicator.is_flow else by_province(indicator, first - dt.timedelta(days=1))
        total = 0
        for province_id in sorted(set(now) & set(provinces)):
            base = Decimal(start.get(province_id) or 0)
            gain = max(Decimal(now[province_id] or 0) - base, Decimal(0))
            goal = int(
                (base + gain * pace * AMBITION[indicator.key]).quantize(Decimal("1"), ROUND_HALF_UP)
            )
            if goal <= 0:
                continue  # nothing to grow from: no target
            target_set(
                actor=None,
                indicator=indicator,
                year=year,
                value=goal,
                province=provinces[province_id],
            )
            total += goal
            written += 1
        if total:
            target_set(actor=None, indicator=indicator, year=year, value=total)
            written += 1
    return written
