"""Corrections to the status history: fixing a mistyped date or reason keeps the history in
order, withdrawing the latest event restores the status before it; both are audited with
the corrector's note, and refused corrections change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.services import history_of
from enterprises.models import Status, StatusEvent
from enterprises.services import (
    enterprise_change_status,
    status_event_correct,
    status_event_revoke_latest,
)
from tests.factories import days_ago, make_enterprise, reload, row_counts

S = Status


@pytest.fixture
def history(reference):
    """A unit active since 300 days ago, idle from 200 days ago, revived 100 days ago.
    Returns the unit and its three events, oldest first."""
    enterprise = make_enterprise(status=S.ACTIVE, status_date=days_ago(300))
    enterprise_change_status(
        actor=None, enterprise=enterprise, to_status=S.IDLE, date=days_ago(200), reason="رکود"
    )
    enterprise_change_status(
        actor=None, enterprise=enterprise, to_status=S.ACTIVE, date=days_ago(100), reason="احیا"
    )
    return enterprise, list(enterprise.status_events.order_by("date", "id"))


def timeline(enterprise) -> tuple:
    fresh = reload(enterprise)
    events = list(fresh.status_events.values_list("id", "date", "to_status", "reason"))
    return fresh.status, fresh.status_since, events


def correct(event, *, date, reason="", note="تاریخ اشتباه وارد شده بود", actor=None):
    return status_event_correct(actor=actor, event=event, date=date, reason=reason, note=note)


# --- correcting a recorded event -------------------------------------------------------------


def test_a_middle_event_can_be_moved_between_its_neighbours(officer_a, history) -> None:
    enterprise, (_, idle, _) = history

    correct(idle, date=days_ago(150), actor=officer_a)

    assert StatusEvent.objects.get(pk=idle.pk).date == days_ago(150)
    assert reload(enterprise).status_since == days_ago(100)


def test_a_correction_is_audited_with_its_note_and_the_old_and_new_values(officer_a, history):
    enterprise, (_, idle, _) = history

    correct(idle, date=days_ago(190), reason="رکود بازار", note="طبق نامه اداره", actor=officer_a)

    record = history_of(enterprise)[0]
    assert record.action == "correct"
    assert record.actor == officer_a
    assert record.note == "طبق نامه اداره"
    assert record.changes == {
        "date": [days_ago(200).isoformat(), days_ago(190).isoformat()],
        "reason": ["رکود", "رکود بازار"],
    }


def test_an_empty_reason_keeps_the_recorded_reason(history) -> None:
    _, (_, idle, _) = history

    correct(idle, date=days_ago(199), reason="  ")

    assert StatusEvent.objects.get(pk=idle.pk).reason == "رکود"


def test_correcting_the_latest_event_moves_status_since_with_it(history) -> None:
    enterprise, (_, _, revival) = history

    correct(revival, date=days_ago(90))

    fresh = reload(enterprise)
    assert (fresh.status, fresh.status_since) == (S.ACTIVE, days_ago(90))


def test_the_first_event_can_move_anywhere_before_the_second(history) -> None:
    enterprise, (first, _, _) = history

    correct(first, date=days_ago(1000))

    assert StatusEvent.objects.get(pk=first.pk).date == days_ago(1000)
    assert reload(enterprise).status_since == days_ago(100)


@pytest.mark.parametrize(
    ("which", "days"),
    [
        pytest.param(1, 301, id="middle-before-previous"),
        pytest.param(1, 99, id="middle-after-next"),
        pytest.param(0, 199, id="first-after-next"),
        pytest.param(2, 201, id="latest-before-previous"),
        pytest.param(2, -1, id="latest-in-the-future"),
    ],
)
def test_a_correction_that_breaks_the_order_of_events_is_refused(history, which, days) -> None:
    enterprise, events = history
    before, counts = timeline(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        correct(events[which], date=days_ago(days))

    assert "date" in caught.value.message_dict
    assert timeline(enterprise) == before
    assert row_counts() == counts


@pytest.mark.parametrize("note", ["", "   ", None])
def test_a_correction_without_a_note_is_refused(history, note) -> None:
    enterprise, (_, idle, _) = history
    before, counts = timeline(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        correct(idle, date=days_ago(150), note=note)

    assert "note" in caught.value.message_dict
    assert timeline(enterprise) == before
    assert row_counts() == counts


# --- withdrawing the latest event ------------------------------------------------------------------


def test_withdrawing_the_latest_event_removes_it_and_restores_the_status_before(history) -> None:
    enterprise, (_, idle, revival) = history

    status_event_revoke_latest(actor=None, enterprise=enterprise, note="ثبت تکراری")

    fresh = reload(enterprise)
    assert (fresh.status, fresh.status_since) == (S.IDLE, days_ago(200))
    assert not StatusEvent.objects.filter(pk=revival.pk).exists()
    assert (
        list(fresh.status_events.values_list("pk", flat=True).order_by("date", "id"))[-1] == idle.pk
    )


def test_a_withdrawal_is_audited_as_revoke_with_its_note(officer_a, history) -> None:
    enterprise, _ = history

    status_event_revoke_latest(actor=officer_a, enterprise=enterprise, note="  ثبت تکراری ")

    record = history_of(enterprise)[0]
    assert record.action == "revoke"
    assert record.actor == officer_a
    assert record.note == "ثبت تکراری"
    assert record.changes["status"] == [S.ACTIVE, S.IDLE]
    assert record.changes["date"] == [days_ago(100).isoformat(), None]


def test_a_withdrawn_revival_no_longer_counts_as_a_revival(history) -> None:
    enterprise, _ = history
    assert sum(e.is_revival for e in enterprise.status_events.all()) == 1

    status_event_revoke_latest(actor=None, enterprise=enterprise, note="اشتباه")

    assert sum(e.is_revival for e in reload(enterprise).status_events.all()) == 0


def test_events_can_be_withdrawn_one_after_another_down_to_the_first(history) -> None:
    enterprise, _ = history

    status_event_revoke_latest(actor=None, enterprise=enterprise, note="اشتباه")
    status_event_revoke_latest(actor=None, enterprise=enterprise, note="اشتباه")

    fresh = reload(enterprise)
    assert (fresh.status, fresh.status_since) == (S.ACTIVE, days_ago(300))
    assert fresh.status_events.count() == 1


def test_the_first_status_of_a_unit_cannot_be_withdrawn(reference) -> None:
    enterprise = make_enterprise()
    before, counts = timeline(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        status_event_revoke_latest(actor=None, enterprise=enterprise, note="اشتباه")

    assert "note" in caught.value.message_dict
    assert timeline(enterprise) == before
    assert row_counts() == counts


def test_a_withdrawal_without_a_note_is_refused(history) -> None:
    enterprise, _ = history
    before, counts = timeline(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        status_event_revoke_latest(actor=None, enterprise=enterprise, note=" ")

    assert "note" in caught.value.message_dict
    assert timeline(enterprise) == before
    assert row_counts() == counts


def test_after_a_withdrawal_the_next_change_is_checked_against_the_restored_status(history):
    enterprise, _ = history
    status_event_revoke_latest(actor=None, enterprise=enterprise, note="اشتباه")

    event = enterprise_change_status(
        actor=None, enterprise=enterprise, to_status=S.ACTIVE, date=days_ago(50), reason="احیا"
    )

    assert event.from_status == S.IDLE
    assert event.is_revival


def test_an_operating_event_cannot_be_moved_before_the_operating_permit(reference) -> None:
    enterprise = make_enterprise(
        status=S.ACTIVE, status_date=days_ago(100), permit_date=days_ago(150)
    )
    (first,) = enterprise.status_events.all()
    before, counts = timeline(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        correct(first, date=days_ago(200))

    assert list(caught.value.message_dict) == ["date"]
    assert timeline(enterprise) == before
    assert row_counts() == counts
