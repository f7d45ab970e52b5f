"""The case mechanism every case type shares, exercised through the clinic type: dated
history, counts by stage as of any date, assignment by grant, transfer with its history,
follow-ups, overdue lists and the daily digest."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from audit.services import history_of
from cases.models import Case, CaseEvent, FollowUp
from cases.selectors import caseload, counts_by_stage, overdue_q
from cases.services import case_assign, case_move, case_set_due, case_transfer, follow_up_add
from cases.tasks import daily_case_work, overdue_cases_for
from cases.types import CaseType, Stage
from clinics import casetype
from persian.jalali import today
from tests.clinics.conftest import Clinic, diagnose, make_consultant, plan
from tests.factories import days_ago, reload, row_counts

pytestmark = pytest.mark.django_db


def test_a_case_type_with_a_transition_to_an_unknown_stage_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="unknown stages"):
        CaseType("x", "x", (Stage("a", "a"),), {"a": frozenset({"b"})}, assignee_role="r")


def test_counts_by_stage_as_of_any_date_follow_the_history(clinic: Clinic, reference) -> None:
    case = diagnose(clinic.case, days=150)  # diagnosis from 160 days ago
    qom, tehran = reference.qom.pk, reference.tehran.pk
    assert counts_by_stage(casetype.TYPE, days_ago(300), qom) == {casetype.OPENED: 1}
    assert counts_by_stage(casetype.TYPE, days_ago(100), qom) == {casetype.DIAGNOSIS: 1}
    assert counts_by_stage(casetype.TYPE, days_ago(500), qom) == {}
    case_transfer(
        actor=None, case=case, province=reference.tehran, date=days_ago(50), reason="جابه‌جایی"
    )
    # Before the transfer it counts in Qom; from its date on, in Tehran.
    assert counts_by_stage(casetype.TYPE, days_ago(60), qom) == {casetype.DIAGNOSIS: 1}
    assert counts_by_stage(casetype.TYPE, days_ago(10), qom) == {}
    assert counts_by_stage(casetype.TYPE, days_ago(10), tehran) == {
        casetype.DIAGNOSIS: 1,
        casetype.OPENED: 1,
    }
    assert counts_by_stage(casetype.TYPE, days_ago(10)) == {
        casetype.DIAGNOSIS: 1,
        casetype.OPENED: 1,
    }


def test_a_transfer_keeps_the_history_and_drops_an_assignee_without_a_grant_there(
    clinic: Clinic, reference
) -> None:
    events_before = CaseEvent.objects.filter(case=clinic.case).count()
    case = case_transfer(
        actor=None, case=clinic.case, province=reference.tehran, date=days_ago(1), reason="انتقال"
    )
    case = reload(case)
    assert case.province == reference.tehran and case.assignee is None
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1
    assert CaseEvent.objects.filter(case=case).first().province == reference.qom


def test_a_consultant_without_a_grant_for_the_province_is_refused(clinic: Clinic) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        case_assign(
            actor=None, case=clinic.case, assignee=clinic.other_consultant, date=days_ago(1)
        )
    assert "assignee" in error.value.message_dict
    assert "قم" in error.value.message_dict["assignee"][0]  # names the province
    assert row_counts() == before and reload(clinic.case).assignee == clinic.consultant


def test_a_withdrawn_grant_no_longer_lets_a_consultant_take_a_case(
    clinic: Clinic, reference
) -> None:
    from accounts.models import Grant
    from accounts.services import grant_withdraw

    person = make_consultant(reference.qom)
    grant_withdraw(actor=None, grant=Grant.objects.get(user=person))
    with pytest.raises(ValidationError):
        case_assign(actor=None, case=clinic.case, assignee=person, date=days_ago(1))


def test_dates_in_the_future_or_before_the_last_step_are_refused(clinic: Clinic) -> None:
    for date in (days_ago(-1), days_ago(500)):
        with pytest.raises(ValidationError) as error:
            case_move(actor=None, case=clinic.case, to_stage=casetype.DIAGNOSIS, date=date)
        assert "date" in error.value.message_dict
    assert reload(clinic.case).stage == casetype.OPENED


def test_a_follow_up_of_a_revival_cannot_be_due_before_it(clinic: Clinic) -> None:
    with pytest.raises(ValidationError) as error:
        follow_up_add(
            actor=None,
            case=clinic.case,
            due_on=days_ago(30),
            title="بررسی",
            not_before=days_ago(20),
        )
    assert "due_on" in error.value.message_dict


def test_late_cases_are_listed_and_counted_per_consultant(clinic: Clinic) -> None:
    # Opened 395 days ago and still at "opened" (30 days allowed): late.
    late = set(Case.objects.filter(overdue_q(today())).values_list("pk", flat=True))
    assert clinic.case.pk in late
    loads = {load.person.username: load for load in caseload(Case.objects.all())}
    assert loads["consultant"].open == 1 and loads["consultant"].overdue == 1
    assert [c.pk for c in overdue_cases_for(clinic.consultant)] == [clinic.case.pk]
    assert [c.pk for c in overdue_cases_for(clinic.other_consultant)] == [clinic.tehran_case.pk]


def test_a_case_moved_on_in_time_is_not_late(clinic: Clinic) -> None:
    case = plan(diagnose(clinic.case, days=20), days=5)
    case_set_due(actor=None, case=case, due_on=days_ago(-30))
    assert not Case.objects.filter(overdue_q(today()), pk=case.pk).exists()
    follow_up_add(actor=None, case=case, due_on=days_ago(1), title="تماس با بانک")
    assert Case.objects.filter(overdue_q(today()), pk=case.pk).exists()  # a follow-up is late


def test_the_daily_work_checks_revivals_and_mails_each_person_their_late_cases(
    clinic: Clinic, officer_a
) -> None:
    done = daily_case_work.call()
    assert done["digests"] >= 2
    to = {m.to[0]: m for m in mail.outbox}
    assert clinic.consultant.email in to and officer_a.email in to
    assert clinic.idle.name in to[clinic.consultant.email].body
    assert clinic.tehran_idle.name not in to[officer_a.email].body


def test_every_write_is_audited_under_the_case(clinic: Clinic, officer_a) -> None:
    case_move(actor=officer_a, case=clinic.case, to_stage=casetype.DIAGNOSIS, date=days_ago(3))
    follow_up_add(actor=officer_a, case=clinic.case, due_on=days_ago(-3), title="بازدید")
    actions = set(history_of(clinic.case).values_list("action", flat=True))
    assert {"case_stage", "case_follow_up"} <= actions
    assert FollowUp.objects.filter(case=clinic.case).count() == 1
