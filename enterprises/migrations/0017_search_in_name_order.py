"""PostgreSQL only: the search text carried in name-order indexes, so that a search for a
common word («شیر», ~4% of the units) finds its first page and its capped count by walking
the name order in the index alone (an index-only scan that stops after the cap), instead
of fetching ~30,000 table rows to test their text (the plain name-order walk) or
intersecting the trigram index with the province's rows and sorting them.

``ent_sort_text`` walks the whole registry (national staff; a provincial officer's own
province or published units), ``ent_prov_sort_text`` one province. A B-tree entry must fit
a third of a page, so both hold the units whose search text is at most 2,000 bytes (every
unit the generator makes, and any unit with a few hundred words of products and
capabilities); the longer ones, if any, are found through ``ent_sort_long_text``
(``enterprises.selectors.TEXT_IN_INDEX_BYTES``). SQLite has no INCLUDE and scans its
embedded registry as before.

At 1,000,000 units each of the two covering indexes is ~230 MB; the migration took 39 s
on a loaded 2-core machine (``CREATE INDEX``: writes to the table wait for it).
"""

from django.db import migrations

TEXT_IN_INDEX_BYTES = 2000  # the same number as enterprises.selectors.TEXT_IN_INDEX_BYTES

INDEXES = {
    "ent_sort_text": (
        "(sort_key, id) INCLUDE (province_id, published, search_text) "
        f"WHERE octet_length(search_text) <= {TEXT_IN_INDEX_BYTES}"
    ),
    "ent_prov_sort_text": (
        "(province_id, sort_key, id) INCLUDE (published, search_text) "
        f"WHERE octet_length(search_text) <= {TEXT_IN_INDEX_BYTES}"
    ),
    "ent_sort_long_text": f"(sort_key, id) WHERE octet_length(search_text) > {TEXT_IN_INDEX_BYTES}",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON enterprises_enterprise {definition}"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0016_drop_duplicate_indexes")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
