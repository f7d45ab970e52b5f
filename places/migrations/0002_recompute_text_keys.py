"""Park names, search and sort keys recomputed after issue 18's changes to
``persian.text`` (see ``enterprises/0006``).

A park's ``name_key`` is unique in its province: two parks whose names differed only by a
bidi mark or a look-alike letter now have one key. Such a park keeps its old values (it
is printed, for someone to rename or merge) rather than failing the migration."""

from django.db import migrations

from persian.text import normalize, search_key, sort_key
from pishran.db import recompute_in_batches

FIELDS = ("name", "name_key", "sort_key")


def recompute(apps, schema_editor):
    Park = apps.get_model("places", "Park")
    new_keys: dict[tuple[int, str], int] = {}
    for pk, province_id, name in Park.objects.order_by("pk").values_list(
        "pk", "province_id", "name"
    ):
        new_keys.setdefault((province_id, search_key(normalize(name))), pk)

    def compute(row):
        name = normalize(row.name)
        key = search_key(name)
        if new_keys[(row.province_id, key)] != row.pk:
            print(f"\n  park {row.pk} «{row.name}» now has the key of park "
                  f"{new_keys[(row.province_id, key)]}: left as it was")
            return {"name": row.name, "name_key": row.name_key, "sort_key": row.sort_key}
        return {"name": name, "name_key": key, "sort_key": sort_key(name)[:200]}

    rows = Park.objects.only("pk", "province_id", *FIELDS)
    recompute_in_batches(rows, compute, FIELDS)


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
