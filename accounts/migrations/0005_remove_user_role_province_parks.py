"""Roles now live in grants (0004 moved every person's role there)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_grants_from_roles"),
        ("enterprises", "0005_remove_enterprise_owners"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='user',
            name='parks',
        ),
        migrations.RemoveField(
            model_name='user',
            name='province',
        ),
        migrations.RemoveField(
            model_name='user',
            name='role',
        ),
    ]
