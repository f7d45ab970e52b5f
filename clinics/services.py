"""Every write of the business clinics: the diagnosis, the remedy plan, the revival written
to the registry and the checks of whether it held. Each runs in one transaction with its
audit record; the case's stages move through ``cases.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.events import CaseChanged
from cases.models import Case, FollowUp
from cases.services import case_move, follow_up_add
from enterprises.models import REVIVAL_FROM, Enterprise, Status, StatusEvent
from enterprises.services import enterprise_change_status
from persian.jalali import add_months, format_date, today
from persian.text import normalize
from pishran.events import publish

from . import casetype
from .models import Cause, Diagnosis, DiagnosisCause, RemedyAction, Revival

SUSTAIN = "sustain_"  # the follow-ups' kind prefix: sustain_3, sustain_6, sustain_12


def _clinic_case(case: Case, field: str = "__all__") -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.type != casetype.TYPE:
        raise ValidationError({field: _("This is not a business clinic case.")})
    return case


def _check_day(field: str, value: dt.date | None, not_before: dt.date) -> dt.date:
    if value is None:
        raise ValidationError({field: _("Enter the date.")})
    if value > today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if value < not_before:
        raise ValidationError(
            {
                field: _("The date cannot be before %(date)s, when the case opened.")
                % {"date": format_date(not_before)}
            }
        )
    return value


@transaction.atomic
def diagnosis_record(
    *, actor: Any, case: Case, date: dt.date, finding: str, causes: list[str], primary: str
) -> Diagnosis:
    """Record (or correct) the case's diagnosis: its causes, one of them primary, and a short
    finding. Only while the case is open."""
    case = _clinic_case(case, "causes")
    if case.closed_on is not None:
        raise ValidationError(
            {"causes": _("The case is closed; reopen it to change the diagnosis.")}
        )
    _check_day("date", date, case.opened_on)
    finding = normalize(finding or "").strip()
    errors: dict[str, str] = {}
    if not finding:
        errors["finding"] = _("Write the finding in a few sentences.")
    causes = list(dict.fromkeys(causes or []))
    if not causes:
        errors["causes"] = _("Choose at least one cause.")
    elif any(c not in Cause.values for c in causes):
        errors["causes"] = _("Choose causes from the list.")
    elif primary not in causes:
        errors["primary"] = _("The primary cause must be one of the causes chosen.")
    if errors:
        raise ValidationError(errors)
    before = None
    diagnosis = Diagnosis.objects.filter(case=case).first()
    if diagnosis is not None:
        before = sorted(diagnosis.causes.values_list("cause", flat=True))
        diagnosis.date, diagnosis.finding = date, finding[:2000]
        diagnosis.consultant = actor if getattr(actor, "is_authenticated", False) else None
        diagnosis.save()
        diagnosis.causes.all().delete()
    else:
        diagnosis = Diagnosis.objects.create(
            case=case,
            date=date,
            finding=finding[:2000],
            consultant=actor if getattr(actor, "is_authenticated", False) else None,
        )
    DiagnosisCause.objects.bulk_create(
        [DiagnosisCause(diagnosis=diagnosis, cause=c, primary=c == primary) for c in causes]
    )
    audit_record(
        actor=actor,
        action="clinic_diagnosis",
        target=diagnosis,
        subject=case,
        changes={"causes": [before, sorted(causes)], "primary": [None, primary]},
    )
    publish(CaseChanged(case_id=case.pk, type=case.type, what="diagnosis"))
    return diagnosis


ACTION_FIELDS = ("kind", "description", "owner", "due_on")


@transaction.atomic
def action_add(*, actor: Any, case: Case, data: dict[str, Any]) -> RemedyAction:
    case = _clinic_case(case, "description")
    if case.closed_on is not None:
        raise ValidationError(
            {"description": _("The case is closed; reopen it to change the plan.")}
        )
    action = RemedyAction(case=case, **{k: data.get(k) for k in ACTION_FIELDS})
    action.description = normalize(action.description or "").strip()
    action.owner = normalize(action.owner or "").strip()
    if action.due_on is not None and action.due_on < case.opened_on:
        raise ValidationError(
            {
                "due_on": _("The action cannot be due before the case opened (%(date)s).")
                % {"date": format_date(case.opened_on)}
            }
        )
    action.full_clean(exclude=["case"])
    action.save()
    audit_record(
        actor=actor,
        action="clinic_action_add",
        target=action,
        subject=case,
        changes={
            "description": [None, action.description],
            "due_on": [None, action.due_on.isoformat()],
        },
    )
    publish(CaseChanged(case_id=case.pk, type=case.type, what="action"))
    return action


@transaction.atomic
def action_update(
    *,
    actor: Any,
    action: RemedyAction,
    status: str,
    outcome: str = "",
    done_on: dt.date | None = None,
) -> RemedyAction:
    action = RemedyAction.objects.select_for_update().select_related("case").get(pk=action.pk)
    if status not in RemedyAction.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    before = action.status
    action.status = status
    action.outcome = normalize(outcome or "").strip()[:300]
    if status == RemedyAction.Status.DONE:
        action.done_on = _check_day("done_on", done_on, action.case.opened_on)
        if not action.outcome:
            raise ValidationError({"outcome": _("Say what the action achieved.")})
    else:
        action.done_on = None
    action.save()
    audit_record(
        actor=actor,
        action="clinic_action_update",
        target=action,
        subject=action.case,
        changes={"status": [before, status]},
        note=action.outcome,
    )
    publish(CaseChanged(case_id=action.case_id, type=action.case.type, what="action"))
    return action


def _revival_reason(case: Case) -> str:
    return _("Revived through business clinic case #%(number)s") % {"number": case.pk}


def on_revived(case: Case, event: Any, actor: Any) -> None:
    """The clinic type's hook on entering "revived" (``cases.services.case_move``)."""
    record_revival(case=case, date=event.date, actor=actor)


def record_revival(*, case: Case, date: dt.date, actor: Any) -> Revival:
    """Called inside ``case_move`` on entering "revived" (its transaction): the registry's
    revival and the checks at 3, 6 and 12 months."""
    enterprise = Enterprise.objects.select_for_update().get(pk=case.enterprise_id)
    # The registry already recorded the unit active on that day, since the case opened (a
    # case recorded after the fact, or an officer quicker than the consultant): that is
    # the revival, whatever happened to the unit since.
    recorded = (
        StatusEvent.objects.filter(
            enterprise=enterprise,
            to_status=Status.ACTIVE,
            date=date,
            date__gte=case.opened_on,
            clinic_revivals__isnull=True,
        )
        .order_by("-id")
        .first()
    )
    event: StatusEvent | None
    if recorded is not None:
        event = recorded
    elif enterprise.status in REVIVAL_FROM or enterprise.status == Status.UNDER_CONSTRUCTION:
        try:
            event = enterprise_change_status(
                actor=actor,
                enterprise=enterprise,
                to_status=Status.ACTIVE,
                date=date,
                reason=_revival_reason(case),
            )
        except ValidationError as error:
            # The registry's refusal, told on the case's own form ("to_stage", "date").
            messages = [m for ms in error.message_dict.values() for m in ms]
            field = "date" if "date" in error.message_dict else "to_stage"
            raise ValidationError({field: " ".join(messages)}) from error
    else:
        event = (
            StatusEvent.objects.filter(
                enterprise=enterprise, to_status=Status.ACTIVE, date__gte=case.opened_on
            )
            .order_by("-date", "-id")
            .first()
        )
        if enterprise.status != Status.ACTIVE or event is None:
            raise ValidationError(
                {
                    "to_stage": _(
                        "%(unit)s is %(status)s in the registry; only an idle or semi-active "
                        "unit or a stalled project can be revived."
                    )
                    % {"unit": enterprise.name, "status": Status(enterprise.status).label}
                }
            )
        if event.date != date:
            raise ValidationError(
                {
                    "date": _(
                        "The registry already recorded this unit active from %(date)s; close "
                        "the case as revived on that date."
                    )
                    % {"date": format_date(event.date)}
                }
            )
    revival = Revival.objects.create(
        case=case,
        status_event=event,
        enterprise=enterprise,
        date=date,
        jobs=enterprise.employees,
        opened_on=case.opened_on,
    )
    for months in casetype.CHECK_MONTHS:
        follow_up_add(
            actor=None,
            case=case,
            due_on=add_months(date, months),
            title=_("Check whether the revival held (%(n)s months)") % {"n": months},
            kind=f"{SUSTAIN}{months}",
            not_before=date,
        )
    return revival


def relapse(revival: Revival, until: dt.date) -> StatusEvent | None:
    """The first status event after the revival, up to ``until``, that took the unit idle or
    closed again (None: the revival held so far)."""
    return (
        StatusEvent.objects.filter(
            enterprise_id=revival.enterprise_id,
            date__gte=revival.date,
            date__lte=until,
            to_status__in=[Status.IDLE, Status.CLOSED],
        )
        .exclude(pk=revival.status_event_id)
        .order_by("date", "id")
        .first()
    )


@transaction.atomic
def check_revival(*, item: FollowUp, day: dt.date) -> bool:
    """Do one scheduled check (a ``sustain_N`` follow-up due by ``day``): read the unit's
    status history since the revival; idle (or closed) again means not sustained — the
    case reopens at "remedy plan" (when the unit is idle, not closed) and the later checks
    are dropped. Returns whether the revival held."""
    item = FollowUp.objects.select_for_update().select_related("case").get(pk=item.pk)
    if item.done_on is not None:
        return True
    case = item.case
    revival = Revival.objects.filter(case=case).order_by("-date", "-id").first()
    if revival is None:
        follow_up_done_system(item, day, _("No revival to check."))
        return True
    found = relapse(revival, min(item.due_on, day))
    if found is None:
        follow_up_done_system(
            item, day, _("Held: the unit has not been idle or closed since the revival.")
        )
        return True
    revival.not_sustained_on = found.date
    revival.save(update_fields=["not_sustained_on"])
    follow_up_done_system(
        item,
        day,
        _("Not sustained: the unit was recorded %(status)s on %(date)s.")
        % {"status": Status(found.to_status).label, "date": format_date(found.date)},
    )
    for later in FollowUp.objects.filter(case=case, kind__startswith=SUSTAIN, done_on__isnull=True):
        follow_up_done_system(later, day, _("Dropped: the revival did not hold."))
    audit_record(
        actor=None,
        action="clinic_not_sustained",
        target=revival,
        subject=case,
        changes={"not_sustained_on": [None, found.date.isoformat()]},
    )
    if case.stage == casetype.REVIVED and found.to_status == Status.IDLE:
        case_move(
            actor=None,
            case=case,
            to_stage=casetype.REMEDY,
            date=max(found.date, case.stage_since),
            reason=_("Reopened: the unit was idle again on %(date)s.")
            % {"date": format_date(found.date)},
        )
    return False


def follow_up_done_system(item: FollowUp, day: dt.date, outcome: str) -> None:
    from cases.services import follow_up_done

    follow_up_done(actor=None, item=item, date=max(day, item.case.opened_on), outcome=outcome)


def check_revivals(day: dt.date) -> int:
    """Every revival check due by ``day`` (the clinic type's daily work); returns how many
    were done."""
    due = FollowUp.objects.filter(
        case__type=casetype.TYPE, kind__startswith=SUSTAIN, done_on__isnull=True, due_on__lte=day
    ).order_by("due_on", "id")
    done = 0
    for item in due:
        check_revival(item=item, day=day)
        done += 1
    return done
