"""Facts: the key becomes the primary key (the surrogate id and its index go).

A table's primary key cannot be changed in place, so the facts are copied into a table with
the new key, which then takes the old one's name. Facts are derived data: going back leaves
the old table empty until the next ``rebuild_facts``."""

from django.db import migrations, models

_COLUMNS = "kind, month, level, place, status, dim, value, units, jobs"


def name_the_key(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    # The rebuild's swap renames constraints by name: the table's key must carry the
    # table's own name, not the one it was created under.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE indicators_fact RENAME CONSTRAINT indicators_factnext_pkey "
            "TO indicators_fact_pkey"
        )
        # Left by an earlier rebuild that stopped before its swap; rebuilds no longer use it.
        schema_editor.execute("DROP TABLE IF EXISTS indicators_fact_next")


def unname_the_key(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    # Going back: the old table is created again under its name, key included.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE indicators_fact RENAME CONSTRAINT indicators_fact_pkey "
            "TO indicators_factnext_pkey"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0002_figures_version_and_fact_changes'),
    ]

    operations = [
        migrations.CreateModel(
            name='FactNext',
            fields=[
                ('pk', models.CompositePrimaryKey('level', 'place', 'kind', 'dim', 'month', 'status', 'value', blank=True, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(max_length=1)),
                ('month', models.IntegerField()),
                ('level', models.CharField(max_length=1)),
                ('place', models.IntegerField()),
                ('status', models.CharField(max_length=20)),
                ('dim', models.CharField(max_length=10)),
                ('value', models.CharField(max_length=40)),
                ('units', models.BigIntegerField(default=0)),
                ('jobs', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunSQL(
            f"INSERT INTO indicators_factnext ({_COLUMNS}) SELECT {_COLUMNS} FROM indicators_fact",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.DeleteModel(name='Fact'),
        migrations.RenameModel(old_name='FactNext', new_name='Fact'),
        migrations.RunPython(name_the_key, unname_the_key),
    ]
