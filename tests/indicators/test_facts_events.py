"""The facts follow the registry's events (``indicators.facts.registry_changed``): a batch
of changes in one transaction, a savepoint rolled back in the middle, a transaction rolled
back, and every kind of change leave the facts equal to a full rebuild."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.db import transaction

from enterprises import services
from enterprises.events import EnterpriseEvent
from enterprises.models import Enterprise, Status
from indicators import facts, sources
from indicators.models import FactChange
from persian.jalali import parse
from pishran.events import publish
from tests.events_helpers import recording
from tests.factories import get_isic, make_enterprise, reload


def J(text: str) -> dt.date:
    return parse(text)


def rebuilt() -> dict:
    facts.rebuild()
    sources.forget()
    return facts.all_facts()


class Refused(Exception):
    pass


@transaction.atomic
def change_statuses(*, actor: Any, changes: list[tuple[Enterprise, str, dt.date]]) -> None:
    """A batch import's shape, written for this test: several units' dated status changes in
    one transaction, through the registry's services (which publish; nothing else here
    knows of the facts)."""
    for unit, status, day in changes:
        services.enterprise_change_status(
            actor=actor, enterprise=reload(unit), to_status=status, date=day, reason="فهرست"
        )


@pytest.fixture
def units(reference) -> list[Enterprise]:
    return [
        make_enterprise(province=reference.qom, status_date=J("1399/02/10"), employees=12),
        make_enterprise(park=reference.park_p, status_date=J("1400/05/01"), employees=70),
        make_enterprise(park=reference.park_tehran, status_date=J("1398/11/20"), employees=4),
        make_enterprise(province=reference.tehran, status_date=J("1401/01/15"), employees=250),
    ]


def test_a_batch_of_status_changes_in_one_transaction_equals_a_rebuild(
    units, django_capture_on_commit_callbacks
) -> None:
    a, b, c, d = units
    with django_capture_on_commit_callbacks(execute=True):
        facts.rebuild()
        applied_before = FactChange.objects.count()
        change_statuses(
            actor=None,
            changes=[
                (a, Status.IDLE, J("1402/03/01")),
                (b, Status.SEMI_ACTIVE, J("1402/03/05")),
                (a, Status.ACTIVE, J("1402/03/20")),  # the same unit again: a revival
                (c, Status.CLOSED, J("1402/04/01")),
                (a, Status.IDLE, J("1403/01/02")),  # and again, next year
                (d, Status.IDLE, J("1403/02/02")),
            ],
        )
    incremental = facts.all_facts()

    assert FactChange.objects.count() - applied_before == 4  # one change per unit
    assert incremental == rebuilt() == facts.python_facts()


def test_a_savepoint_rolled_back_in_a_batch_takes_its_changes_back(
    units, django_capture_on_commit_callbacks
) -> None:
    """The second change of unit a is published, then its savepoint rolls back: the facts
    keep the first change only, and unit b, changed only in that savepoint, not at all."""
    a, b, c, _d = units
    with django_capture_on_commit_callbacks(execute=True):
        facts.rebuild()
        with transaction.atomic():
            change_statuses(actor=None, changes=[(a, Status.IDLE, J("1402/03/01"))])
            with pytest.raises(Refused), transaction.atomic():
                change_statuses(
                    actor=None,
                    changes=[
                        (a, Status.ACTIVE, J("1402/03/20")),
                        (b, Status.IDLE, J("1402/03/21")),
                    ],
                )
                raise Refused
            change_statuses(actor=None, changes=[(c, Status.IDLE, J("1402/04/01"))])
    incremental = facts.all_facts()

    assert reload(a).status == Status.IDLE and reload(b).status == Status.ACTIVE
    assert incremental == rebuilt() == facts.python_facts()


@pytest.mark.django_db(transaction=True)
def test_a_transaction_rolled_back_changes_no_fact_and_announces_nothing(units) -> None:
    a, b, _c, _d = units
    facts.rebuild()
    before, changes = facts.all_facts(), FactChange.objects.count()

    with recording("enterprise.") as seen, recording("indicators.") as applied:
        with pytest.raises(Refused), transaction.atomic():
            change_statuses(
                actor=None,
                changes=[(a, Status.IDLE, J("1402/03/01")), (b, Status.IDLE, J("1402/03/02"))],
            )
            raise Refused

    assert seen == [] and applied == []
    assert facts.all_facts() == before
    assert FactChange.objects.count() == changes


@pytest.mark.django_db(transaction=True)
def test_a_committed_batch_is_applied_once_per_unit(units) -> None:
    a, b, _c, _d = units
    facts.rebuild()

    with recording("indicators.facts_applied") as applied:
        change_statuses(
            actor=None,
            changes=[
                (a, Status.IDLE, J("1402/03/01")),
                (a, Status.ACTIVE, J("1402/03/02")),
                (b, Status.IDLE, J("1402/03/02")),
            ],
        )

    assert sorted(e.enterprise_id for e in applied) == sorted([a.pk, b.pk])  # type: ignore[attr-defined]
    assert facts.all_facts() == facts.python_facts()


def test_every_kind_of_registry_change_keeps_the_facts_equal_to_a_rebuild(
    reference, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        unit = make_enterprise(
            province=reference.qom,
            status=Status.UNDER_CONSTRUCTION,
            status_date=J("1399/03/01"),
            construction_progress=30,
            employees=8,
        )
        facts.rebuild()
        with transaction.atomic():  # registered and changed in one transaction
            fresh = make_enterprise(park=reference.park_p2, status_date=J("1400/01/20"))
            services.enterprise_move(
                actor=None,
                enterprise=fresh,
                province=reference.tehran,
                park=None,
                date=J("1401/07/07"),
                reason="جابه‌جایی",
            )
        services.enterprise_update(  # semi-finished now, another group, more people
            actor=None,
            enterprise=unit,
            data={
                "construction_progress": 75,
                "isic_division": get_isic("13"),
                "industry_group": get_isic("13").group,
                "employees": 90,
            },
            fields=("construction_progress", "isic_division", "industry_group", "employees"),
        )
        services.enterprise_update(
            actor=None,
            enterprise=reload(unit),
            data={"permit_number": "۱۲۳۴", "permit_date": J("1401/02/02")},
            fields=("permit_number", "permit_date"),
        )
        event = services.enterprise_change_status(
            actor=None,
            enterprise=reload(unit),
            to_status=Status.ACTIVE,
            date=J("1401/03/03"),
            reason="بهره‌برداری",
        )
        services.status_event_correct(
            actor=None, event=event, date=J("1401/05/05"), reason="", note="تاریخ درست"
        )
        services.enterprise_change_status(
            actor=None,
            enterprise=reload(unit),
            to_status=Status.IDLE,
            date=J("1402/01/01"),
            reason="رکود",
        )
        services.status_event_revoke_latest(actor=None, enterprise=reload(unit), note="اشتباه")
    incremental = facts.all_facts()

    assert incremental == rebuilt() == facts.python_facts()


def test_an_event_the_facts_do_not_know_is_refused_with_the_change(reference) -> None:
    """A new kind of registry change must teach the facts what it undoes: until then its
    service fails (and rolls back) instead of leaving the figures silently wrong."""

    @dataclass(frozen=True)
    class Renamed(EnterpriseEvent):
        name: ClassVar[str] = "enterprise.renamed_for_a_test"

    unit = make_enterprise(province=reference.qom)

    with pytest.raises(TypeError, match="teach"):
        publish(Renamed(enterprise_id=unit.pk))
