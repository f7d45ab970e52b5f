"""A larger statistics sample of the search text (PostgreSQL), so that the planner sees a
common word as common.

A search in name order should walk the name-order index that carries the search text
(``ent_sort_text``, ``ent_prov_sort_text``) and stop after a page of matches when the word
is common, and use the trigram index when it is rare (``enterprises.selectors._ordered_ids``).
The planner tells the two apart by the share of the column's histogram that contains the
word; with the default 100 entries a word in 4% of the units matched none of them in one
``ANALYZE`` of three (a fresh 1,000,000-unit registry: «شیر», 39,323 units), was taken for a
0.01% word, and every search for it read ~31,000 table blocks of trigram matches and sorted
them: 97 ms in the database where the name-order walk takes 0.15 ms (the directory's
"common word" pages 104-112 ms p95 on a quiet machine). With 500 entries such a word is
missed with a chance of about 1 in 10^9, a 1% word about 1 in 150. ``ANALYZE`` of the table
samples 150,000 rows instead of 30,000 (0.7 -> 4.4 s at 1,000,000 units; autovacuum runs it
in the background after a tenth of the table changed).
"""

from django.db import migrations

SEARCH_TEXT_STATISTICS = 500


def more_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE enterprises_enterprise ALTER COLUMN search_text "
        f"SET STATISTICS {SEARCH_TEXT_STATISTICS}"
    )
    schema_editor.execute("ANALYZE enterprises_enterprise")


def default_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE enterprises_enterprise ALTER COLUMN search_text SET STATISTICS -1"
    )


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0018_flags_in_name_order")]

    operations = [migrations.RunPython(more_statistics, default_statistics, elidable=False)]
