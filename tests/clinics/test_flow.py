"""A clinic case from opening to a revival written in the registry, and back when it did not
hold; each refusal names its field and saves nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case, CaseEvent, FollowUp
from cases.services import case_move
from clinics import casetype
from clinics.models import Revival
from clinics.services import check_revivals
from enterprises.models import Status, StatusEvent
from enterprises.services import enterprise_change_status
from persian.jalali import add_months, today
from tests.clinics.conftest import Clinic, diagnose, open_case, plan
from tests.factories import days_ago, reload, row_counts

pytestmark = pytest.mark.django_db


def test_revival_writes_the_registry_event_in_the_same_step(clinic: Clinic) -> None:
    case = plan(diagnose(clinic.case))
    event = case_move(
        actor=clinic.consultant, case=case, to_stage=casetype.REVIVED, date=days_ago(30)
    )
    unit = reload(clinic.idle)
    assert unit.status == Status.ACTIVE and unit.status_since == days_ago(30)
    written = StatusEvent.objects.filter(enterprise=unit).latest("id")
    assert written.is_revival and f"#{case.pk}" in written.reason
    revival = Revival.objects.get(case=case)
    assert revival.status_event == written and revival.jobs == 30
    assert reload(case).closed_on == days_ago(30) and event.stage == casetype.REVIVED
    due = sorted(FollowUp.objects.filter(case=case).values_list("due_on", flat=True))
    assert due == [add_months(days_ago(30), n) for n in (3, 6, 12)]


def test_revival_without_a_diagnosis_is_refused_and_nothing_is_saved(clinic: Clinic) -> None:
    case_move(actor=None, case=clinic.case, to_stage=casetype.DIAGNOSIS, date=days_ago(100))
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        case_move(actor=None, case=clinic.case, to_stage=casetype.REVIVED, date=days_ago(10))
    assert "causes" in error.value.message_dict
    assert row_counts() == before
    assert reload(clinic.idle).status == Status.IDLE


def test_a_transition_out_of_order_is_refused(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as error:
        case_move(actor=None, case=clinic.case, to_stage=casetype.REVIVED, date=days_ago(10))
    assert "to_stage" in error.value.message_dict


def test_a_second_open_case_for_the_same_unit_is_refused(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as error:
        open_case(clinic.idle)
    assert "enterprise" in error.value.message_dict
    assert Case.objects.filter(enterprise=clinic.idle).count() == 1


def test_an_active_unit_is_not_a_clinic_case_but_a_semi_finished_project_is(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as error:
        open_case(clinic.active)
    assert "enterprise" in error.value.message_dict
    assert open_case(clinic.project).stage == casetype.OPENED


def test_a_revival_that_did_not_hold_reopens_the_case(clinic: Clinic) -> None:
    case = plan(diagnose(clinic.case, days=380), days=370)
    case_move(actor=None, case=case, to_stage=casetype.REVIVED, date=days_ago(360))
    enterprise_change_status(
        actor=None,
        enterprise=reload(clinic.idle),
        to_status=Status.IDLE,
        date=days_ago(250),
        reason="بی‌پولی",
    )
    assert check_revivals(today()) >= 2  # the 3- and 6-month checks are due
    case = reload(case)
    assert case.stage == casetype.REMEDY and case.closed_on is None
    assert Revival.objects.get(case=case).not_sustained_on == days_ago(250)
    assert not FollowUp.objects.filter(case=case, done_on__isnull=True).exists()
    assert CaseEvent.objects.filter(
        case=case, stage=casetype.REMEDY, from_stage=casetype.REVIVED
    ).exists()


def test_a_revival_that_held_is_marked_so(clinic: Clinic) -> None:
    case = plan(diagnose(clinic.case, days=380), days=370)
    case_move(actor=None, case=case, to_stage=casetype.REVIVED, date=days_ago(200))
    assert check_revivals(today()) == 2  # 3 and 6 months
    assert reload(case).stage == casetype.REVIVED
    assert Revival.objects.get(case=case).not_sustained_on is None
    assert FollowUp.objects.filter(case=case, done_on__isnull=True).count() == 1  # 12 months


def test_a_case_recorded_after_the_fact_links_the_registrys_revival(clinic: Clinic) -> None:
    # The registry recorded the idle unit active 100 days ago, then idle again: the case
    # the clinic kept on paper since 395 days ago is recorded now, revived on that date.
    unit = reload(clinic.idle)
    revived = enterprise_change_status(
        actor=None, enterprise=unit, to_status=Status.ACTIVE, date=days_ago(100), reason="فعال"
    )
    enterprise_change_status(
        actor=None, enterprise=reload(unit), to_status=Status.IDLE, date=days_ago(20), reason="x"
    )
    case = plan(diagnose(clinic.case, days=380), days=370)
    events_before = StatusEvent.objects.count()
    case_move(actor=None, case=case, to_stage=casetype.REVIVED, date=days_ago(100))
    assert StatusEvent.objects.count() == events_before  # linked, not written again
    assert Revival.objects.get(case=case).status_event == revived


def test_a_case_opened_on_a_past_date_is_judged_by_the_units_status_that_day(
    clinic: Clinic,
) -> None:
    unit = reload(clinic.semi)  # semi-active for 200 days
    enterprise_change_status(
        actor=None, enterprise=unit, to_status=Status.ACTIVE, date=days_ago(50), reason="فعال"
    )
    assert open_case(reload(unit), days=150).opened_on == days_ago(150)
    case_move(
        actor=None,
        case=Case.objects.get(enterprise=unit),
        to_stage=casetype.CLOSED,
        date=days_ago(40),
    )
    with pytest.raises(ValidationError) as error:
        open_case(reload(unit), days=30)  # active since 50 days ago
    assert "enterprise" in error.value.message_dict


def test_a_follow_up_dated_before_the_revival_is_refused(clinic: Clinic) -> None:
    from cases.services import follow_up_add

    case = plan(diagnose(clinic.case, days=100), days=90)
    case_move(actor=None, case=case, to_stage=casetype.REVIVED, date=days_ago(20))
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        follow_up_add(actor=None, case=reload(case), due_on=days_ago(25), title="بازدید پس از احیا")
    assert "due_on" in error.value.message_dict
    assert row_counts() == before
