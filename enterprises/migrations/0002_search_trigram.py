"""PostgreSQL only: trigram indexes so that ``?q=`` substring search stays fast at a
million rows. SQLite has no such index type; there the same query scans, which is fine at
the embedded demo's size."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS ent_search_trgm ON enterprises_enterprise "
        "USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS ent_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
