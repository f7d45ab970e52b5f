"""The migration to grants keeps every person's access exactly as it was, role by role.

The database is taken back to the single-role schema (``accounts`` 0002, ``Enterprise.owners``
still there), people are given the old roles there, and it is migrated forward again: each
person's scope over units, parks and clusters must be what their old role gave them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Grant, Role, User
from accounts.scope import Scope
from clusters.models import Cluster
from enterprises.models import Enterprise
from places.models import Park
from tests.factories import get_park, get_province, make_cluster, make_enterprise, make_user

OLD = [
    ("accounts", "0002_alter_user_role"),
    ("enterprises", "0004_covering_directory_indexes"),
]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_every_old_role_becomes_grants_with_the_same_access(reference) -> None:
    qom, tehran = get_province("IR-25"), get_province("IR-23")
    park_p, park_tehran = get_park("شکوهیه"), get_park("پرند", "IR-23")
    e = make_enterprise(name="واحد قم", park=park_p)
    t = make_enterprise(name="واحد تهران", province=tehran)
    published = make_enterprise(name="واحد منتشر", province=tehran, published=True)
    agent_user = make_user("", username="old_agent")
    mine = make_cluster(name="خوشه قدیمی", province=tehran, agent=None)
    Cluster.objects.filter(pk=mine.pk).update(agent=agent_user)  # as the old schema allowed

    _migrate(OLD)
    old = MigrationExecutor(connection).loader.project_state(OLD).apps
    OldUser = old.get_model("accounts", "User")
    OldEnterprise = old.get_model("enterprises", "Enterprise")

    def person(username: str, role: str, province=None, parks=()):  # type: ignore[no-untyped-def]
        user, _ = OldUser.objects.get_or_create(username=username)
        user.role, user.province_id = role, province.pk if province else None
        user.save()
        user.parks.set([p.pk for p in parks])
        return user

    person("old_national", Role.NATIONAL_ADMIN)
    person("old_officer", Role.PROVINCIAL_OFFICER, qom)
    person("old_orphan_officer", Role.PROVINCIAL_OFFICER)  # province never set
    person("old_manager", Role.PARK_MANAGER, parks=[park_p, park_tehran])
    owner = person("old_owner", Role.ENTERPRISE_OWNER)
    OldEnterprise.objects.get(pk=t.pk).owners.add(owner)
    person("old_agent", Role.CLUSTER_AGENT)
    person("old_nobody", "")

    _migrate(_latest())

    def scope(username: str) -> Scope:
        return Scope.of(User.objects.get(username=username))

    def units(username: str) -> set[int]:
        return set(
            Enterprise.objects.filter(scope(username).full_q(Enterprise)).values_list(
                "pk", flat=True
            )
        )

    every_unit = {e.pk, t.pk, published.pk}
    assert units("old_national") == every_unit
    assert units("old_officer") == set(
        Enterprise.objects.filter(province=qom).values_list("pk", flat=True)
    )
    assert units("old_orphan_officer") == set()
    assert units("old_manager") == {e.pk}  # the Tehran park has none of these units
    assert units("old_owner") == {t.pk}
    assert units("old_agent") == set() and units("old_nobody") == set()

    def parks(username: str) -> set[int]:
        return set(Park.objects.filter(scope(username).full_q(Park)).values_list("pk", flat=True))

    assert parks("old_manager") == {park_p.pk, park_tehran.pk}
    assert parks("old_officer") == set(
        Park.objects.filter(province=qom).values_list("pk", flat=True)
    )
    assert parks("old_owner") == set()

    clusters = set(
        Cluster.objects.filter(scope("old_agent").full_q(Cluster)).values_list("pk", flat=True)
    )
    assert clusters == {mine.pk}
    assert Grant.objects.get(user__username="old_agent").place_id == tehran.pk
    assert scope("old_national").national and not scope("old_officer").national
    assert not Grant.objects.filter(
        user__username__in=["old_nobody", "old_orphan_officer"]
    ).exists()
