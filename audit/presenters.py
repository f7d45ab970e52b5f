"""Audit records as people read them: who acted (by their name as it was, once the
account is deleted), field labels instead of column names, choice labels instead of codes,
Jalali dates, yes/no, names of related rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from persian.jalali import format_date
from persian.text import to_persian_digits

from .models import AuditRecord

ACTION_LABELS = {
    "create": gettext_lazy("registered"),
    "update": gettext_lazy("edited"),
    "status": gettext_lazy("status changed"),
    "move": gettext_lazy("moved"),
    "measures": gettext_lazy("employees or construction progress recorded"),
    "correct": gettext_lazy("history corrected"),
    "revoke": gettext_lazy("status change withdrawn"),
    "owners": gettext_lazy("owner accounts changed"),
    "delete": gettext_lazy("deleted"),
}

# What a model cannot tell about a recorded change: its label for a key that is no field
# (``"place"``), how to show a code kept in a registry (a grant's role). Filled by the
# apps that write such records: ``("app_label.model", key) → (label, how to show a value)``.
CHANGE_FIELDS: dict[tuple[str, str], tuple[Any, Callable[[Any], str] | None]] = {}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class PresentedRecord:
    record: AuditRecord
    action: str
    changes: list[Change]
    actor: str


def _actor(record: AuditRecord) -> str:
    """The account's name today while it exists; once deleted, its name at the time."""
    if record.actor is not None:
        return record.actor.get_full_name() or record.actor.username
    return record.actor_name or _("system")


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _value(field: models.Field | None, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        text = str(value.get("repr", value.get("id", "")))
    elif isinstance(value, bool):
        text = str(_("yes") if value else _("no"))
    elif field is not None and field.choices:
        text = str(dict(field.flatchoices).get(value, value))
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            text = format_date(dt.date.fromisoformat(value), persian_digits=False)
        except ValueError:
            text = value
    elif isinstance(value, list):
        text = _(", ").join(str(v) for v in value)
    else:
        text = str(value)
    return to_persian_digits(text) if (get_language() or "fa").startswith("fa") else text


def present(records: Any) -> list[PresentedRecord]:
    presented = []
    for record in records:
        model = record.target_type.model_class()
        changes = []
        if record.action != "create":
            for name, pair in record.changes.items():
                before, after = (
                    (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
                )
                changes.append(_change(model, record, name, before, after))
        presented.append(
            PresentedRecord(
                record,
                str(ACTION_LABELS.get(record.action, record.action)),
                changes,
                _actor(record),
            )
        )
    return presented


def _change(
    model: type[models.Model] | None, record: AuditRecord, name: str, before: Any, after: Any
) -> Change:
    custom = CHANGE_FIELDS.get((model._meta.label_lower, name)) if model is not None else None
    if custom is not None:
        label, show = custom
        if show is not None:
            before, after = (show(v) if v not in (None, "") else v for v in (before, after))
        return Change(str(label), _value(None, before), _value(None, after))
    field = _field(model, name) or _field(_subject_model(record), name)
    label = str(field.verbose_name) if field is not None else name
    return Change(label, _value(field, before), _value(field, after))


def _subject_model(record: AuditRecord) -> type[models.Model] | None:
    return record.subject_type.model_class()
