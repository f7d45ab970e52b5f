"""Every write to a case: validate, save, record the audit — in one transaction — and
announce it (``cases.events``). Views, the demo and the type's own app call these; nothing
else writes ``Case``, ``CaseEvent``, ``FollowUp``, ``Note`` or ``CaseDocument``.

Dates are checked like the registry's: never in the future, never before the step they
follow. A refusal is a ``ValidationError`` naming the field; nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Grant
from accounts.roles import role_label
from audit.services import actor_name, audit_record
from clusters.services import check_upload
from enterprises.models import Enterprise
from persian.jalali import format_date, today
from persian.text import normalize
from pishran.events import publish
from places.models import Province

from . import types
from .events import CaseAssigned, CaseChanged, CaseOpened, CaseStageChanged, CaseTransferred
from .models import Case, CaseDocument, CaseEvent, FollowUp, Note


def _author(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_date(field: str, value: dt.date | None, *, not_before: dt.date | None = None) -> dt.date:
    if value is None:
        raise ValidationError({field: _("Enter the date.")})
    if value > today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {
                field: _("The date cannot be before %(date)s, the date of the previous step.")
                % {"date": format_date(not_before)}
            }
        )
    return value


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _event(
    case: Case, actor: Any, kind: str, date: dt.date, reason: str = "", **extra: Any
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        date=date,
        stage=case.stage,
        province_id=case.province_id,
        assignee_id=case.assignee_id,
        reason=reason[:500],
        author=_author(actor),
        author_name=actor_name(actor)[:300],
        **extra,
    )


def may_be_assigned(case_type: types.CaseType, person: Any, province_id: int) -> bool:
    """Whether ``person`` (active) holds the type's role over ``province_id`` today: a case
    is assigned now, whatever date its step is recorded on."""
    return Grant.objects.live().filter(
        user=person, role=case_type.assignee_role, place_id=province_id
    ).exists() and bool(person.is_active)


def _check_assignee(case_type: types.CaseType, person: Any, province: Province) -> None:
    if person is not None and not may_be_assigned(case_type, person, province.pk):
        raise ValidationError(
            {
                "assignee": _("%(person)s holds no %(role)s grant for %(province)s.")
                % {
                    "person": person.display_name,
                    "role": role_label(case_type.assignee_role),
                    "province": province,
                }
            }
        )


def _one_open(
    case_type: types.CaseType, enterprise: Enterprise, exclude: int | None = None
) -> None:
    if not case_type.one_open_per_unit:
        return
    others = Case.objects.filter(type=case_type.code, enterprise=enterprise, closed_on__isnull=True)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if other := others.first():
        raise ValidationError(
            {
                "enterprise": _("%(unit)s already has an open %(type)s (#%(number)s).")
                % {"unit": enterprise.name, "type": case_type.label, "number": other.pk}
            }
        )


@transaction.atomic
def case_open(
    *,
    actor: Any,
    type: str,
    enterprise: Enterprise,
    date: dt.date,
    reason: str = "",
    assignee: Any = None,
    due_on: dt.date | None = None,
    summary: str = "",
) -> Case:
    """Open a case of ``type`` for a unit, held by the unit's province's office."""
    case_type = types.get(type)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    _check_date("date", date)
    _one_open(case_type, enterprise)
    if case_type.check_unit is not None:
        case_type.check_unit(enterprise, date)
    province = enterprise.province
    _check_assignee(case_type, assignee, province)
    if due_on is not None and due_on < date:
        raise ValidationError({"due_on": _("The due date cannot be before the case opens.")})
    case = Case(
        type=case_type.code,
        enterprise=enterprise,
        province=province,
        stage=case_type.initial,
        stage_since=date,
        opened_on=date,
        assignee=assignee,
        due_on=due_on,
        summary=normalize(summary or "")[:300],
        exclusive=case_type.one_open_per_unit,
        opened_by=_author(actor),
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:  # another open case was saved meanwhile
        _one_open(case_type, enterprise)
        raise
    _event(case, actor, CaseEvent.Kind.OPEN, date, reason)
    audit_record(
        actor=actor,
        action="case_open",
        target=case,
        subject=enterprise,
        changes={"type": [None, case.type], "stage": [None, case.stage]},
        note=reason,
    )
    publish(
        CaseOpened(
            case_id=case.pk,
            type=case.type,
            enterprise_id=enterprise.pk,
            province_id=province.pk,
            stage=case.stage,
            date=date,
        )
    )
    return case


def unmet(case: Case, to_stage: str | None = None) -> list[types.Requirement]:
    """What the case's current stage still requires before the case may leave it (for
    ``to_stage``, or any way out)."""
    return [
        r
        for r in case.case_type.stage(case.stage).requires
        if (to_stage is None or r.towards is None or to_stage in r.towards) and not r.met(case)
    ]


@transaction.atomic
def case_move(
    *, actor: Any, case: Case, to_stage: str, date: dt.date, reason: str = ""
) -> CaseEvent:
    """Move a case to another stage its type allows from the current one, once the current
    stage's requirements are met; a closing stage closes it, leaving one reopens it."""
    case = _lock(case)
    case_type = case.case_type
    current = case.stage
    if to_stage not in {s.code for s in case_type.stages}:
        raise ValidationError({"to_stage": _("Choose a valid stage.")})
    if to_stage == current:
        raise ValidationError(
            {"to_stage": _("The case is already at “%(stage)s”.") % {"stage": case.stage_label}}
        )
    if to_stage not in case_type.allowed(current):
        raise ValidationError(
            {
                "to_stage": _("A case at “%(current)s” cannot go to “%(new)s”.")
                % {"current": case.stage_label, "new": case_type.stage_label(to_stage)}
            }
        )
    missing = unmet(case, to_stage)
    if missing:
        raise ValidationError({r.field: str(r.message) for r in missing})
    _check_date("date", date, not_before=case.stage_since)
    closes = case_type.stage(to_stage).closes
    if not closes and case.closed_on is not None:
        _one_open(case_type, case.enterprise, exclude=case.pk)
    case.stage, case.stage_since = to_stage, date
    case.closed_on = date if closes else None
    case.save(update_fields=["stage", "stage_since", "closed_on", "updated_at"])
    event = _event(case, actor, CaseEvent.Kind.STAGE, date, reason, from_stage=current)
    hook = case_type.on_enter.get(to_stage)
    if hook is not None:
        hook(case, event, actor)
    audit_record(
        actor=actor,
        action="case_stage",
        target=event,
        subject=case,
        changes={"stage": [current, to_stage], "date": [None, date.isoformat()]},
        note=reason,
    )
    publish(
        CaseStageChanged(
            case_id=case.pk,
            type=case.type,
            from_stage=current,
            to_stage=to_stage,
            date=date,
            closed=closes,
        )
    )
    return event


@transaction.atomic
def case_assign(*, actor: Any, case: Case, assignee: Any, date: dt.date, reason: str = "") -> Case:
    """Assign the case to a person who holds the type's role over its office's province
    (None: nobody)."""
    case = _lock(case)
    if case.closed_on is not None:
        raise ValidationError({"assignee": _("A closed case is not assigned.")})
    _check_date("date", date, not_before=case.opened_on)
    _check_assignee(case.case_type, assignee, case.province)
    before = case.assignee_id
    if before == (assignee.pk if assignee is not None else None):
        return case
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    _event(case, actor, CaseEvent.Kind.ASSIGN, date, reason, from_stage=case.stage)
    audit_record(
        actor=actor,
        action="case_assign",
        target=case,
        changes={"assignee": [before, case.assignee_id]},
        note=reason,
    )
    publish(CaseAssigned(case_id=case.pk, type=case.type, assignee_id=case.assignee_id))
    return case


@transaction.atomic
def case_transfer(
    *, actor: Any, case: Case, province: Province, date: dt.date, reason: str
) -> Case:
    """Hand the case, with its whole history, to another province's office. The assignee
    keeps it only if they hold the type's role there too."""
    case = _lock(case)
    if case.closed_on is not None:
        raise ValidationError({"province": _("A closed case cannot be transferred.")})
    if province.pk == case.province_id:
        raise ValidationError(
            {"province": _("The case is already held by %(province)s.") % {"province": province}}
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the transfer.")})
    _check_date("date", date, not_before=case.stage_since)
    before = case.province_id
    case.province = province
    if case.assignee is not None and not may_be_assigned(
        case.case_type, case.assignee, province.pk
    ):
        case.assignee = None
    case.save(update_fields=["province", "assignee", "updated_at"])
    _event(case, actor, CaseEvent.Kind.TRANSFER, date, reason, from_stage=case.stage)
    audit_record(
        actor=actor,
        action="case_transfer",
        target=case,
        changes={"province": [before, province.pk]},
        note=reason,
    )
    publish(
        CaseTransferred(
            case_id=case.pk,
            type=case.type,
            from_province_id=before,
            to_province_id=province.pk,
            date=date,
        )
    )
    return case


@transaction.atomic
def case_set_due(*, actor: Any, case: Case, due_on: dt.date | None) -> Case:
    case = _lock(case)
    if due_on is not None and due_on < case.opened_on:
        raise ValidationError({"due_on": _("The due date cannot be before the case opens.")})
    before = case.due_on
    case.due_on = due_on
    case.save(update_fields=["due_on", "updated_at"])
    audit_record(
        actor=actor,
        action="case_due",
        target=case,
        changes={
            "due_on": [
                before.isoformat() if before else None,
                due_on.isoformat() if due_on else None,
            ]
        },
    )
    publish(CaseChanged(case_id=case.pk, type=case.type, what="due"))
    return case


@transaction.atomic
def follow_up_add(
    *,
    actor: Any,
    case: Case,
    due_on: dt.date,
    title: str,
    kind: str = "",
    not_before: dt.date | None = None,
) -> FollowUp:
    """Schedule something due on the case, never before the case opened or, for a closed
    case, before it closed (a check of a revival cannot be due before the revival);
    ``not_before`` sets that floor explicitly."""
    title = normalize(title or "").strip()
    if not title:
        raise ValidationError({"title": _("Say what is due.")})
    if due_on is None:
        raise ValidationError({"due_on": _("Enter the date.")})
    # A closed case's follow-ups check what happened after it closed (a revival held).
    floor = not_before or case.closed_on or case.opened_on
    if due_on < floor:
        raise ValidationError(
            {
                "due_on": _("The follow-up cannot be due before %(date)s.")
                % {"date": format_date(floor)}
            }
        )
    item = FollowUp.objects.create(
        case=case, due_on=due_on, kind=kind, title=title[:200], created_by=_author(actor)
    )
    audit_record(
        actor=actor,
        action="case_follow_up",
        target=item,
        subject=case,
        changes={"due_on": [None, due_on.isoformat()], "title": [None, item.title]},
    )
    publish(CaseChanged(case_id=case.pk, type=case.type, what="follow_up"))
    return item


@transaction.atomic
def follow_up_done(*, actor: Any, item: FollowUp, date: dt.date, outcome: str = "") -> FollowUp:
    item = FollowUp.objects.select_for_update().get(pk=item.pk)
    if item.done_on is not None:
        raise ValidationError({"date": _("This follow-up is already done.")})
    _check_date("date", date, not_before=item.case.opened_on)
    item.done_on, item.outcome = date, normalize(outcome or "")[:300]
    item.save(update_fields=["done_on", "outcome"])
    audit_record(
        actor=actor,
        action="case_follow_up_done",
        target=item,
        subject=item.case,
        changes={"done_on": [None, date.isoformat()]},
        note=item.outcome,
    )
    publish(CaseChanged(case_id=item.case_id, type=item.case.type, what="follow_up_done"))
    return item


@transaction.atomic
def note_add(*, actor: Any, case: Case, text: str) -> Note:
    text = normalize(text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    note = Note.objects.create(
        case=case, text=text[:5000], author=_author(actor), author_name=actor_name(actor)[:300]
    )
    audit_record(actor=actor, action="case_note", target=note, subject=case)
    publish(CaseChanged(case_id=case.pk, type=case.type, what="note"))
    return note


@transaction.atomic
def document_upload(*, actor: Any, case: Case, title: str, upload: UploadedFile) -> CaseDocument:
    """A document on the case, under the same rules as the cluster programme's (type read
    from the content, size limit)."""
    file_type = check_upload(upload)
    title = normalize(title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the document a title.")})
    document = CaseDocument(
        case=case,
        title=title[:200],
        original_name=(upload.name or "")[-200:],
        file_type=file_type,
        size=upload.size or 0,
        uploaded_by=_author(actor),
    )
    document.file.save(f"{uuid.uuid4().hex}.{file_type}", upload, save=False)
    try:
        document.save()
        audit_record(
            actor=actor,
            action="case_document",
            target=document,
            subject=case,
            changes={"title": [None, document.title]},
        )
    except Exception:
        document.file.delete(save=False)
        raise
    publish(CaseChanged(case_id=case.pk, type=case.type, what="document"))
    return document
