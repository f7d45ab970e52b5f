"""The banks the agency introduces units to (finance/data/banks.csv), loaded once; a bank
added later by an administrator is kept."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[1] / "data" / "banks.csv"


def load(apps, schema_editor):  # noqa: ANN001, ANN201
    Bank = apps.get_model("finance", "Bank")
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Bank.objects.get_or_create(code=row["code"], defaults={"name": row["name"], "name_en": row["name_en"]})


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
