"""Audit records keep the actor's name ("full name (username)") beside the link to the
account, so deleting an account no longer erases who did what.

Existing records are named from the accounts they still link to (as they are named now:
their names then were never kept); records whose account is already gone, and the
system's, stay "". Going back drops the column."""

from django.conf import settings
from django.db import migrations, models


def name_the_actors(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    # The rule of audit.services.actor_name, copied: a migration must not change with the code.
    AuditRecord = apps.get_model("audit", "AuditRecord")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    actor_ids = AuditRecord.objects.filter(actor__isnull=False).values("actor_id").distinct()
    for user in User.objects.filter(pk__in=actor_ids).only("username", "first_name", "last_name"):
        full_name = f"{user.first_name} {user.last_name}".strip()
        name = f"{full_name} ({user.username})" if full_name else user.username
        AuditRecord.objects.filter(actor_id=user.pk).update(actor_name=name)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditrecord',
            name='actor_name',
            field=models.CharField(blank=True, max_length=500, verbose_name='by (name at the time)'),
        ),
        migrations.RunPython(name_the_actors, migrations.RunPython.noop, elidable=True),
    ]
