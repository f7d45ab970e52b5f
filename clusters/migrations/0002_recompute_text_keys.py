"""Cluster names, search and sort keys recomputed after issue 18's changes to
``persian.text`` (see ``enterprises/0006``)."""

from django.db import migrations

from persian.text import normalize, search_key, sort_key
from pishran.db import recompute_operation

FIELDS = ("name", "search_text", "sort_key")


def compute(row):
    name = normalize(row.name)
    return {
        "name": name,
        "search_text": search_key(" ".join([name, row.city, row.common_brand])),
        "sort_key": sort_key(name),
    }


class Migration(migrations.Migration):
    dependencies = [("clusters", "0001_initial")]

    operations = [
        recompute_operation("clusters.Cluster", compute, FIELDS, reads=("city", "common_brand"))
    ]
