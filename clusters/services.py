"""Every write to the cluster programme: validate, save, record the audit — in one
transaction — and announce what it did (``clusters.events``, after the write). Views, the
admin and ``seed_clusters`` call these; nothing else writes ``Cluster``, ``StageEvent``,
``Membership``, ``Document``, ``ActionItem`` or ``Visit``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import Scope
from accounts.selectors import people_holding
from audit.services import audit_record, check_version, diff, snapshot
from persian.jalali import format_date, today
from pishran.events import publish
from places.models import Province

from . import stages, uploads
from .events import (
    ActionAdded,
    ActionUpdated,
    ClusterChanged,
    ClusterCreated,
    ClusterStageChanged,
    DocumentUploaded,
    EvaluationRecorded,
    MemberAdded,
    PlanApproved,
    VisitRecorded,
)
from .models import (
    DERIVED_FIELDS,
    ActionItem,
    Cluster,
    Document,
    Membership,
    StageEvent,
    Visit,
)

PROFILE_FIELDS = (
    "name", "city", "isic_division", "industry_group", "year_identified",
    "unregistered_members", "assistant", "secretary", "team_phone", "contracted_body",
    "technical_supervisor", "provincial_committee", "common_brand", "export_consortium",
    "description",
)  # fmt: skip
# Chosen by the province or the nation (the agent is selected by tender), never by the agent.
TEAM_FIELDS = ("agent", "published")
AUDITED_FIELDS = (
    *PROFILE_FIELDS, *TEAM_FIELDS, "province", "stage", "stage_since", "implementation_year",
    "suspended", "suspension_reason", "plan_approved_on", "evaluated_on", "evaluation_summary",
    "licence_number", "licence_date",
)  # fmt: skip
STARTING_STAGES = (stages.STAGES[0].code, stages.IDENTIFIED)
ACTION_FIELDS = (
    "title",
    "kind",
    "budget_rials",
    "funding_source",
    "owner",
    "due_date",
    "status",
    "progress",
)


def _author(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _values(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """Plain values by attribute name (a foreign key's id), for the events."""
    names = [obj._meta.get_field(name).attname for name in fields]
    return {name: getattr(obj, name) for name in names}


def _changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {name: (before[name], after[name]) for name in after if before[name] != after[name]}


def _stage_changed(event: StageEvent) -> ClusterStageChanged:
    return ClusterStageChanged(
        cluster_id=event.cluster_id,
        stage_event_id=event.pk,
        kind=event.kind,
        from_stage=event.from_stage,
        to_stage=event.to_stage,
        date=event.date,
        implementation_year=event.implementation_year,
    )


def _check_date(
    field: str, value: dt.date, *, not_before: dt.date | None = None, before_what: str = ""
) -> None:
    if value > today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {
                field: (
                    before_what
                    or _("The date cannot be before %(date)s, the date of the previous step.")
                )
                % {"date": format_date(not_before)}
            }
        )


def first_date(cluster: Cluster) -> dt.date:
    """The day the cluster entered the programme (its first recorded stage)."""
    return cluster.events.order_by("date", "id").values_list("date", flat=True)[0]


def _check_agent(cluster: Cluster) -> None:
    agent = cluster.agent
    if agent is not None and not people_holding(Role.CLUSTER_AGENT).filter(pk=agent.pk).exists():
        raise ValidationError({"agent": _("The agent must be a user with the cluster agent role.")})


def _full_clean(cluster: Cluster) -> None:
    cluster.refresh_derived()
    _check_agent(cluster)
    division = cluster.isic_division
    if (
        division is not None
        and cluster.industry_group_id
        and division.group_id
        and division.group_id != cluster.industry_group_id
    ):
        raise ValidationError(
            {
                "industry_group": _(
                    "The ISIC division %(division)s belongs to another industry group."
                )
                % {"division": division}
            }
        )
    cluster.full_clean()


def _lock(cluster: Cluster) -> Cluster:
    return Cluster.objects.select_for_update().get(pk=cluster.pk)


def _event(cluster: Cluster, actor: Any, **fields: Any) -> StageEvent:
    fields.setdefault("to_stage", cluster.stage)
    return StageEvent.objects.create(
        cluster=cluster, author=_author(actor), to_order=stages.order(fields["to_stage"]), **fields
    )


@transaction.atomic
def cluster_create(
    *,
    actor: Any,
    data: dict[str, Any],
    province: Province,
    stage: str,
    date: dt.date,
    reason: str = "",
) -> Cluster:
    """Register a cluster at its first stage (the committee or identification), dated."""
    if stage not in STARTING_STAGES:
        raise ValidationError(
            {
                "stage": _(
                    "A cluster enters the programme at its first stages: "
                    "committee formed or identified."
                )
            }
        )
    _check_date("date", date)
    cluster = Cluster(
        **{k: v for k, v in data.items() if k in PROFILE_FIELDS + TEAM_FIELDS},
        province=province,
        stage=stage,
        stage_since=date,
    )
    if cluster.year_identified is None and stage == stages.IDENTIFIED:
        from persian.jalali import year_of

        cluster.year_identified = year_of(date)
    _full_clean(cluster)
    cluster.save()
    start = _event(
        cluster,
        actor,
        kind=StageEvent.Kind.START,
        date=date,
        from_stage="",
        reason=reason or _("Registered"),
    )
    audit_record(
        actor=actor,
        action="create",
        target=cluster,
        changes=diff({}, snapshot(cluster, AUDITED_FIELDS)),
    )
    publish(
        ClusterCreated(
            cluster_id=cluster.pk,
            stage_event_id=start.pk,
            province_id=province.pk,
            stage=stage,
            date=date,
        )
    )
    return cluster


@transaction.atomic
def cluster_update(
    *,
    actor: Any,
    cluster: Cluster,
    data: dict[str, Any],
    fields: tuple[str, ...],
    version: int | None = None,
) -> Cluster:
    """Change profile (and, for those who may, team) fields named in ``fields``.

    ``version``: as in ``enterprises.services.enterprise_update`` (a stale form is refused)."""
    cluster = _lock(cluster)
    check_version(cluster, version)
    before = snapshot(cluster, AUDITED_FIELDS)
    values = _values(cluster, PROFILE_FIELDS + TEAM_FIELDS)
    for name in fields:
        if name in data and name in PROFILE_FIELDS + TEAM_FIELDS:
            setattr(cluster, name, data[name])
    _full_clean(cluster)
    changes = diff(before, snapshot(cluster, AUDITED_FIELDS))
    if not changes:
        return cluster
    cluster.version += 1
    cluster.save(
        update_fields=[
            *[f for f in fields if f in PROFILE_FIELDS + TEAM_FIELDS],
            *DERIVED_FIELDS,
            "updated_at",
            "version",
        ]
    )
    audit_record(actor=actor, action="update", target=cluster, changes=changes)
    changed = _changed(values, _values(cluster, PROFILE_FIELDS + TEAM_FIELDS))
    if changed:
        publish(ClusterChanged(cluster_id=cluster.pk, changes=changed))
    return cluster


def _check_not_stopped(cluster: Cluster) -> None:
    if cluster.is_completed:
        raise ValidationError(_("The cluster is completed: its history is closed."))
    if cluster.suspended:
        raise ValidationError(_("The cluster is suspended: resume it first."))


@transaction.atomic
def cluster_advance(
    *,
    actor: Any,
    cluster: Cluster,
    to_stage: str,
    date: dt.date,
    reason: str = "",
    licence_number: str = "",
    upload: UploadedFile | None = None,
    document_kind: str = Document.Kind.OTHER,
) -> StageEvent:
    """Move a cluster to a later stage. The next stage is always allowed; a later one only
    for a national administrator with a reason. Completion needs an approved action plan,
    an evaluation and the completion licence (number; the date is the event's date)."""
    cluster = _lock(cluster)
    _check_not_stopped(cluster)
    if to_stage not in stages.ORDER:
        raise ValidationError({"to_stage": _("Choose a stage.")})
    current, target = cluster.stage_order, stages.order(to_stage)
    if target <= current:
        raise ValidationError(
            {
                "to_stage": _("Stages are taken in order: the cluster is already at “%(stage)s”.")
                % {"stage": cluster.stage_label}
            }
        )
    skipping = target > current + 1
    if skipping:
        if not Scope.of(actor).can("clusters.skip_stage"):
            raise ValidationError(
                {
                    "to_stage": _(
                        "Stages are taken in order: the next stage is “%(stage)s”. Only a national "
                        "administrator may skip a stage."
                    )
                    % {"stage": stages.label(stages.next_stage(cluster.stage) or "")}
                }
            )
        if not reason.strip():
            raise ValidationError({"reason": _("Say why a stage is skipped.")})
    _check_date("date", date, not_before=cluster.stage_since)
    before = snapshot(cluster, AUDITED_FIELDS)
    update = ["stage", "stage_since", "updated_at"]
    if to_stage == stages.COMPLETED:
        errors: dict[str, str] = {}
        if cluster.plan_approved_on is None:
            errors["to_stage"] = _("Completion needs an approved action plan.")
        elif cluster.evaluated_on is None:
            errors["to_stage"] = _("Completion needs the evaluation of the cluster.")
        if not licence_number.strip():
            errors["licence_number"] = _("Completion needs the completion licence number.")
        if errors:
            raise ValidationError(errors)
        cluster.licence_number, cluster.licence_date = licence_number.strip(), date
        update += ["licence_number", "licence_date"]
    if to_stage == stages.IMPLEMENTATION:
        cluster.implementation_year = 1
        update.append("implementation_year")
    cluster.stage, cluster.stage_since = to_stage, date
    cluster.save(update_fields=update)
    event = _event(
        cluster,
        actor,
        kind=StageEvent.Kind.SKIP if skipping else StageEvent.Kind.ADVANCE,
        date=date,
        from_stage=stages.STAGES[current - 1].code,
        to_stage=to_stage,
        implementation_year=cluster.implementation_year
        if to_stage == stages.IMPLEMENTATION
        else None,
        reason=reason.strip(),
    )
    if upload is not None:
        document_upload(
            actor=actor,
            cluster=cluster,
            kind=document_kind,
            title=f"{stages.label(to_stage)} — {format_date(date)}",
            upload=upload,
            event=event,
        )
    audit_record(
        actor=actor,
        action="stage",
        target=event,
        subject=cluster,
        changes=diff(before, snapshot(cluster, AUDITED_FIELDS)),
        note=reason,
    )
    publish(_stage_changed(event))
    return event


@transaction.atomic
def cluster_start_year(
    *, actor: Any, cluster: Cluster, date: dt.date, reason: str = ""
) -> StageEvent:
    """Record the start of the next implementation year (2, then 3)."""
    cluster = _lock(cluster)
    _check_not_stopped(cluster)
    if cluster.stage != stages.IMPLEMENTATION:
        raise ValidationError(_("Implementation years are counted during implementation only."))
    year = (cluster.implementation_year or 1) + 1
    if year > max(stages.IMPLEMENTATION_YEARS):
        raise ValidationError(_("Implementation lasts three years: move on to the evaluation."))
    last = cluster.events.order_by("-date", "-id").values_list("date", flat=True)[0]
    _check_date("date", date, not_before=last)
    before = snapshot(cluster, AUDITED_FIELDS)
    cluster.implementation_year = year
    cluster.save(update_fields=["implementation_year", "updated_at"])
    event = _event(
        cluster,
        actor,
        kind=StageEvent.Kind.YEAR,
        date=date,
        from_stage=cluster.stage,
        implementation_year=year,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action="year",
        target=event,
        subject=cluster,
        changes=diff(before, snapshot(cluster, AUDITED_FIELDS)),
        note=reason,
    )
    publish(_stage_changed(event))
    return event


@transaction.atomic
def cluster_suspend(*, actor: Any, cluster: Cluster, date: dt.date, reason: str) -> StageEvent:
    cluster = _lock(cluster)
    _check_not_stopped(cluster)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the cluster is suspended.")})
    last = cluster.events.order_by("-date", "-id").values_list("date", flat=True)[0]
    _check_date("date", date, not_before=last)
    before = snapshot(cluster, AUDITED_FIELDS)
    cluster.suspended, cluster.suspension_reason = True, reason.strip()
    cluster.save(update_fields=["suspended", "suspension_reason", "updated_at"])
    event = _event(
        cluster,
        actor,
        kind=StageEvent.Kind.SUSPEND,
        date=date,
        from_stage=cluster.stage,
        reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        action="suspend",
        target=event,
        subject=cluster,
        changes=diff(before, snapshot(cluster, AUDITED_FIELDS)),
        note=reason,
    )
    publish(_stage_changed(event))
    return event


@transaction.atomic
def cluster_resume(*, actor: Any, cluster: Cluster, date: dt.date, reason: str = "") -> StageEvent:
    cluster = _lock(cluster)
    if not cluster.suspended:
        raise ValidationError(_("The cluster is not suspended."))
    last = cluster.events.order_by("-date", "-id").values_list("date", flat=True)[0]
    _check_date("date", date, not_before=last)
    before = snapshot(cluster, AUDITED_FIELDS)
    cluster.suspended, cluster.suspension_reason = False, ""
    cluster.save(update_fields=["suspended", "suspension_reason", "updated_at"])
    event = _event(
        cluster,
        actor,
        kind=StageEvent.Kind.RESUME,
        date=date,
        from_stage=cluster.stage,
        reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        action="resume",
        target=event,
        subject=cluster,
        changes=diff(before, snapshot(cluster, AUDITED_FIELDS)),
        note=reason,
    )
    publish(_stage_changed(event))
    return event


@transaction.atomic
def plan_approve(*, actor: Any, cluster: Cluster, date: dt.date) -> Cluster:
    """Approve the action plan (once it has joint actions and the cluster has reached the
    action-plan stage)."""
    cluster = _lock(cluster)
    if cluster.stage_order < stages.order("action_plan"):
        raise ValidationError({"date": _("The action plan is approved at the action-plan stage.")})
    if not cluster.actions.exists():
        raise ValidationError({"date": _("An action plan needs at least one joint action.")})
    _check_date("date", date, not_before=first_date(cluster))
    before = snapshot(cluster, AUDITED_FIELDS)
    cluster.plan_approved_on = date
    cluster.save(update_fields=["plan_approved_on", "updated_at"])
    audit_record(
        actor=actor,
        action="plan_approve",
        target=cluster,
        changes=diff(before, snapshot(cluster, AUDITED_FIELDS)),
    )
    publish(PlanApproved(cluster_id=cluster.pk, date=date))
    return cluster


@transaction.atomic
def evaluation_record(*, actor: Any, cluster: Cluster, date: dt.date, summary: str) -> Cluster:
    cluster = _lock(cluster)
    if cluster.stage_order < stages.order("evaluation"):
        raise ValidationError({"date": _("The evaluation is recorded at the evaluation stage.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Summarise the evaluation.")})
    _check_date("date", date, not_before=first_date(cluster))
    before = snapshot(cluster, AUDITED_FIELDS)
    cluster.evaluated_on, cluster.evaluation_summary = date, summary.strip()
    cluster.save(update_fields=["evaluated_on", "evaluation_summary", "updated_at"])
    audit_record(
        actor=actor,
        action="evaluate",
        target=cluster,
        changes=diff(before, snapshot(cluster, AUDITED_FIELDS)),
    )
    publish(EvaluationRecorded(cluster_id=cluster.pk, date=date))
    return cluster


@transaction.atomic
def member_add(
    *, actor: Any, cluster: Cluster, enterprise: Any, joined_on: dt.date, reason: str = ""
) -> Membership:
    """Add a registered enterprise; one from another province only with a reason."""
    if enterprise.province_id != cluster.province_id and not reason.strip():
        raise ValidationError(
            {
                "reason": _(
                    "%(enterprise)s is in %(province)s, not in %(cluster_province)s: say why it "
                    "belongs to this cluster."
                )
                % {
                    "enterprise": enterprise.name,
                    "province": enterprise.province,
                    "cluster_province": cluster.province,
                }
            }
        )
    if cluster.memberships.filter(enterprise=enterprise).exists():
        raise ValidationError({"enterprise": _("This enterprise is already a member.")})
    _check_date(
        "joined_on",
        joined_on,
        not_before=first_date(cluster),
        before_what=_(
            "The date cannot be before %(date)s, when the cluster entered the programme."
        ),
    )
    member = Membership.objects.create(
        cluster=cluster, enterprise=enterprise, joined_on=joined_on, reason=reason.strip()
    )
    audit_record(
        actor=actor,
        action="member_add",
        target=member,
        subject=cluster,
        changes={"enterprise": [None, enterprise.name]},
        note=reason,
    )
    publish(
        MemberAdded(
            cluster_id=cluster.pk,
            membership_id=member.pk,
            enterprise_id=enterprise.pk,
            joined_on=joined_on,
        )
    )
    return member


def check_upload(upload: UploadedFile) -> str:
    """The document's type, checked from its content; refuses anything else or too big."""
    limit = settings.CLUSTER_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": f"{upload.size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:g}"}
            }
        )
    claimed = uploads.claimed_type(upload.name or "")
    if claimed is None:
        raise ValidationError({"file": _("Upload a PDF, DOCX or XLSX file.")})
    try:
        actual = uploads.content_type_of(upload, _zip_limits())
    except uploads.ArchiveTooLarge as exc:
        raise ValidationError({"file": _archive_refusal(exc)}) from exc
    if actual != claimed:
        raise ValidationError(
            {
                "file": _(
                    "The file is named .%(claimed)s but its content is not a %(upper)s document."
                )
                % {"claimed": claimed, "upper": claimed.upper()}
            }
        )
    return actual


def _zip_limits() -> uploads.ZipLimits:
    return uploads.ZipLimits(
        members=settings.UPLOAD_ZIP_MAX_MEMBERS,
        member_bytes=settings.UPLOAD_ZIP_MAX_MEMBER_BYTES,
        total_bytes=settings.UPLOAD_ZIP_MAX_TOTAL_BYTES,
        ratio=settings.UPLOAD_ZIP_MAX_RATIO,
    )


def _archive_refusal(exc: uploads.ArchiveTooLarge) -> str:
    """Why a compressed document was refused, in the words of the person who sent it."""
    if exc.what == "members":
        return _(
            "The document is an archive of %(found)s files; at most %(limit)s are accepted."
        ) % {"found": exc.found, "limit": exc.limit}
    if exc.what == "ratio":
        return _(
            "The document would unpack to %(found)s times its size; at most %(limit)s times "
            "is accepted. Nothing was saved."
        ) % {"found": exc.found, "limit": exc.limit}
    return _(
        "The document would unpack to %(size)s MB; at most %(limit)s MB is accepted. "
        "Nothing was saved."
    ) % {"size": f"{exc.found / 1_048_576:.1f}", "limit": f"{exc.limit / 1_048_576:g}"}


@transaction.atomic
def document_upload(
    *,
    actor: Any,
    cluster: Cluster,
    kind: str,
    title: str,
    upload: UploadedFile,
    event: StageEvent | None = None,
) -> Document:
    file_type = check_upload(upload)
    if kind not in Document.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of document.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    original = (upload.name or "")[-200:]
    document = Document(
        cluster=cluster,
        kind=kind,
        title=title.strip(),
        original_name=original,
        file_type=file_type,
        size=upload.size or 0,
        event=event,
        uploaded_by=_author(actor),
    )
    # A random stored name: the person's file name is kept for the download only.
    document.file.save(f"{uuid.uuid4().hex}.{file_type}", upload, save=False)
    try:
        document.save()
        audit_record(
            actor=actor,
            action="document",
            target=document,
            subject=cluster,
            changes={"title": [None, document.title]},
        )
    except Exception:
        document.file.delete(save=False)
        raise
    publish(
        DocumentUploaded(
            cluster_id=cluster.pk,
            document_id=document.pk,
            kind=kind,
            stage_event_id=event.pk if event is not None else None,
        )
    )
    return document


def _clean_action(item: ActionItem) -> None:
    item.full_clean(exclude=["cluster"])
    if item.status == ActionItem.Status.DONE and item.progress != 100:
        raise ValidationError({"progress": _("A done action is at 100%.")})


@transaction.atomic
def action_add(*, actor: Any, cluster: Cluster, data: dict[str, Any]) -> ActionItem:
    item = ActionItem(cluster=cluster, **{k: v for k, v in data.items() if k in ACTION_FIELDS})
    _clean_action(item)
    item.save()
    audit_record(
        actor=actor,
        action="action_add",
        target=item,
        subject=cluster,
        changes=diff({}, snapshot(item, ACTION_FIELDS)),
    )
    publish(ActionAdded(cluster_id=cluster.pk, action_id=item.pk))
    return item


@transaction.atomic
def action_update(*, actor: Any, item: ActionItem, data: dict[str, Any]) -> ActionItem:
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item, ACTION_FIELDS)
    values = _values(item, ACTION_FIELDS)
    for name in ACTION_FIELDS:
        if name in data:
            setattr(item, name, data[name])
    _clean_action(item)
    changes = diff(before, snapshot(item, ACTION_FIELDS))
    if changes:
        item.save(update_fields=list(ACTION_FIELDS))
        audit_record(
            actor=actor, action="action_update", target=item, subject=item.cluster, changes=changes
        )
        publish(
            ActionUpdated(
                cluster_id=item.cluster_id,
                action_id=item.pk,
                changes=_changed(values, _values(item, ACTION_FIELDS)),
            )
        )
    return item


@transaction.atomic
def visit_add(
    *, actor: Any, cluster: Cluster, kind: str, date: dt.date, by: str, summary: str
) -> Visit:
    _check_date(
        "date",
        date,
        not_before=first_date(cluster),
        before_what=_(
            "The date cannot be before %(date)s, when the cluster entered the programme."
        ),
    )
    visit = Visit(
        cluster=cluster,
        kind=kind,
        date=date,
        by=by.strip(),
        summary=summary.strip(),
        author=_author(actor),
    )
    visit.full_clean(exclude=["cluster", "author"])
    visit.save()
    audit_record(
        actor=actor,
        action="visit",
        target=visit,
        subject=cluster,
        changes={"date": [None, date.isoformat()], "kind": [None, kind]},
    )
    publish(VisitRecorded(cluster_id=cluster.pk, visit_id=visit.pk, kind=kind, date=date))
    return visit
