"""A referral keeps its case's opening day (``Referral.opened_on``) so that a bank's
referrals, newest first, are read from one index; filled from the cases."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Case = apps.get_model("cases", "Case")
    Referral = apps.get_model("finance", "Referral")
    opened = Case.objects.filter(pk=OuterRef("case_id")).values("opened_on")[:1]
    Referral.objects.update(opened_on=Subquery(opened))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_type_newest_first"),
        ("finance", "0004_certificates"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="opened_on",
            field=models.DateField(editable=False, null=True, verbose_name="introduced on"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="referral",
            name="opened_on",
            field=models.DateField(editable=False, verbose_name="introduced on"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["bank", "-opened_on", "-case"], name="ref_bank_new"),
        ),
    ]
