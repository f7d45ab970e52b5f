"""Plain functions that make realistic rows for tests (no factory_boy).

Everything that the application writes through a service is made here through that same
service, so test data has its history, derived keys and audit rows like real data:

- ``make_enterprise(**overrides)`` → ``enterprises.services.enterprise_create`` (a first
  status event, a first location event and an audit record), then owners through
  ``enterprise_set_owners``;
- ``make_park(**overrides)`` → ``places.services.park_create``;
- ``make_user(role=..., ...)`` → a user holding that role over the province, parks or
  enterprises it needs (grants through ``accounts.services.grant_give``); ``give(user,
  role, place)`` adds another grant.

Identifiers are valid and unique: ``legal_id()`` builds an 11-digit national ID with the
real check digit (``persian.identifiers.legal_id_check_digit``), ``business_id()`` a
12-digit business ID. Reference data (provinces, ISIC divisions, industry groups, the named
parks) comes from ``load_reference`` — see ``tests/conftest.py``; ``get_province("IR-25")``,
``get_park(...)`` and ``get_isic("10")`` look it up.

``row_counts()`` counts the registry tables, to assert that a refused write saved nothing::

    before = row_counts()
    with pytest.raises(ValidationError):
        make_enterprise(employees=-1)
    assert row_counts() == before
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model

from accounts.models import Role, User
from accounts.services import grant_give
from audit.models import AuditRecord
from clusters import stages
from clusters.models import ActionItem, Cluster, Document, Membership, StageEvent, Visit
from clusters.services import (
    action_add,
    cluster_advance,
    cluster_create,
    evaluation_record,
    plan_approve,
)
from enterprises.models import (
    OPERATING,
    Enterprise,
    LocationEvent,
    MeasureEvent,
    Status,
    StatusEvent,
)
from enterprises.services import enterprise_create, enterprise_owners, enterprise_set_owners
from persian import jalali
from persian.identifiers import legal_id_check_digit
from persian.text import search_key
from places.models import Park, Province
from places.services import park_create
from sectors.models import IndustryGroup, IsicDivision

QOM = "IR-25"  # province A in the fixtures
TEHRAN = "IR-23"  # province B
ALBORZ = "IR-30"

PASSWORD = "pishran-test-password"  # noqa: S105 (tests only)

_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


# --- identifiers -------------------------------------------------------------------------


def legal_id(n: int | None = None) -> str:
    """A valid, unique 11-digit national ID of a legal entity (digits 4–9 never all zero)."""
    n = _next() if n is None else n
    first_ten = f"101{n % 1_000_000:06d}1"
    if first_ten[3:9] == "000000":
        first_ten = f"101{1:06d}1"
    return first_ten + str(legal_id_check_digit(first_ten))


def business_id(n: int | None = None) -> str:
    """A unique 12-digit business ID (شناسه کسب‌وکار)."""
    n = _next() if n is None else n
    return f"14{n % 10**10:010d}"


# --- reference data lookups ----------------------------------------------------------------


def get_province(code: str | Province) -> Province:
    return code if isinstance(code, Province) else Province.objects.get(code=code)


def get_park(name: str, province_code: str = QOM) -> Park:
    """A park of the reference data, found however its name is typed."""
    return Park.objects.get(province__code=province_code, name_key=search_key(name))


def get_isic(code: str = "10") -> IsicDivision:
    return IsicDivision.objects.select_related("group").get(code=code)


def days_ago(days: int) -> dt.date:
    """A date ``days`` before today in Iran (the services refuse future dates)."""
    return jalali.today() - dt.timedelta(days=days)


# --- users -----------------------------------------------------------------------------------


def make_user(
    role: str = "",
    *,
    username: str | None = None,
    province: str | Province | None = None,
    parks: Iterable[Park] = (),
    enterprises: Iterable[Enterprise] = (),
    password: str | None = PASSWORD,
    is_active: bool = True,
    **extra: Any,
) -> User:
    """A user holding ``role`` over what it needs: ``province`` (a code or a Province) for a
    provincial officer or a cluster agent (Qom for an agent unless told), ``parks`` for a
    park manager, ``enterprises`` for an owner; nothing for a national administrator.

    The password is ``PASSWORD`` (tests log in with ``client.force_login``, because
    django-axes wants a request on ``authenticate``); pass ``password=None`` for none."""
    n = _next()
    user = get_user_model()(
        username=username or f"{role or 'user'}-{n}",
        email=f"user{n}@example.ir",
        is_active=True,
        **extra,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if role == Role.NATIONAL_ADMIN:
        give(user, role)
    elif role == Role.PROVINCIAL_OFFICER and province is not None:
        give(user, role, get_province(province))
    elif role == Role.CLUSTER_AGENT:
        give(user, role, get_province(province or QOM))
    elif role == Role.PARK_MANAGER:
        for park in parks:
            give(user, role, park)
    for enterprise in enterprises:
        enterprise_set_owners(
            actor=None, enterprise=enterprise, owners=[*enterprise_owners(enterprise), user]
        )
    if not is_active:  # grants are given to active people only; deactivated afterwards
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
    return user


def give(user: User, role: str, place: Any = None, **kwargs: Any) -> Any:
    """Another grant for ``user`` (through the audited service, by the system)."""
    return grant_give(
        actor=None, person=user, role=role, place_id=None if place is None else place.pk, **kwargs
    )


def make_officer(province_code: str, **extra: Any) -> User:
    return make_user(Role.PROVINCIAL_OFFICER, province=province_code, **extra)


# --- parks -----------------------------------------------------------------------------------


def make_park(*, actor: Any = None, name: str | None = None, **data: Any) -> Park:
    """A new park through ``park_create`` (in Qom unless ``province`` is given)."""
    data["province"] = get_province(data.get("province", QOM))
    return park_create(actor=actor, data={"name": name or f"شهرک آزمایشی {_next()}", **data})


# --- enterprises -------------------------------------------------------------------------------


def enterprise_data(**overrides: Any) -> dict[str, Any]:
    """The profile fields of a plausible unit: valid identifiers, an ISIC division and its
    industry group, an operating permit, 12 employees. Any field can be overridden."""
    n = _next()
    division = overrides.get("isic_division") or get_isic("10")
    data: dict[str, Any] = {
        "name": f"صنایع نمونه {n}",
        "legal_id": legal_id(),
        "business_id": business_id(),
        "permit_number": f"{n}/پ",
        "isic_division": division,
        "industry_group": division.group or IndustryGroup.objects.order_by("position")[0],
        "employees": 12,
        "products": "قطعات فلزی",
    }
    data.update(overrides)
    return data


def make_enterprise(
    *,
    actor: Any = None,
    province: str | Province | None = None,
    park: Park | None = None,
    status: str = Status.ACTIVE,
    status_date: dt.date | None = None,
    reason: str = "ثبت اولیه",
    owners: Iterable[User] = (),
    **data: Any,
) -> Enterprise:
    """An enterprise registered through ``enterprise_create``.

    Where: in ``park`` (its province), else in ``province`` (a code or a Province) outside
    any park, else in Qom outside any park. Status ``active`` since a year ago unless told
    otherwise; a unit under construction gets no permit number unless one is given. Other
    keyword arguments are profile fields (``published=True``, ``employees=120``, …)."""
    where = park.province if park is not None else get_province(province or QOM)
    if status not in OPERATING:
        data.setdefault("permit_number", "")
    enterprise = enterprise_create(
        actor=actor,
        data=enterprise_data(**data),
        province=where,
        park=park,
        status=status,
        status_date=status_date or days_ago(365),
        reason=reason,
    )
    owners = list(owners)
    if owners:
        enterprise_set_owners(actor=actor, enterprise=enterprise, owners=owners)
    return enterprise


def reload(obj: Any) -> Any:
    """The row as it is in the database now (a fresh instance)."""
    return type(obj).objects.get(pk=obj.pk)


# --- assertions helpers ------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """How many enterprises, status, location and measure events, audit records… exist."""
    return {
        "enterprises": Enterprise.objects.count(),
        "status_events": StatusEvent.objects.count(),
        "location_events": LocationEvent.objects.count(),
        "measure_events": MeasureEvent.objects.count(),
        "audit_records": AuditRecord.objects.count(),
        "parks": Park.objects.count(),
        "clusters": Cluster.objects.count(),
        "cluster_events": StageEvent.objects.count(),
        "cluster_members": Membership.objects.count(),
        "cluster_documents": Document.objects.count(),
        "cluster_actions": ActionItem.objects.count(),
        "cluster_visits": Visit.objects.count(),
    }


# --- clusters ---------------------------------------------------------------------------------


def make_cluster(
    *,
    name: str | None = None,
    province: str | Province = QOM,
    agent: User | None = None,
    published: bool = True,
    stage: str = stages.IDENTIFIED,
    start: dt.date | None = None,
    actor: Any = None,
    **data: Any,
) -> Cluster:
    """A cluster through ``cluster_create``, identified ``start`` (400 days ago by default),
    then taken stage by stage up to ``stage`` a day apart through ``cluster_advance``
    (approving a plan and recording an evaluation on the way when completing)."""
    start = start or days_ago(400)
    cluster = cluster_create(
        actor=actor,
        data={
            "name": name or f"خوشه آزمایشی {_next()}",
            "agent": agent,
            "published": published,
            **data,
        },
        province=get_province(province),
        stage=stages.IDENTIFIED,
        date=start,
    )
    return advance_cluster(cluster, stage, start=start, actor=actor)


def advance_cluster(cluster: Cluster, stage: str, *, start: dt.date, actor: Any = None) -> Cluster:
    day = start
    while stages.order(cluster.stage) < stages.order(stage):
        day += dt.timedelta(days=1)
        to = stages.next_stage(cluster.stage)
        assert to is not None
        if to == stages.COMPLETED:
            if cluster.plan_approved_on is None:
                if not cluster.actions.exists():
                    action_add(
                        actor=actor,
                        cluster=cluster,
                        data={
                            "title": "آموزش مشترک",
                            "kind": "training",
                            "due_date": day,
                            "status": "done",
                            "progress": 100,
                        },
                    )
                plan_approve(actor=actor, cluster=cluster, date=day)
            evaluation_record(actor=actor, cluster=cluster, date=day, summary="ارزیابی پایانی")
        cluster_advance(
            actor=actor,
            cluster=cluster,
            to_stage=to,
            date=day,
            licence_number="۱۴۰۳/۵۵" if to == stages.COMPLETED else "",
        )
        cluster = Cluster.objects.get(pk=cluster.pk)
    return cluster
