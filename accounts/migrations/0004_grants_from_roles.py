"""Every person's single role becomes grants with the same access, dated from the day they
joined:

- national administrator → one nation-wide grant;
- provincial officer → a grant over their province (none if it was never set: such a
  person kept nothing and keeps nothing);
- park manager → one grant per park they managed;
- enterprise owner → one grant per unit they owned (``Enterprise.owners``, removed next);
- cluster development agent → one grant per province of the clusters they are the agent
  of; an agent of no cluster gets one over their province if it was set.

Superusers stay national by their flag. Going back restores the role of the first grant
(the owner links and parks too)."""

from django.db import migrations

NATION = ""


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Grant = apps.get_model("accounts", "Grant")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    Cluster = apps.get_model("clusters", "Cluster")
    owners = Enterprise.owners.through
    grants = []
    for user in User.objects.exclude(role="").iterator():
        start = user.date_joined.date()

        def add(kind, pk, user=user, start=start):
            grants.append(
                Grant(user_id=user.pk, role=user.role, place_kind=kind, place_id=pk,
                      starts_on=start, note="role before grants")
            )

        if user.role == "national_admin":
            add(NATION, None)
        elif user.role == "provincial_officer":
            if user.province_id:
                add("province", user.province_id)
        elif user.role == "park_manager":
            for park_id in user.parks.values_list("id", flat=True):
                add("park", park_id)
        elif user.role == "enterprise_owner":
            for unit in owners.objects.filter(user_id=user.pk).values_list(
                "enterprise_id", flat=True
            ):
                add("enterprise", unit)
        elif user.role == "cluster_agent":
            provinces = set(
                Cluster.objects.filter(agent_id=user.pk).values_list("province_id", flat=True)
            )
            if not provinces and user.province_id:
                provinces = {user.province_id}
            for province_id in sorted(provinces):
                add("province", province_id)
    Grant.objects.bulk_create(grants, batch_size=1000)


def backwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Grant = apps.get_model("accounts", "Grant")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    owners = Enterprise.owners.through
    for grant in Grant.objects.filter(withdrawn_on__isnull=True).order_by("id"):
        user = User.objects.get(pk=grant.user_id)
        if not user.role:
            user.role = grant.role
        if grant.place_kind == "province" and not user.province_id:
            user.province_id = grant.place_id
        user.save()
        if grant.place_kind == "park":
            user.parks.add(grant.place_id)
        if grant.place_kind == "enterprise":
            owners.objects.get_or_create(user_id=user.pk, enterprise_id=grant.place_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_grant"),
        ("enterprises", "0004_covering_directory_indexes"),
        ("clusters", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
