"""The directory's two rare flags (knowledge-based, exporter) in name order, nationally and
per province, carrying the other filter columns (PostgreSQL; SQLite ignores INCLUDE).

A page such as "province + group + knowledge-based + exporter" intersected a bitmap of the
province and group (the GIN, ~30,000 rows in the largest province) with the flag's index
and rechecked ~900 table blocks (20-70 ms warm, more under load); it is now an index-only
walk of the province's few thousand flagged units in name order (~1 ms). Only the flagged
units are in these indexes: at 1,000,000 units ``ent_kb_sort`` and ``ent_kb_prov_sort``
are ~4 MB each, ``ent_exp_sort`` and ``ent_exp_prov_sort`` ~11 MB each, built in about a
second; an imported unit writes into them only if it carries the flag.

Also (PostgreSQL): statistics on the search text's length in bytes. A search asks apart for
the units whose text is too long for the name-order indexes that carry it (``OctetLength``
> 2,000 in ``enterprises.selectors._ordered_ids``, ``ent_sort_long_text``: none at all in
the generated registry); without statistics the planner guesses a third of the table
matches and, given a status or a province as a constant and a page of 26, walked that
status's or province's units fetching every table row: «شیر» + idle 2.5 s, «شیر» + the
largest province 1.5 s. With them it knows the long texts are (nearly) none and reads the
small partial index. ``ANALYZE`` of the table (~3 s at 1,000,000 units) fills them at once.
"""

from django.db import migrations, models


def text_bytes_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE STATISTICS IF NOT EXISTS ent_text_bytes ON (octet_length(search_text)) "
        "FROM enterprises_enterprise"
    )
    schema_editor.execute("ANALYZE enterprises_enterprise")


def drop_text_bytes_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP STATISTICS IF EXISTS ent_text_bytes")


# The directory's filter columns as they are at this migration (``models.FILTER_COLUMNS``).
FILTER_COLUMNS = (
    "province_id", "park_id", "industry_group_id", "isic_division_id", "status",
    "size_band", "knowledge_based", "exporter", "published",
)  # fmt: skip
FLAG_INDEXES = (
    ("knowledge_based", [], "ent_kb_sort"),
    ("exporter", [], "ent_exp_sort"),
    ("knowledge_based", ["province"], "ent_kb_prov_sort"),
    ("exporter", ["province"], "ent_exp_prov_sort"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0017_search_in_name_order"),
        ("places", "0002_recompute_text_keys"),
        ("sectors", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="enterprise", name="ent_kb_sort"),
        migrations.RemoveIndex(model_name="enterprise", name="ent_exp_sort"),
        *[
            migrations.AddIndex(
                model_name="enterprise",
                index=models.Index(
                    condition=models.Q((flag, True)),
                    fields=[*leading, "sort_key", "id"],
                    include=FILTER_COLUMNS,
                    name=name,
                ),
            )
            for flag, leading, name in FLAG_INDEXES
        ],
        migrations.RunPython(text_bytes_statistics, drop_text_bytes_statistics, elidable=False),
    ]
