"""A synthetic history of employees and construction progress on a benchmark registry whose
units have one measure event each (the one ``enterprises.0011_measure_events`` writes at
registration), as in docs/benchmarks.md "Employees and progress from their dated history":

- the units with ``id % 100 < 35`` registered over a year ago get a second event with
  today's headcount, dated between their registration and today; their first event's
  headcount becomes 60–140% of it;
- every unit under construction at 60% or more gets a second progress event with today's
  progress a third of the way from its registration to today; its first event's progress
  becomes a third of it.

Run on a copy of the template, never on the template itself:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_bench_copy \
        .venv/bin/python bench/measure_history.py

A registry built by ``bench/seed_build.py`` since the demo generator writes measure
histories of its own (about 3 events per unit, 80% of the units with more than one) needs
none of this: the script then stops and changes nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

# Registration: the unit's first status event. Dates and shares are functions of the id, so
# the same registry always gets the same history.
REGISTERED = (
    "CREATE TEMP TABLE mh_reg AS SELECT x.id, f.d AS reg, x.employees AS emp, "
    "x.construction_progress AS prog, x.status FROM enterprises_enterprise x JOIN ("
    "SELECT enterprise_id AS e, MIN(date) AS d FROM enterprises_statusevent "
    "WHERE from_status = '' GROUP BY enterprise_id) f ON f.e = x.id"
)
HEADCOUNTS = [
    "INSERT INTO enterprises_measureevent (enterprise_id, date, employees, recorded_at) "
    "SELECT id, reg + GREATEST(1, ((CURRENT_DATE - reg) * ((id * 7919) % 1000)) / 1000), emp, "
    "now() FROM mh_reg WHERE id % 100 < 35 AND reg < CURRENT_DATE - 365",
    "UPDATE enterprises_measureevent m SET employees = r.emp * (60 + r.id % 81) / 100 "
    "FROM mh_reg r WHERE m.enterprise_id = r.id AND m.date = r.reg AND m.employees IS NOT NULL "
    "AND r.id % 100 < 35 AND r.reg < CURRENT_DATE - 365",
]
PROGRESS = [
    "INSERT INTO enterprises_measureevent (enterprise_id, date, construction_progress, "
    "recorded_at) SELECT id, reg + GREATEST(1, (CURRENT_DATE - reg) / 3), prog, now() "
    "FROM mh_reg WHERE status = 'under_construction' AND prog >= 60 "
    "AND reg < CURRENT_DATE - 3",
    "UPDATE enterprises_measureevent m SET construction_progress = r.prog / 3 FROM mh_reg r "
    "WHERE m.enterprise_id = r.id AND m.date = r.reg AND m.construction_progress IS NOT NULL "
    "AND r.status = 'under_construction' AND r.prog >= 60 AND r.reg < CURRENT_DATE - 3",
]


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL copy of the benchmark registry.")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT enterprise_id FROM enterprises_measureevent "
            "GROUP BY enterprise_id HAVING COUNT(*) > 1) z"
        )
        several = cursor.fetchone()[0]
        if several:
            sys.exit(f"{several:,} units have a measure history already: nothing changed.")
        cursor.execute(REGISTERED)
        for sql in HEADCOUNTS + PROGRESS:
            cursor.execute(sql)
            print(f"{cursor.rowcount:>9,}  {sql[:70]}…")
        cursor.execute("ANALYZE enterprises_measureevent")


main()
