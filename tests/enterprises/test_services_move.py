"""enterprise_move: a unit that moves to another park or province gets a dated location
event, its current place follows, and the move is audited; impossible moves change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.services import history_of
from enterprises.models import Enterprise, LocationEvent
from enterprises.services import enterprise_move
from tests.factories import days_ago, make_enterprise, reload, row_counts


def move(enterprise, province, park, *, actor=None, date=None, reason="انتقال به زمین جدید"):
    return enterprise_move(
        actor=actor,
        enterprise=enterprise,
        province=province,
        park=park,
        date=date or days_ago(10),
        reason=reason,
    )


def place(enterprise: Enterprise) -> tuple:
    fresh = reload(enterprise)
    events = list(fresh.location_events.values_list("date", "province_id", "park_id"))
    return fresh.province_id, fresh.park_id, events


def test_moving_to_a_park_in_another_province_moves_the_current_place(
    officer_a, reference, enterprise_e
) -> None:
    move(enterprise_e, reference.tehran, reference.park_tehran, actor=officer_a)

    fresh = reload(enterprise_e)
    assert (fresh.province, fresh.park) == (reference.tehran, reference.park_tehran)


def test_a_move_is_recorded_as_a_dated_location_event(officer_a, reference, enterprise_e) -> None:
    date = days_ago(12)

    event = move(enterprise_e, reference.qom, reference.park_p2, actor=officer_a, date=date)

    fresh = reload(enterprise_e)
    history = list(fresh.location_events.order_by("date", "id"))
    assert len(history) == 2
    assert history[-1] == event
    assert (event.date, event.province, event.park) == (date, reference.qom, reference.park_p2)
    assert event.reason == "انتقال به زمین جدید"
    assert event.author == officer_a
    assert (history[0].province, history[0].park) == (reference.qom, reference.park_p)


def test_a_move_is_audited_with_the_old_and_new_place(officer_a, reference, enterprise_e) -> None:
    move(enterprise_e, reference.tehran, None, actor=officer_a, reason="  تغییر محل  ")

    record = history_of(enterprise_e)[0]
    assert record.action == "move"
    assert record.actor == officer_a
    assert record.note == "تغییر محل"
    assert record.changes["province"][0]["id"] == reference.qom.pk
    assert record.changes["province"][1]["id"] == reference.tehran.pk
    assert record.changes["park"] == [
        {"id": reference.park_p.pk, "repr": str(reference.park_p)},
        None,
    ]


def test_a_unit_can_leave_its_park_and_stay_in_the_province(reference, enterprise_e) -> None:
    move(enterprise_e, reference.qom, None)

    fresh = reload(enterprise_e)
    assert (fresh.province, fresh.park) == (reference.qom, None)


def test_a_unit_outside_any_park_can_move_into_one(reference) -> None:
    enterprise = make_enterprise(province=reference.qom)

    move(enterprise, reference.qom, reference.park_p)

    assert reload(enterprise).park == reference.park_p


def test_a_move_leaves_the_status_alone(reference, enterprise_e) -> None:
    before = reload(enterprise_e)

    move(enterprise_e, reference.tehran, reference.park_tehran)

    fresh = reload(enterprise_e)
    assert (fresh.status, fresh.status_since) == (before.status, before.status_since)


def test_a_second_move_on_the_same_day_is_allowed(reference, enterprise_e) -> None:
    move(enterprise_e, reference.qom, reference.park_p2, date=days_ago(5))
    move(enterprise_e, reference.qom, None, date=days_ago(5))

    assert reload(enterprise_e).park is None
    assert LocationEvent.objects.filter(enterprise=enterprise_e).count() == 3


# --- refused moves ----------------------------------------------------------------------------


def test_a_park_outside_the_chosen_province_is_refused_and_nothing_changes(
    reference, enterprise_e
) -> None:
    before, counts = place(enterprise_e), row_counts()

    with pytest.raises(ValidationError) as caught:
        move(enterprise_e, reference.tehran, reference.park_p2)

    assert "park" in caught.value.message_dict
    assert place(enterprise_e) == before
    assert row_counts() == counts


@pytest.mark.parametrize("in_park", [True, False])
def test_moving_to_where_the_unit_already_is_is_refused(reference, in_park) -> None:
    park = reference.park_p if in_park else None
    enterprise = make_enterprise(park=park, province=reference.qom)
    before, counts = place(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        move(enterprise, reference.qom, park)

    assert "park" in caught.value.message_dict
    assert place(enterprise) == before
    assert row_counts() == counts


def test_a_move_dated_before_the_last_move_is_refused(reference, enterprise_e) -> None:
    move(enterprise_e, reference.qom, reference.park_p2, date=days_ago(30))
    before, counts = place(enterprise_e), row_counts()

    with pytest.raises(ValidationError) as caught:
        move(enterprise_e, reference.tehran, None, date=days_ago(31))

    assert "date" in caught.value.message_dict
    assert place(enterprise_e) == before
    assert row_counts() == counts


def test_a_move_dated_before_the_registration_is_refused(reference) -> None:
    enterprise = make_enterprise(park=reference.park_p, status_date=days_ago(100))
    before = place(enterprise)

    with pytest.raises(ValidationError) as caught:
        move(enterprise, reference.qom, None, date=days_ago(101))

    assert "date" in caught.value.message_dict
    assert place(enterprise) == before


def test_a_move_in_the_future_is_refused(reference, enterprise_e) -> None:
    before, counts = place(enterprise_e), row_counts()

    with pytest.raises(ValidationError) as caught:
        move(enterprise_e, reference.tehran, None, date=days_ago(-1))

    assert "date" in caught.value.message_dict
    assert place(enterprise_e) == before
    assert row_counts() == counts
