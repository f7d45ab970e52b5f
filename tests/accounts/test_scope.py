"""The one scoping layer: for every role, which enterprises a person can find, which they
see in full, which parks they keep, and what they may do.

The registry fixture (tests/conftest.py) holds: E (park P in Qom, unpublished, the owner's),
p_published (park P, published), qom_other_park (park P2 in Qom, unpublished), qom_outside
(Qom outside any park, unpublished), tehran_published, tehran_unpublished."""

from __future__ import annotations

import pytest

from accounts.models import Grant, Role, User
from accounts.scope import Scope
from enterprises.models import Enterprise, StatusEvent
from enterprises.services import enterprise_move
from places.models import Park
from tests.factories import days_ago, make_enterprise, make_user, reload

ALL = {
    "e",
    "p_published",
    "qom_other_park",
    "qom_outside",
    "tehran_published",
    "tehran_unpublished",
}
PUBLISHED = {"p_published", "tehran_published"}
QOM = {"e", "p_published", "qom_other_park", "qom_outside"}
TEHRAN = {"tehran_published", "tehran_unpublished"}
PARK_P = {"e", "p_published"}

FULL = {
    "national_admin": ALL,
    "officer_a": QOM,
    "officer_b": TEHRAN,
    "park_manager": PARK_P,
    "owner": {"e"},
    "cluster_agent": set(),  # keeps clusters, not enterprises
    "anonymous": set(),
}
ROLES = list(FULL)


def visible(user, registry) -> set[str]:
    return registry.names(Enterprise.objects.filter(Scope.of(user).visible_q(Enterprise)))


def full(user, registry) -> set[str]:
    return registry.names(Enterprise.objects.filter(Scope.of(user).full_q(Enterprise)))


@pytest.mark.parametrize("who", ROLES)
def test_each_role_sees_in_full_exactly_the_units_it_keeps(user_of, registry, who) -> None:
    assert full(user_of(who), registry) == FULL[who]


@pytest.mark.parametrize("who", ROLES)
def test_each_role_finds_its_own_units_and_the_published_directory(user_of, registry, who):
    expected = ALL if who == "national_admin" else FULL[who] | PUBLISHED
    assert visible(user_of(who), registry) == expected


def test_an_officer_of_a_sees_the_published_units_of_b_but_not_its_unpublished_ones(
    officer_a, registry
) -> None:
    found = visible(officer_a, registry)

    assert "tehran_published" in found
    assert "tehran_unpublished" not in found
    assert "tehran_published" not in full(officer_a, registry)


def test_a_park_manager_does_not_keep_other_parks_of_the_same_province(park_manager, registry):
    assert "qom_other_park" not in visible(park_manager, registry)
    assert "qom_outside" not in visible(park_manager, registry)


def test_the_public_finds_only_the_published_directory(anonymous, registry) -> None:
    assert visible(anonymous, registry) == PUBLISHED


def test_an_inactive_user_gets_the_scope_of_the_public(anonymous, registry) -> None:
    former = make_user(Role.NATIONAL_ADMIN, is_active=False)

    scope = Scope.of(former)
    assert scope == Scope.of(anonymous)
    assert visible(former, registry) == PUBLISHED
    assert full(former, registry) == set()
    assert not scope.can("enterprises.change_status")
    assert not scope.can("enterprises.create")


def test_an_inactive_officer_keeps_nothing_in_their_province(reference, registry) -> None:
    former = make_user(Role.PROVINCIAL_OFFICER, province=reference.qom, is_active=False)

    assert full(former, registry) == set()
    assert Park.objects.filter(Scope.of(former).full_q(Park)).count() == 0


def test_a_superuser_without_a_role_is_national(reference, registry) -> None:
    admin = make_user("", is_superuser=True)

    assert full(admin, registry) == ALL


def test_a_user_without_a_role_sees_only_the_directory(reference, registry) -> None:
    assert visible(make_user(""), registry) == PUBLISHED


def test_an_owner_of_two_units_keeps_both(reference, registry) -> None:
    user = make_user(Role.ENTERPRISE_OWNER, enterprises=[registry.e, registry.tehran_unpublished])

    assert full(user, registry) == {"e", "tehran_unpublished"}


def test_a_park_manager_keeps_a_unit_that_moves_into_their_park(park_manager, reference):
    newcomer = make_enterprise(park=reference.park_p2)
    scope_before = Scope.of(reload(park_manager))
    assert not Enterprise.objects.filter(scope_before.full_q(Enterprise), pk=newcomer.pk).exists()

    enterprise_move(
        actor=None,
        enterprise=newcomer,
        province=reference.qom,
        park=reference.park_p,
        date=days_ago(1),
        reason="انتقال",
    )

    assert Enterprise.objects.filter(scope_before.full_q(Enterprise), pk=newcomer.pk).exists()


def test_the_scope_filters_related_rows_through_a_prefix(officer_a, registry) -> None:
    scope = Scope.of(officer_a)
    events = StatusEvent.objects.filter(scope.full_q(Enterprise, "enterprise__"))

    assert {e.enterprise_id for e in events} == {getattr(registry, n).pk for n in QOM}


# --- parks and permissions ----------------------------------------------------------------------


def editable_parks(user) -> set[int]:
    return set(Park.objects.filter(Scope.of(user).full_q(Park)).values_list("pk", flat=True))


def test_the_national_admin_edits_every_park(national_admin, reference) -> None:
    assert editable_parks(national_admin) == set(Park.objects.values_list("pk", flat=True))


def test_an_officer_edits_exactly_the_parks_of_their_province(officer_a, reference) -> None:
    qom_parks = set(Park.objects.filter(province=reference.qom).values_list("pk", flat=True))
    assert reference.park_p.pk in qom_parks and len(qom_parks) > 1

    assert editable_parks(officer_a) == qom_parks


def test_a_park_manager_edits_only_their_park(park_manager, reference) -> None:
    assert editable_parks(park_manager) == {reference.park_p.pk}


@pytest.mark.parametrize("who", ["owner", "cluster_agent", "anonymous"])
def test_owners_and_the_public_edit_no_park(user_of, who) -> None:
    assert editable_parks(user_of(who)) == set()


PERMISSIONS = {
    #                 can_change_status, can_create_parks, can_create_enterprises
    "national_admin": (True, True, True),
    "officer_a": (True, True, True),
    "officer_b": (True, True, True),
    "park_manager": (True, False, True),
    "owner": (False, False, False),
    "cluster_agent": (False, False, False),
    "anonymous": (False, False, False),
}


@pytest.mark.parametrize("who", ROLES)
def test_what_each_role_may_do(user_of, who) -> None:
    scope = Scope.of(user_of(who))

    assert (
        scope.can("enterprises.change_status"),
        scope.can("places.create"),
        scope.can("enterprises.create"),
    ) == PERMISSIONS[who]


def test_an_officer_whose_province_was_never_set_keeps_nothing(reference, registry) -> None:
    # Saved without validation (as an import might): the scope must not fall back to "all".
    user = User.objects.create(username="orphan")
    Grant.objects.create(user=user, role=Role.PROVINCIAL_OFFICER, starts_on=days_ago(1))

    assert full(user, registry) == set()
    assert not Scope.of(user).can("places.create")
