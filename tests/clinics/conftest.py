from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from cases.models import Case
from cases.services import case_move, case_open
from clinics import casetype
from clinics.roles import CLINIC_CONSULTANT
from clinics.services import action_add, diagnosis_record
from enterprises.models import Enterprise, Status
from tests.conftest import Reference
from tests.factories import days_ago, give, make_enterprise, make_user


def make_consultant(*provinces: Any, username: str | None = None) -> User:
    person = make_user(username=username, first_name="مریم", last_name="مشاور")
    for province in provinces:
        give(person, CLINIC_CONSULTANT, province)
    return person


def open_case(
    enterprise: Enterprise, *, actor: Any = None, days: int = 200, assignee: Any = None
) -> Case:
    return case_open(
        actor=actor,
        type=casetype.TYPE,
        enterprise=enterprise,
        date=days_ago(days),
        assignee=assignee,
    )


def diagnose(
    case: Case, *, actor: Any = None, days: int = 150, primary: str = "working_capital"
) -> Case:
    case_move(actor=actor, case=case, to_stage=casetype.DIAGNOSIS, date=days_ago(days + 10))
    diagnosis_record(
        actor=actor,
        case=case,
        date=days_ago(days),
        finding="کمبود سرمایه در گردش برای خرید مواد اولیه",
        causes=[primary, "market"] if primary != "market" else [primary],
        primary=primary,
    )
    return Case.objects.get(pk=case.pk)


def plan(case: Case, *, actor: Any = None, days: int = 120) -> Case:
    case_move(actor=actor, case=case, to_stage=casetype.REMEDY, date=days_ago(days))
    action_add(
        actor=actor,
        case=case,
        data={
            "kind": "finance_referral",
            "description": "معرفی به بانک برای تسهیلات سرمایه در گردش",
            "owner": "کارشناس استان",
            "due_on": days_ago(days - 30),
        },
    )
    return Case.objects.get(pk=case.pk)


@dataclass
class Clinic:
    consultant: User
    other_consultant: User  # holds a grant in Tehran only
    idle: Enterprise  # idle for 400 days, in park P (Qom), 30 employees
    semi: Enterprise  # semi-active, Qom outside parks
    project: Enterprise  # semi-finished (80%), Qom
    active: Enterprise  # active: not a candidate
    tehran_idle: Enterprise
    case: Case  # open on ``idle``, assigned to ``consultant``, at "opened"
    tehran_case: Case  # open on ``tehran_idle``, assigned to ``other_consultant``


@pytest.fixture
def clinic(reference: Reference) -> Clinic:
    consultant = make_consultant(reference.qom, username="consultant")
    other = make_consultant(reference.tehran, username="other_consultant")
    idle = make_enterprise(
        name="ریسندگی خاموش",
        park=reference.park_p,
        status=Status.IDLE,
        status_date=days_ago(400),
        employees=30,
    )
    semi = make_enterprise(
        name="لبنیات نیمه‌جان",
        province=reference.qom,
        status=Status.SEMI_ACTIVE,
        status_date=days_ago(200),
    )
    project = make_enterprise(
        name="طرح فولاد نیمه‌تمام",
        province=reference.qom,
        status=Status.UNDER_CONSTRUCTION,
        status_date=days_ago(900),
        construction_progress=80,
    )
    active = make_enterprise(name="کارخانه فعال", province=reference.qom)
    tehran_idle = make_enterprise(
        name="آجر تهران", province=reference.tehran, status=Status.IDLE, status_date=days_ago(300)
    )
    case = open_case(idle, assignee=consultant, days=395)
    tehran_case = open_case(tehran_idle, assignee=other)
    return Clinic(consultant, other, idle, semi, project, active, tehran_idle, case, tehran_case)


__all__ = ["dt"]
