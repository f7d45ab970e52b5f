"""Shared fixtures: reference data, one user per role, and enterprises in known places.

Reference data
    The real reference data (31 provinces, 24 ISIC divisions, 8 industry groups and the
    named parks of ``places/data``) is loaded with ``load_reference`` once per test
    database, when pytest-django creates it, and every test runs inside a transaction that
    is rolled back, so tests see it at no cost. ``reference`` returns it by name and reloads
    it if a transactional test (``transactional_db``) has flushed the tables.

    ``reference.qom`` (province A, IR-25), ``reference.tehran`` (province B, IR-23),
    ``reference.alborz`` (IR-30); ``reference.park_p`` (شکوهیه, Qom: park P),
    ``reference.park_p2`` (الغدیر, another Qom park), ``reference.park_tehran`` (پرند);
    ``reference.isic`` (division 10, food) and ``reference.group`` (its industry group).
    Shortcuts: ``province_a``, ``province_b``, ``park_p``.

People, one per role (all active, password ``tests.factories.PASSWORD``)
    ``national_admin``; ``officer_a`` (provincial officer of Qom); ``officer_b`` (of
    Tehran); ``park_manager`` (of park P only); ``owner`` (owner of ``enterprise_e``);
    ``cluster_agent`` (agent of ``clusters.mine``; ``other_agent`` keeps ``clusters.qom_other``);
    ``anonymous`` (an ``AnonymousUser``). ``user_of("officer_a")`` gives any of them by name,
    which suits ``@pytest.mark.parametrize("who", [...])``.

Enterprises
    ``enterprise_e``: E, active, in park P, unpublished (the ``owner``'s unit).
    ``registry``: E plus one unit in each kind of place, made through the services:

    - ``registry.e``: park P (Qom), unpublished — the same unit as ``enterprise_e``;
    - ``registry.p_published``: park P (Qom), published;
    - ``registry.qom_other_park``: park P2 (الغدیر, Qom), unpublished;
    - ``registry.qom_outside``: Qom outside any park, unpublished;
    - ``registry.tehran_published``: park پرند (Tehran), published;
    - ``registry.tehran_unpublished``: Tehran outside any park, unpublished.

    All are active since a year ago (``make_enterprise`` defaults), registered by nobody
    (``actor=None``), so each has one "create" audit record (E also gets an "owners" record
    when the ``owner`` fixture is used).

    ``registry.all()`` lists them; ``registry.names(queryset)`` gives the attribute names
    of the registry's units found in a queryset, handy for scope assertions.

    More data: ``tests.factories`` (``make_enterprise``, ``make_user``, ``make_park``, …).

Clusters
    ``clusters.mine`` (Qom, the ``cluster_agent``'s, unpublished, in diagnosis),
    ``clusters.qom_other`` (Qom, ``other_agent``'s, published), ``clusters.tehran``
    (Tehran, no agent, published); each has a team mobile the public never sees.

Views
    ``client_for(user)`` is a Django test client logged in as ``user`` (or anonymous),
    through ``force_login``: ``client.login`` fails under django-axes, which wants a
    request. ``accounts.scope.Scope.of(user)`` is cached on the user object: after changing
    someone's parks or enterprises in a test, use a fresh instance (``reload(user)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import Client

from accounts.models import Role, User
from clusters.models import Cluster
from enterprises.models import Enterprise
from places.models import Park, Province
from sectors.models import IndustryGroup, IsicDivision
from tests.factories import (
    QOM,
    TEHRAN,
    days_ago,
    get_isic,
    get_park,
    get_province,
    give,
    make_cluster,
    make_enterprise,
    make_user,
)


def pytest_configure(config: pytest.Config) -> None:
    # Hashing real passwords costs ~100 ms a user; tests need no strength.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load_reference() -> None:
    call_command("load_reference", stdout=StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Load the reference data once into each test database (one per xdist worker)."""
    with django_db_blocker.unblock():
        _load_reference()


# --- reference data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    qom: Province
    tehran: Province
    alborz: Province
    park_p: Park
    park_p2: Park
    park_tehran: Park
    isic: IsicDivision
    group: IndustryGroup


@pytest.fixture
def reference(db: None) -> Reference:
    if not Province.objects.filter(code=QOM).exists():  # flushed by a transactional test
        _load_reference()
    division = get_isic("10")
    assert division.group is not None
    return Reference(
        qom=get_province(QOM),
        tehran=get_province(TEHRAN),
        alborz=get_province("IR-30"),
        park_p=get_park("شکوهیه", QOM),
        park_p2=get_park("الغدیر", QOM),
        park_tehran=get_park("پرند", TEHRAN),
        isic=division,
        group=division.group,
    )


@pytest.fixture
def province_a(reference: Reference) -> Province:
    return reference.qom


@pytest.fixture
def province_b(reference: Reference) -> Province:
    return reference.tehran


@pytest.fixture
def park_p(reference: Reference) -> Park:
    return reference.park_p


# --- one user per role ----------------------------------------------------------------------


@pytest.fixture
def national_admin(reference: Reference) -> User:
    return make_user(Role.NATIONAL_ADMIN, username="national_admin")


@pytest.fixture
def officer_a(reference: Reference) -> User:
    return make_user(Role.PROVINCIAL_OFFICER, username="officer_a", province=reference.qom)


@pytest.fixture
def officer_b(reference: Reference) -> User:
    return make_user(Role.PROVINCIAL_OFFICER, username="officer_b", province=reference.tehran)


@pytest.fixture
def park_manager(reference: Reference) -> User:
    return make_user(Role.PARK_MANAGER, username="park_manager", parks=[reference.park_p])


@pytest.fixture
def owner(enterprise_e: Enterprise) -> User:
    return make_user(Role.ENTERPRISE_OWNER, username="owner", enterprises=[enterprise_e])


@pytest.fixture
def anonymous() -> AnonymousUser:
    return AnonymousUser()


@pytest.fixture
def cluster_agent(reference: Reference) -> User:
    """A cluster development agent (the agent of ``clusters.mine`` in Qom)."""
    return make_user(
        Role.CLUSTER_AGENT, username="cluster_agent", first_name="رضا", last_name="عاملی"
    )


@pytest.fixture
def other_agent(reference: Reference) -> User:
    return make_user(Role.CLUSTER_AGENT, username="other_agent")


@pytest.fixture
def officer_b_and_park_manager(reference: Reference) -> User:
    """One person, two grants: provincial officer of Tehran and manager of park P (Qom)."""
    person = make_user(
        Role.PROVINCIAL_OFFICER, username="officer_b_and_park_manager", province=reference.tehran
    )
    give(person, Role.PARK_MANAGER, reference.park_p)
    return person


ROLE_FIXTURES = (
    "national_admin", "officer_a", "officer_b", "park_manager", "owner", "cluster_agent",
    "anonymous", "officer_b_and_park_manager",
    "bank_officer", "market_adviser", "consortium_promoter", "clinic_consultant",
)  # fmt: skip


# --- people who hold only another app's role (``tests.access_tables.APP_ROLES``) -------------


@pytest.fixture
def bank_officer(reference: Reference) -> User:
    """An officer of Bank Melli (the bank rows are loaded by a migration; a transactional
    test's flush removes them, so they are made again)."""
    from finance.models import Bank
    from finance.roles import BANK_OFFICER

    melli, _ = Bank.objects.get_or_create(code="melli", defaults={"name": "بانک ملی"})
    person = make_user(username="bank_officer")
    give(person, BANK_OFFICER, melli)
    return person


@pytest.fixture
def market_adviser(reference: Reference) -> User:
    from finance.models import AdviserFirm
    from finance.roles import MARKET_ADVISER

    firm, _ = AdviserFirm.objects.get_or_create(code="amin", defaults={"name": "مشاور امین"})
    person = make_user(username="market_adviser")
    give(person, MARKET_ADVISER, firm)
    return person


@pytest.fixture
def consortium_promoter(reference: Reference) -> User:
    """The promoter of a Qom consortium of three units of its own (none of the registry's
    targets)."""
    from consortia.roles import PROMOTER
    from consortia.services import consortium_form

    units = [make_enterprise(name=f"عضو کنسرسیوم {n}") for n in range(3)]
    consortium = consortium_form(
        actor=None, province=reference.qom, formed_on=days_ago(100), units=units,
        name="کنسرسیوم آزمون", products="قطعات", markets=["IQ"],
    )  # fmt: skip
    person = make_user(username="consortium_promoter")
    give(person, PROMOTER, consortium)
    return person


@pytest.fixture
def clinic_consultant(reference: Reference) -> User:
    from clinics.roles import CLINIC_CONSULTANT

    person = make_user(username="clinic_consultant")
    give(person, CLINIC_CONSULTANT, reference.qom)
    return person


@pytest.fixture
def user_of(request: pytest.FixtureRequest) -> Callable[[str], Any]:
    """``user_of("park_manager")`` → that fixture's user (for parametrised role tests)."""

    def get(name: str) -> Any:
        if name not in ROLE_FIXTURES:
            raise ValueError(f"{name!r} is not one of {ROLE_FIXTURES}")
        return request.getfixturevalue(name)

    return get


@pytest.fixture
def client_for() -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client()
        if getattr(user, "is_authenticated", False):
            client.force_login(user)
        return client

    return make


# --- enterprises in known places ------------------------------------------------------------


@pytest.fixture
def enterprise_e(reference: Reference) -> Enterprise:
    return make_enterprise(name="ریخته‌گری پیشران", park=reference.park_p, published=False)


@dataclass(frozen=True)
class Registry:
    e: Enterprise
    p_published: Enterprise
    qom_other_park: Enterprise
    qom_outside: Enterprise
    tehran_published: Enterprise
    tehran_unpublished: Enterprise

    def all(self) -> list[Enterprise]:
        return [getattr(self, f.name) for f in fields(self)]

    def names(self, queryset: QuerySet[Enterprise]) -> set[str]:
        """The attribute names of this registry's units that ``queryset`` contains."""
        found = set(queryset.values_list("pk", flat=True))
        return {f.name for f in fields(self) if getattr(self, f.name).pk in found}


@pytest.fixture
def registry(reference: Reference, enterprise_e: Enterprise) -> Registry:
    return Registry(
        e=enterprise_e,
        p_published=make_enterprise(name="صنایع غذایی بهار", park=reference.park_p, published=True),
        qom_other_park=make_enterprise(name="چاپ گستر", park=reference.park_p2, published=False),
        qom_outside=make_enterprise(name="کاشی ژاله", province=reference.qom, published=False),
        tehran_published=make_enterprise(
            name="گلستان پلاست", park=reference.park_tehran, published=True
        ),
        tehran_unpublished=make_enterprise(
            name="آهن‌آلات تهران", province=reference.tehran, published=False
        ),
    )


@dataclass(frozen=True)
class Clusters:
    mine: Cluster  # Qom, the ``cluster_agent``'s, unpublished, in diagnosis
    qom_other: Cluster  # Qom, ``other_agent``'s, published
    tehran: Cluster  # Tehran, no agent, published

    def all(self) -> list[Cluster]:
        return [self.mine, self.qom_other, self.tehran]


@pytest.fixture
def clusters(reference: Reference, cluster_agent: User, other_agent: User) -> Clusters:
    """Three clusters made through the services (see ``tests.factories.make_cluster``)."""
    return Clusters(
        mine=make_cluster(
            name="خوشه کفش قم",
            province=reference.qom,
            agent=cluster_agent,
            published=False,
            stage="diagnosis",
            team_phone="09121234567",
        ),
        qom_other=make_cluster(
            name="خوشه فرش دستباف قم",
            province=reference.qom,
            agent=other_agent,
            published=True,
            stage="agent_selected",
            team_phone="09127654321",
        ),
        tehran=make_cluster(
            name="خوشه پوشاک تهران",
            province=reference.tehran,
            published=True,
            stage="feasibility",
            team_phone="09120001122",
        ),
    )


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Pages cache figures, directory counts and choices; no test sees another test's cache."""
    from django.core.cache import cache

    from enterprises.selectors import forget_directory_choices
    from indicators import sources

    cache.clear()
    sources.forget()
    forget_directory_choices()
    yield
    cache.clear()
    sources.forget()
    forget_directory_choices()
