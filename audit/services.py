"""The one audit mechanism: plain rows written in the same transaction as the change.

Works identically on SQLite and PostgreSQL (no triggers). Only services call
``audit_record``; it refuses to run outside a transaction so a change and its record are
committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _

from pishran.db import bulk_insert_values

from .models import AuditRecord

# Most values are these: kept as they are without the checks of ``_plain`` (a bulk import
# snapshots a hundred thousand units of 27 fields).
_AS_THEY_ARE = frozenset({str, int, bool, float, type(None)})


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return {"id": value.pk, "repr": str(value)}
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(
    obj: models.Model,
    fields: Iterable[str],
    rows: dict[tuple[type, Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The values of ``fields`` now, JSON-ready (foreign keys as id and text). ``rows``:
    the related rows' id and text already made, by (model, id), for the snapshots of many
    objects at once (a batch's units name the same few provinces, parks and sectors: each
    named once, not its text made again for every unit)."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if type(value) in _AS_THEY_ARE:
            out[name] = value
        elif rows is not None and isinstance(value, models.Model):
            key = (type(value), value.pk)
            known = rows.get(key)
            out[name] = known if known is not None else rows.setdefault(key, _plain(value))
        else:
            out[name] = _plain(value)
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    if not before:  # a new object (a bulk import records a hundred thousand)
        return {name: [None, value] for name, value in after.items() if value is not None}
    changed = {}
    for name, value in after.items():
        was = before.get(name)
        if was != value:
            changed[name] = [was, value]
    return changed


def actor_name(actor: Any) -> str:
    """How a record names who acted: "full name (username)", the username alone when the
    account has no name, "" for the system (no actor, or an anonymous one)."""
    if not getattr(actor, "is_authenticated", False):
        return ""
    full_name = actor.get_full_name()
    return f"{full_name} ({actor.username})" if full_name else actor.username


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    subject: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditRecord:
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    subject = subject or target
    return AuditRecord.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=actor_name(actor)[:500],
        action=action,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        changes=changes or {},
        note=note[:300],
    )


@dataclass(frozen=True)
class AuditEntry:
    """One record for ``audit_record_many``: ``audit_record``'s arguments but the actor."""

    action: str
    target: models.Model
    subject: models.Model | None = None
    changes: dict[str, Any] | None = None
    note: str = ""


def audit_record_many(*, actor: Any, entries: Iterable[AuditEntry]) -> list[int]:
    """``audit_record`` for many changes by one actor at once (a bulk import): the same
    rows, written together (``pishran.db.bulk_insert_values``: COPY on PostgreSQL), in the
    same transaction as the changes. Returns the records' ids."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_many must run inside the transaction of the change")
    who = actor.pk if getattr(actor, "is_authenticated", False) else None
    name = actor_name(actor)[:500]
    types: dict[type[models.Model], int] = {}

    def type_of(obj: models.Model) -> int:
        kind = type(obj)
        if kind not in types:
            types[kind] = ContentType.objects.get_for_model(obj).pk
        return types[kind]

    rows = []
    for entry in entries:
        subject = entry.subject or entry.target
        rows.append(
            {
                "actor_id": who,
                "actor_name": name,
                "action": entry.action,
                "subject_type_id": type_of(subject),
                "subject_id": str(subject.pk),
                "target_type_id": type_of(entry.target),
                "target_id": str(entry.target.pk),
                "target_repr": str(entry.target)[:200],
                "changes": entry.changes or {},
                "note": entry.note[:300],
            }
        )
    return bulk_insert_values(AuditRecord, rows)


def history_of(subject: models.Model) -> models.QuerySet[AuditRecord]:
    """Every audit record about ``subject``, newest first (callers check access)."""
    return AuditRecord.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
    ).select_related("actor")


class StaleEdit(ValidationError):
    """An edit made on a form opened at an older version of the row: refused, so that it
    does not silently revert what someone saved meanwhile. ``records`` are those saves
    (oldest first), ``version`` the row's version now."""

    def __init__(self, records: list[AuditRecord], version: int) -> None:
        super().__init__(
            _(
                "Someone else saved changes here after you opened this form, so nothing was "
                "saved. Their changes are listed above and your values are still in the form: "
                "check those fields before saving again."
            ),
            code="stale",
        )
        self.records, self.version = records, version


def check_version(obj: models.Model, expected: int | None) -> None:
    """Refuse an edit of ``obj`` (locked by the caller) made on a form opened at version
    ``expected`` if ``obj.version`` has moved since. Each edit that raises the version
    writes one ``update`` record, so the newest ``behind`` of them are the edits missed.
    ``None``: the caller keeps no version (a script, a service test)."""
    current: int = obj.version  # type: ignore[attr-defined]
    if expected is None or expected == current:
        return
    behind = current - expected
    records = (
        list(
            AuditRecord.objects.filter(
                target_type=ContentType.objects.get_for_model(obj),
                target_id=str(obj.pk),
                action="update",
            )
            .select_related("actor", "target_type", "subject_type")
            .order_by("-at", "-id")[:behind]
        )
        if behind > 0
        else []
    )
    raise StaleEdit(records[::-1], current)
