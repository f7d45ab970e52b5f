"""PostgreSQL only: one multicolumn GIN index (btree_gin) over the directory's categorical
filters, so that any combination of them is answered by intersecting posting lists
instead of walking a B-tree that fits only one of them. SQLite keeps the B-trees."""

from django.db import migrations

COLUMNS = "province_id, industry_group_id, status, size_band, published"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS ent_filters_gin ON enterprises_enterprise USING gin ({COLUMNS})"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS ent_filters_gin")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0002_search_trigram")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
