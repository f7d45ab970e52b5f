"""Search and sort keys of people's names, for the people pages (filled for everyone)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from persian.text import search_key, sort_key

    User = apps.get_model("accounts", "User")
    for user in User.objects.iterator():
        parts = (user.first_name, user.last_name, user.username)
        user.search_text = "|".join(search_key(part) for part in parts)
        user.sort_key = sort_key(f"{user.last_name} {user.first_name}".strip() or user.username)
        user.save(update_fields=["search_text", "sort_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_remove_user_role_province_parks"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="user",
            name="sort_key",
            field=models.CharField(default="", editable=False, max_length=120),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
