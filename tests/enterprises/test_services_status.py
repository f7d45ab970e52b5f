"""enterprise_change_status: every change of status is a dated event with a reason, kept in
step with the unit's current status, audited — and refused changes leave no trace."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditRecord
from audit.services import history_of
from enterprises.models import Enterprise, Status, StatusEvent
from enterprises.services import enterprise_change_status
from tests.factories import days_ago, make_enterprise, reload, row_counts

S = Status


def unit(status: str = S.ACTIVE, *, since: int = 200, **data) -> Enterprise:
    """A unit in ``status`` since ``since`` days ago."""
    return make_enterprise(status=status, status_date=days_ago(since), **data)


def change(enterprise, to_status, *, actor=None, date=None, reason="بازدید کارشناس"):
    return enterprise_change_status(
        actor=actor,
        enterprise=enterprise,
        to_status=to_status,
        date=date or days_ago(10),
        reason=reason,
    )


def state(enterprise: Enterprise) -> tuple:
    """What a user can see of a unit's status: current value, since when, its history."""
    fresh = reload(enterprise)
    events = list(fresh.status_events.values_list("date", "from_status", "to_status", "reason"))
    return fresh.status, fresh.status_since, events, history_of(fresh).count()


# --- the lifecycle ------------------------------------------------------------------------------

# land contract → under construction → operating (active / semi-active / idle) → revived or
# closed; closed is final and nothing returns to under construction (DOMAIN.md).
ALLOWED = [
    (S.UNDER_CONSTRUCTION, S.ACTIVE),
    (S.UNDER_CONSTRUCTION, S.SEMI_ACTIVE),
    (S.UNDER_CONSTRUCTION, S.IDLE),
    (S.UNDER_CONSTRUCTION, S.CLOSED),
    (S.ACTIVE, S.SEMI_ACTIVE),
    (S.ACTIVE, S.IDLE),
    (S.ACTIVE, S.CLOSED),
    (S.SEMI_ACTIVE, S.ACTIVE),
    (S.SEMI_ACTIVE, S.IDLE),
    (S.SEMI_ACTIVE, S.CLOSED),
    (S.IDLE, S.ACTIVE),
    (S.IDLE, S.SEMI_ACTIVE),
    (S.IDLE, S.CLOSED),
]


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_an_allowed_change_moves_the_status_and_records_a_dated_event(
    officer_a, reference, from_status, to_status
) -> None:
    enterprise = unit(from_status, permit_number="123/پ")
    date = days_ago(10)

    event = change(enterprise, to_status, actor=officer_a, date=date, reason="بازدید")

    fresh = reload(enterprise)
    assert (fresh.status, fresh.status_since) == (to_status, date)
    assert (event.from_status, event.to_status, event.date) == (from_status, to_status, date)
    assert event.author == officer_a
    assert list(fresh.status_events.values_list("to_status", flat=True)) == [from_status, to_status]


def test_a_change_of_status_is_audited_with_before_and_after(officer_a, reference) -> None:
    enterprise = unit(S.ACTIVE)
    date = days_ago(5)

    change(enterprise, S.IDLE, actor=officer_a, date=date, reason="کمبود سرمایه در گردش")

    record = history_of(enterprise)[0]
    assert record.action == "status"
    assert record.actor == officer_a
    assert record.changes["status"] == [S.ACTIVE, S.IDLE]
    assert record.changes["date"] == [None, date.isoformat()]
    assert record.note == "کمبود سرمایه در گردش"


def test_the_reason_is_saved_without_surrounding_spaces(reference) -> None:
    enterprise = unit(S.ACTIVE)

    event = change(enterprise, S.IDLE, reason="  تعطیلی موقت  ")

    assert StatusEvent.objects.get(pk=event.pk).reason == "تعطیلی موقت"


def test_a_change_on_the_same_day_as_the_previous_event_is_allowed(reference) -> None:
    enterprise = unit(S.ACTIVE, since=20)

    change(enterprise, S.IDLE, date=days_ago(20))

    assert reload(enterprise).status == S.IDLE


def test_a_series_of_changes_keeps_the_current_status_equal_to_the_latest_event(reference):
    enterprise = unit(S.ACTIVE, since=300)
    for days, status in ((250, S.SEMI_ACTIVE), (200, S.IDLE), (100, S.ACTIVE), (50, S.CLOSED)):
        change(enterprise, status, date=days_ago(days))

    fresh = reload(enterprise)
    latest = fresh.status_events.order_by("-date", "-id").first()
    assert (
        (fresh.status, fresh.status_since)
        == (latest.to_status, latest.date)
        == (
            S.CLOSED,
            days_ago(50),
        )
    )
    assert fresh.status_events.count() == 5


# --- revival ------------------------------------------------------------------------------------


@pytest.mark.parametrize("from_status", [S.IDLE, S.SEMI_ACTIVE])
def test_returning_to_active_from_idle_or_semi_active_is_a_revival(reference, from_status):
    enterprise = unit(from_status)

    event = change(enterprise, S.ACTIVE)

    assert event.is_revival
    assert StatusEvent.objects.get(pk=event.pk).is_revival


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(S.UNDER_CONSTRUCTION, S.ACTIVE), (S.ACTIVE, S.IDLE), (S.IDLE, S.SEMI_ACTIVE)],
)
def test_other_changes_are_not_revivals(reference, from_status, to_status) -> None:
    enterprise = unit(from_status, permit_number="9/پ")

    assert not change(enterprise, to_status).is_revival


def test_a_registration_as_active_is_not_a_revival(reference) -> None:
    enterprise = unit(S.ACTIVE)

    assert not enterprise.status_events.get().is_revival


# --- refused changes leave everything as it was --------------------------------------------------


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        pytest.param(S.ACTIVE, S.ACTIVE, id="same-status"),
        pytest.param(S.IDLE, S.IDLE, id="same-status-idle"),
        pytest.param(S.CLOSED, S.ACTIVE, id="closed-to-active"),
        pytest.param(S.CLOSED, S.IDLE, id="closed-to-idle"),
        pytest.param(S.CLOSED, S.UNDER_CONSTRUCTION, id="closed-to-under-construction"),
        pytest.param(S.ACTIVE, S.UNDER_CONSTRUCTION, id="active-to-under-construction"),
        pytest.param(S.SEMI_ACTIVE, S.UNDER_CONSTRUCTION, id="semi-active-to-under-construction"),
        pytest.param(S.IDLE, S.UNDER_CONSTRUCTION, id="idle-to-under-construction"),
        pytest.param(S.ACTIVE, "revived", id="unknown-status"),
    ],
)
def test_a_change_the_lifecycle_forbids_is_refused_on_to_status_and_changes_nothing(
    officer_a, reference, from_status, to_status
) -> None:
    enterprise = unit(from_status)
    before, counts = state(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        change(enterprise, to_status, actor=officer_a)

    assert "to_status" in caught.value.message_dict
    assert state(enterprise) == before
    assert row_counts() == counts


def test_a_date_before_the_previous_event_is_refused_and_changes_nothing(reference) -> None:
    enterprise = unit(S.ACTIVE, since=100)
    before, counts = state(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        change(enterprise, S.IDLE, date=days_ago(101))

    assert "date" in caught.value.message_dict
    assert state(enterprise) == before
    assert row_counts() == counts


def test_a_date_in_the_future_is_refused_and_changes_nothing(reference) -> None:
    enterprise = unit(S.ACTIVE)
    before, counts = state(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        change(enterprise, S.IDLE, date=days_ago(-1))

    assert "date" in caught.value.message_dict
    assert state(enterprise) == before
    assert row_counts() == counts


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_change_without_a_reason_is_refused_and_changes_nothing(reference, reason) -> None:
    enterprise = unit(S.ACTIVE)
    before, counts = state(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        change(enterprise, S.IDLE, reason=reason)

    assert "reason" in caught.value.message_dict
    assert state(enterprise) == before
    assert row_counts() == counts


def test_a_unit_without_an_operating_permit_cannot_start_operating(reference) -> None:
    enterprise = unit(S.UNDER_CONSTRUCTION)
    assert enterprise.permit_number == ""
    before, counts = state(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        change(enterprise, S.ACTIVE)

    assert "to_status" in caught.value.message_dict
    assert state(enterprise) == before
    assert row_counts() == counts


def test_a_unit_under_construction_without_a_permit_may_still_close(reference) -> None:
    enterprise = unit(S.UNDER_CONSTRUCTION)

    change(enterprise, S.CLOSED)

    assert reload(enterprise).status == S.CLOSED


def test_a_stale_copy_of_the_unit_cannot_skip_the_lifecycle(reference) -> None:
    enterprise = unit(S.ACTIVE)
    stale = Enterprise.objects.get(pk=enterprise.pk)
    change(enterprise, S.CLOSED, date=days_ago(20))

    with pytest.raises(ValidationError):
        change(stale, S.IDLE, date=days_ago(10))

    assert reload(enterprise).status == S.CLOSED


def test_a_failure_while_auditing_leaves_the_status_unchanged(reference, monkeypatch) -> None:
    enterprise = unit(S.ACTIVE)
    before, counts = state(enterprise), row_counts()

    def broken_audit(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(AuditRecord.objects, "create", broken_audit)
    with pytest.raises(RuntimeError):
        change(enterprise, S.IDLE)
    monkeypatch.undo()

    assert state(enterprise) == before
    assert row_counts() == counts


# --- an operating status and the operating permit ----------------------------------------------


@pytest.mark.parametrize("to_status", [S.ACTIVE, S.SEMI_ACTIVE, S.IDLE])
def test_operating_before_the_permit_date_is_refused_and_nothing_saved(
    to_status, reference
) -> None:
    enterprise = unit(
        S.UNDER_CONSTRUCTION, since=200, permit_number="۷-پ", permit_date=days_ago(20)
    )
    before, counts = state(enterprise), row_counts()

    with pytest.raises(ValidationError) as caught:
        change(enterprise, to_status, date=days_ago(30))

    assert list(caught.value.message_dict) == ["date"]
    assert "نمی‌تواند پیش از" in caught.value.message_dict["date"][0]
    assert state(enterprise) == before
    assert row_counts() == counts


def test_operating_from_the_permit_date_on_is_accepted(reference) -> None:
    enterprise = unit(
        S.UNDER_CONSTRUCTION, since=200, permit_number="۷-پ", permit_date=days_ago(20)
    )

    change(enterprise, S.ACTIVE, date=days_ago(20))

    assert reload(enterprise).status == S.ACTIVE


def test_closing_before_the_permit_date_is_not_judged_by_the_permit(reference) -> None:
    enterprise = unit(
        S.UNDER_CONSTRUCTION, since=200, permit_number="۷-پ", permit_date=days_ago(20)
    )

    change(enterprise, S.CLOSED, date=days_ago(30))

    assert reload(enterprise).status == S.CLOSED
