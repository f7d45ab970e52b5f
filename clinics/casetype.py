"""The business-clinic case type: a unit that is idle, semi-active or a
semi-finished project is opened as a case, assigned to a clinic consultant, diagnosed,
helped through a remedy plan, and closed as revived (which writes the registry's revival)
or closed without a revival.

A semi-finished project (طرح نیمه‌تمام: under construction, at least 60% built) counts as
stalled: the clinic helps it start operating.

    opened ──► diagnosis ──► remedy ──► revived ──(idle again)──► remedy
       │           │  └────────────────► revived
       └───────────┴──────────┴────────► closed ──► opened
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.types import CaseType, Requirement, Stage
from enterprises.models import (
    REVIVAL_FROM,
    SEMI_FINISHED_PROGRESS,
    Enterprise,
    Status,
)
from enterprises.selectors import status_on
from persian.jalali import format_date

from .roles import CLINIC_CONSULTANT

TYPE = "clinic"
OPENED, DIAGNOSIS, REMEDY, REVIVED, CLOSED = "opened", "diagnosis", "remedy", "revived", "closed"
# When a revival is checked against the registry's history (months after it).
CHECK_MONTHS = (3, 6, 12)


def check_unit(enterprise: Enterprise, day: dt.date | None = None) -> None:
    """Refuse a unit a clinic does not take: one that was neither idle, semi-active nor a
    semi-finished project (``enterprises.models.CLINIC_CANDIDATE``) on ``day``, the day the
    case opens (a case recorded after the fact is judged by the unit's status history; a
    project's progress is today's, the registry keeping no history of it)."""
    status = status_on(enterprise, day)
    if status in REVIVAL_FROM or (
        status == Status.UNDER_CONSTRUCTION
        and enterprise.construction_progress >= SEMI_FINISHED_PROGRESS
    ):
        return
    if day is not None and day < enterprise.status_since:
        raise ValidationError(
            {
                "enterprise": _(
                    "A clinic case is for an idle or semi-active unit or a semi-finished "
                    "project (at least 60%% built); on %(date)s %(unit)s was %(status)s."
                )
                % {
                    "unit": enterprise.name,
                    "date": format_date(day),
                    "status": Status(status).label if status else _("not yet registered"),
                }
            }
        )
    raise ValidationError(
        {
            "enterprise": _(
                "A clinic case is for an idle or semi-active unit or a semi-finished project "
                "(at least 60%% built); %(unit)s is %(status)s."
            )
            % {"unit": enterprise.name, "status": Status(enterprise.status).label}
        }
    )


def _has_diagnosis(case: Any) -> bool:
    from .models import Diagnosis

    diagnosis = Diagnosis.objects.filter(case=case).first()
    return diagnosis is not None and diagnosis.causes.filter(primary=True).exists()


def _has_plan(case: Any) -> bool:
    return case.remedy_actions.exists()


NEEDS_DIAGNOSIS = Requirement(
    "causes",
    _(
        "A revival needs a diagnosis: record the diagnosis with its primary cause before the "
        "case goes on."
    ),
    _has_diagnosis,
    towards=frozenset({REMEDY, REVIVED}),
)

CLINIC = CaseType(
    code=TYPE,
    label=_("business clinic case"),
    stages=(
        Stage(
            OPENED,
            _("opened"),
            due_days=30,
            requires=(
                Requirement(
                    "assignee",
                    _("Assign the case to a clinic consultant before the diagnosis."),
                    lambda case: case.assignee_id is not None,
                    towards=frozenset({DIAGNOSIS}),
                ),
            ),
        ),
        Stage(DIAGNOSIS, _("diagnosis"), due_days=60, requires=(NEEDS_DIAGNOSIS,)),
        Stage(
            REMEDY,
            _("remedy plan"),
            due_days=270,
            requires=(
                NEEDS_DIAGNOSIS,
                Requirement(
                    "actions",
                    _("Add the remedy plan's actions before the case is closed as revived."),
                    _has_plan,
                    towards=frozenset({REVIVED}),
                ),
            ),
        ),
        Stage(REVIVED, _("revived"), closes=True),
        Stage(CLOSED, _("closed without revival"), closes=True),
    ),
    transitions={
        OPENED: frozenset({DIAGNOSIS, CLOSED}),
        DIAGNOSIS: frozenset({REMEDY, REVIVED, CLOSED}),
        REMEDY: frozenset({REVIVED, CLOSED}),
        REVIVED: frozenset({REMEDY}),
        CLOSED: frozenset({OPENED}),
    },
    assignee_role=CLINIC_CONSULTANT,
    check_unit=check_unit,
)
# Registered from ``ClinicsConfig.ready`` with its hooks, which live in ``clinics.services``:
# entering "revived" writes the registry's revival (``record_revival``), and each day the
# revivals due are checked (``check_revivals``).
