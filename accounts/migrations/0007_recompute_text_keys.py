"""People's search and sort keys recomputed after issue 18's changes to ``persian.text``
(see ``enterprises/0006``). The names themselves are stored as typed."""

from django.db import migrations

from persian.text import search_key, sort_key
from pishran.db import recompute_operation

FIELDS = ("search_text", "sort_key")


def compute(row):
    parts = (row.first_name, row.last_name, row.username)
    return {
        "search_text": "|".join(search_key(part) for part in parts),
        "sort_key": sort_key(f"{row.last_name} {row.first_name}".strip() or row.username),
    }


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_user_search_text_sort_key")]

    operations = [
        recompute_operation(
            "accounts.User", compute, FIELDS, reads=("first_name", "last_name", "username")
        )
    ]
