"""The cases' facts keep each cell's all-time total (``gran`` a, on ``casefacts.ALL_TIME``):
written here once from the year rows (their sum), then kept with them by every change
(``indicators.casefacts``), so that a sum from the beginning to today reads one row per
value."""

import datetime as dt

from django.db import migrations

ALL_TIME = dt.date(1, 1, 1)  # casefacts.ALL_TIME

FILL = (
    "INSERT INTO indicators_casefact (type, level, place, measure, gran, day, value, n) "
    "SELECT type, level, place, measure, 'a', %s, value, SUM(n) FROM indicators_casefact "
    "WHERE gran = 'y' GROUP BY type, level, place, measure, value HAVING SUM(n) <> 0 "
    # In key order, as a rebuild writes them: a measure's rows at a place on a few pages.
    "ORDER BY type, level, place, measure, value"
)


def write_all_time(connection):
    """The all-time rows, afresh, from the year rows."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM indicators_casefact WHERE gran = 'a'")
        cursor.execute(FILL, [ALL_TIME])
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE indicators_casefact")


def fill(apps, schema_editor):
    write_all_time(schema_editor.connection)


def empty(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM indicators_casefact WHERE gran = 'a'")


class Migration(migrations.Migration):
    dependencies = [("indicators", "0009_semi_finished_stalled_months")]

    operations = [migrations.RunPython(fill, empty)]
