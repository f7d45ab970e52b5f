"""Each registry service announces its write once, after the commit, with what a subscriber
needs (``enterprises.events``); a refused write announces nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from enterprises import services
from enterprises.events import (
    OwnersChanged,
    StatusEventCorrected,
    StatusEventWithdrawn,
    UnitChanged,
    UnitCreated,
    UnitMeasured,
    UnitMoved,
    UnitStatusChanged,
)
from enterprises.models import Enterprise, LocationEvent, Status, StatusEvent
from persian.jalali import today
from tests import events_helpers
from tests.factories import days_ago, enterprise_data, make_enterprise, make_user, reload


@pytest.fixture
def announced(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda write: events_helpers.announced(
        django_capture_on_commit_callbacks, write, "enterprise."
    )


def test_a_unit_registered(announced, reference) -> None:
    seen, unit = announced(
        lambda: services.enterprise_create(
            actor=None,
            data=enterprise_data(),
            province=reference.qom,
            park=reference.park_p,
            status=Status.ACTIVE,
            status_date=days_ago(30),
            reason="ثبت",
        )
    )

    assert seen == [
        UnitCreated(
            enterprise_id=unit.pk,
            status_event_id=StatusEvent.objects.get(enterprise=unit).pk,
            location_event_id=LocationEvent.objects.get(enterprise=unit).pk,
            status=Status.ACTIVE,
            province_id=reference.qom.pk,
            park_id=reference.park_p.pk,
            date=days_ago(30),
        )
    ]


def test_a_profile_changed_with_its_fields_before_and_after(announced, reference) -> None:
    unit = make_enterprise(employees=5, phone="02511112222")

    seen, _ = announced(
        lambda: services.enterprise_update(
            actor=None,
            enterprise=unit,
            data={"employees": 60, "phone": "02533334444"},
            fields=("employees", "phone"),
        )
    )

    measured = unit.measure_events.order_by("-id")[0]
    assert seen == [
        UnitMeasured(
            enterprise_id=unit.pk,
            measure_event_id=measured.pk,
            date=today(),
            employees=(5, 60),
            construction_progress=None,
        ),
        UnitChanged(
            enterprise_id=unit.pk,
            changes={
                "employees": (5, 60),
                "size_band": ("micro", "medium"),
                "phone": ("02511112222", "02533334444"),
            },
        ),
    ]


def test_a_save_that_changes_nothing_announces_nothing(announced, reference) -> None:
    unit = make_enterprise(employees=5)

    seen, _ = announced(
        lambda: services.enterprise_update(
            actor=None, enterprise=unit, data={"employees": 5}, fields=("employees",)
        )
    )

    assert seen == []


def test_a_status_change_a_move_a_correction_and_a_withdrawal(announced, reference) -> None:
    unit = make_enterprise(province=reference.qom, status_date=days_ago(100))

    seen, idle = announced(
        lambda: services.enterprise_change_status(
            actor=None, enterprise=unit, to_status=Status.IDLE, date=days_ago(50), reason="رکود"
        )
    )
    assert seen == [
        UnitStatusChanged(
            enterprise_id=unit.pk,
            status_event_id=idle.pk,
            from_status=Status.ACTIVE,
            to_status=Status.IDLE,
            date=days_ago(50),
        )
    ]

    seen, moved = announced(
        lambda: services.enterprise_move(
            actor=None,
            enterprise=reload(unit),
            province=reference.tehran,
            park=reference.park_tehran,
            date=days_ago(40),
            reason="جابه‌جایی",
        )
    )
    assert seen == [
        UnitMoved(
            enterprise_id=unit.pk,
            location_event_id=moved.pk,
            from_province_id=reference.qom.pk,
            from_park_id=None,
            province_id=reference.tehran.pk,
            park_id=reference.park_tehran.pk,
            date=days_ago(40),
        )
    ]

    seen, _ = announced(
        lambda: services.status_event_correct(
            actor=None, event=idle, date=days_ago(45), reason="", note="اشتباه تایپی"
        )
    )
    assert seen == [
        StatusEventCorrected(
            enterprise_id=unit.pk,
            status_event_id=idle.pk,
            date_before=days_ago(50),
            date_after=days_ago(45),
            reason_before="رکود",
            reason_after="رکود",
        )
    ]

    seen, _ = announced(
        lambda: services.status_event_revoke_latest(
            actor=None, enterprise=reload(unit), note="به اشتباه ثبت شد"
        )
    )
    assert seen == [
        StatusEventWithdrawn(
            enterprise_id=unit.pk,
            status_event_id=idle.pk,
            from_status=Status.ACTIVE,
            to_status=Status.IDLE,
            date=days_ago(45),
        )
    ]


def test_owners_changed(announced, reference) -> None:
    unit = make_enterprise()
    first, second = make_user(), make_user()

    seen, _ = announced(
        lambda: services.enterprise_set_owners(actor=None, enterprise=unit, owners=[second, first])
    )

    assert seen == [
        OwnersChanged(enterprise_id=unit.pk, before=(), after=tuple(sorted([first.pk, second.pk])))
    ]


def test_a_refused_change_announces_nothing(announced, reference) -> None:
    unit = make_enterprise(status=Status.ACTIVE)

    def refused() -> None:
        with pytest.raises(ValidationError):
            services.enterprise_change_status(
                actor=None,
                enterprise=unit,
                to_status=Status.UNDER_CONSTRUCTION,  # nothing returns to under construction
                date=days_ago(1),
                reason="بازگشت",
            )

    seen, _ = announced(refused)

    assert seen == []
    assert Enterprise.objects.get(pk=unit.pk).status == Status.ACTIVE
