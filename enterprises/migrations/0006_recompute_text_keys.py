"""Names, search and sort keys recomputed after issue 18's changes to ``persian.text``:
bidi controls removed, PDF presentation forms and other layouts' look-alike letters
folded, every letter given its place in the sort order. In batches (``bulk_update``), so
that a million enterprises are not a million UPDATEs; rows whose keys do not change are
not written."""

from django.db import migrations

from persian.text import normalize, search_key, sort_key
from pishran.db import recompute_operation

FIELDS = ("name", "search_text", "sort_key")


def compute(row):
    name = normalize(row.name)
    parts = (search_key(name), search_key(row.products), search_key(row.capabilities))
    return {"name": name, "search_text": "|".join(parts), "sort_key": sort_key(name)}


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0005_remove_enterprise_owners")]

    operations = [
        recompute_operation("enterprises.Enterprise", compute, FIELDS, reads=("products", "capabilities"))
    ]
