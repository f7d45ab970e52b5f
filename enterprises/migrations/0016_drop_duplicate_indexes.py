"""The units' table loses six indexes, and each of its three event tables one, that
another index already answers for, and that every write of a unit or an event kept up to
date for nothing (a bulk import adds each new unit and its three events to every index of
their tables):

- the single-column indexes of ``province``, ``park``, ``industry_group`` and
  ``isic_division`` (each the first column of ``ent_prov_id``, ``ent_park_id``,
  ``ent_group_sort`` and ``ent_isic_sort``: the planner takes those for the same lookups,
  EXPLAIN in docs/benchmarks.md);
- the ``varchar_pattern_ops`` copies of ``isic_division`` and ``legal_id`` (PostgreSQL
  only), for ``LIKE 'x%'`` on them, which no query of the product makes (equality and
  ``IN`` use the plain and unique indexes);
- the single-column index of ``enterprise`` on the status, location and measure events
  (the first column of ``sev_ent_date``, ``lev_ent_date`` and ``mev_ent_date``).

Dropping an index is immediate at 1,000,000 units; reversing builds them again.
"""

import django.db.models.deletion
from django.db import migrations, models

UNITS = "enterprises_enterprise"
# (table, column, its index's suffix): as Django named them when it built them.
INDEXES = [
    (UNITS, "industry_group_id", ""),
    (UNITS, "isic_division_id", ""),
    (UNITS, "park_id", ""),
    (UNITS, "province_id", ""),
    (UNITS, "isic_division_id", "_like"),
    (UNITS, "legal_id", "_like"),
    ("enterprises_statusevent", "enterprise_id", ""),
    ("enterprises_locationevent", "enterprise_id", ""),
    ("enterprises_measureevent", "enterprise_id", ""),
]


def _names(schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, column, suffix in INDEXES:
        if suffix != "_like" or postgres:  # the LIKE copies exist on PostgreSQL only
            name = schema_editor._create_index_name(table, [column], suffix=suffix)
            yield table, column, suffix, schema_editor.quote_name(name)


def drop(apps, schema_editor):
    for _table, _column, _suffix, name in _names(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def build(apps, schema_editor):
    for table, column, suffix, name in _names(schema_editor):
        ops = " varchar_pattern_ops" if suffix == "_like" else ""
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column}{ops})")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0015_rows_in_name_order"),
        ("places", "0002_recompute_text_keys"),
        ("sectors", "0001_initial"),
    ]

    # Only the indexes are dropped: altering the fields in the database would also drop and
    # add again their foreign keys, each validated by a scan of every unit.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, build, elidable=False)],
            state_operations=[
                migrations.AlterField(
                    model_name="enterprise",
                    name="industry_group",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="sectors.industrygroup",
                        verbose_name="industry group",
                    ),
                ),
                migrations.AlterField(
                    model_name="enterprise",
                    name="isic_division",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="sectors.isicdivision",
                        verbose_name="ISIC division",
                    ),
                ),
                migrations.AlterField(
                    model_name="enterprise",
                    name="park",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enterprises",
                        to="places.park",
                        verbose_name="park or zone",
                    ),
                ),
                migrations.AlterField(
                    model_name="enterprise",
                    name="province",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enterprises",
                        to="places.province",
                        verbose_name="province",
                    ),
                ),
                *[
                    migrations.AlterField(
                        model_name=model,
                        name="enterprise",
                        field=models.ForeignKey(
                            db_index=False,
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name=related_name,
                            to="enterprises.enterprise",
                        ),
                    )
                    for model, related_name in (
                        ("locationevent", "location_events"),
                        ("measureevent", "measure_events"),
                        ("statusevent", "status_events"),
                    )
                ],
            ],
        ),
    ]
