"""Every write to the registry of enterprises: validate, save, record the audit — in one
transaction — and announce what it did (``enterprises.events``, published after the write:
the indicators keep their facts from these events). Views, admin, imports and the demo
loader's small paths call these; nothing else writes ``Enterprise``, ``StatusEvent``,
``LocationEvent`` or ``MeasureEvent``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Grant, Role, User
from accounts.services import grant_give, grant_withdraw
from audit.services import (
    AuditEntry,
    audit_record,
    audit_record_many,
    check_version,
    diff,
    snapshot,
)
from persian.identifiers import clean_digits, is_valid_business_id, is_valid_legal_id
from persian.jalali import format_date, today
from persian.text import to_persian_digits
from pishran.db import bulk_insert, bulk_insert_values, bulk_update_rows
from pishran.events import publish
from places.models import Park, Province

from .events import (
    OwnersChanged,
    StatusEventCorrected,
    StatusEventWithdrawn,
    UnitChanged,
    UnitCreated,
    UnitMeasured,
    UnitMoved,
    UnitsCreated,
    UnitStatusChanged,
    UnitsUpdated,
)
from .models import (
    DERIVED_FIELDS,
    OPERATING,
    TRANSITIONS,
    Enterprise,
    LocationEvent,
    MeasureEvent,
    Status,
    StatusEvent,
)

# Fields a person types (forms and imports); everything else is derived or history.
PROFILE_FIELDS = (
    "name",
    "legal_id",
    "business_id",
    "permit_number",
    "permit_date",
    "isic_division",
    "industry_group",
    "employees",
    "construction_progress",
    "knowledge_based",
    "exporter",
    "products",
    "capabilities",
    "phone",
    "mobile",
    "email",
    "website",
    "address",
    "latitude",
    "longitude",
    "published",
)
# What an owner may keep themselves: the profile, products, capabilities and contact.
OWNER_FIELDS = (
    "name",
    "products",
    "capabilities",
    "phone",
    "mobile",
    "email",
    "website",
    "address",
    "latitude",
    "longitude",
    "employees",
)
AUDITED_FIELDS = (*PROFILE_FIELDS, "size_band", "status", "status_since", "province", "park")
# What ``UnitChanged`` reports (by attribute name: ``industry_group_id``), before and after.
CHANGED_FIELDS = tuple(
    f.attname for f in Enterprise._meta.concrete_fields if f.name in (*PROFILE_FIELDS, "size_band")
)


def _values(enterprise: Enterprise) -> dict[str, Any]:
    return {name: getattr(enterprise, name) for name in CHANGED_FIELDS}


def _check_identifiers(enterprise: Enterprise) -> None:
    errors: dict[str, str] = {}
    if enterprise.legal_id:
        enterprise.legal_id = clean_digits(enterprise.legal_id)
        if not is_valid_legal_id(enterprise.legal_id):
            errors["legal_id"] = _("The national ID must be 11 digits with a correct check digit.")
    else:
        enterprise.legal_id = None
    if enterprise.business_id:
        enterprise.business_id = clean_digits(enterprise.business_id)
        if not is_valid_business_id(enterprise.business_id):
            errors["business_id"] = _("The business ID must be exactly 12 digits.")
    if errors:
        raise ValidationError(errors)


def format_number(n: int) -> str:
    return to_persian_digits(f"{n:,}").replace(",", "٬")


def _check_location(province: Province, park: Park | None) -> None:
    if park is not None and park.province_id != province.pk:
        raise ValidationError(
            {
                "park": _("The park %(park)s is in %(park_province)s, not in %(province)s.")
                % {"park": park.name, "park_province": park.province, "province": province}
            }
        )


def _check_date(field: str, value: dt.date, *, not_before: dt.date | None = None) -> None:
    if value > today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {
                field: _("The date cannot be before %(date)s, the date of the previous event.")
                % {"date": format_date(not_before)}
            }
        )


def _check_operating_after_permit(
    field: str, status: str, date: dt.date, permit_date: dt.date | None
) -> None:
    """A unit operates under its operating permit: an operating status (``OPERATING``)
    cannot start before the permit's date. A unit without a permit date is not judged."""
    if status in OPERATING and permit_date is not None and date < permit_date:
        raise ValidationError(
            {
                field: _(
                    "The unit cannot start operating before %(date)s, the date of its "
                    "operating permit."
                )
                % {"date": format_date(permit_date)}
            }
        )


def _check_permit_before(permit_date: dt.date, started: dt.date | None) -> None:
    """A permit dated after the unit started operating (``started``) would contradict its
    history: correct the history first (``status_event_correct``), then the permit."""
    if started is not None and permit_date > started:
        raise ValidationError(
            {
                "permit_date": _(
                    "The operating permit cannot be dated after %(date)s, when the "
                    "unit started operating."
                )
                % {"date": format_date(started)}
            }
        )


def _first_operating_date(enterprise: Enterprise) -> dt.date | None:
    """When the unit first operated, by its status history (None: it never has)."""
    first = enterprise.status_events.filter(to_status__in=OPERATING).order_by("date", "id").first()
    return first.date if first is not None else None


_BATCH_UNCHECKED = ["owners", "isic_division", "industry_group", "province", "park"]


# What the registry derives from a judged unit's values (``refresh_derived``): validated
# even when the values themselves were judged (``_full_clean(judged=True)``) — a name's
# ligatures unfolded may make it longer than its column, its marks removed may leave it empty.
_NOT_DERIVED = frozenset(
    f.name for f in Enterprise._meta.fields if f.name not in ("name", "sort_key")
)


def _full_clean(
    enterprise: Enterprise, *, validate_unique: bool = True, judged: bool = False
) -> None:
    enterprise.refresh_derived()
    if judged:  # the identifiers were cleaned and judged by the same functions
        enterprise.legal_id = enterprise.legal_id or None
    else:
        _check_identifiers(enterprise)
    if enterprise.status in OPERATING and not enterprise.permit_number:
        raise ValidationError(
            {"permit_number": _("An operating unit needs its operating permit number.")}
        )
    if enterprise.permit_date is not None:
        _check_date("permit_date", enterprise.permit_date)
    if judged:
        # The values were judged field by field by the caller against the same rules (a
        # bulk import's dry run, ``imports.checks``: identifiers by ``clean_digits`` and
        # the check digit, lengths cut to each column's limit, digits, dates, known codes
        # and statuses): only what is derived from them is validated again, not the
        # unit's ~35 fields (a third of a new unit's cost).
        enterprise.clean_fields(exclude=_NOT_DERIVED)
        return
    if validate_unique:
        enterprise.full_clean(exclude=["owners"], validate_unique=True)
        return
    # Many units at once (``enterprises_create_batch``): no query per unit. The caller
    # judges the national IDs (unique) of all of them together; the foreign keys name rows
    # the caller read (and the database refuses a missing one); the one constraint
    # (progress ≤ 100) is also a field validator.
    enterprise.full_clean(
        exclude=_BATCH_UNCHECKED, validate_unique=False, validate_constraints=False
    )


_FIELDS = Enterprise._meta.concrete_fields
_DEFAULTS = [f.get_default() for f in _FIELDS]  # each a constant (no callable default)
_RELATED: list[tuple[int, models.ForeignKey[Any, Any], type[models.Model]]] = [
    (i, f, f.related_model) for i, f in enumerate(_FIELDS) if isinstance(f, models.ForeignKey)
]


def _unit(values: dict[str, Any]) -> Enterprise:
    """``Enterprise(**values)`` (a related row given as itself, kept as its instance's
    cache), built from the fields' values in order: Django's positional form, several
    times quicker than naming every field (a bulk import builds a hundred thousand)."""
    args = [values.get(f.name, default) for f, default in zip(_FIELDS, _DEFAULTS, strict=True)]
    related = []
    for index, field, model in _RELATED:
        obj = args[index]
        if obj is not None:
            if not isinstance(obj, model):
                raise TypeError(f"{field.name} must be a {model.__name__}")
            args[index] = obj.pk
        related.append((field, obj))
    enterprise = Enterprise(*args)
    for field, obj in related:
        field.set_cached_value(enterprise, obj)
    return enterprise


def _new_enterprise(
    *,
    data: dict[str, Any],
    province: Province,
    park: Park | None,
    status: str,
    status_date: dt.date,
    validate_unique: bool = True,
    judged: bool = False,
) -> Enterprise:
    """A new unit judged as ``enterprise_create`` judges it, not saved yet (``judged``:
    its values were judged field by field already, see ``_full_clean``)."""
    _check_location(province, park)
    if status not in TRANSITIONS:
        raise ValidationError({"status": _("Choose a valid status.")})
    _check_date("status_date", status_date)
    enterprise = _unit(
        {
            **{k: v for k, v in data.items() if k in PROFILE_FIELDS},
            "province": province,
            "park": park,
            "status": status,
            "status_since": status_date,
        }
    )
    if status in OPERATING and not enterprise.permit_number:
        raise ValidationError(
            {"permit_number": _("An operating unit needs its operating permit number.")}
        )
    _check_operating_after_permit("status_date", status, status_date, enterprise.permit_date)
    _full_clean(enterprise, validate_unique=validate_unique, judged=judged)
    return enterprise


@transaction.atomic
def enterprise_create(
    *,
    actor: Any,
    data: dict[str, Any],
    province: Province,
    park: Park | None,
    status: str,
    status_date: dt.date,
    reason: str,
) -> Enterprise:
    """Register an enterprise with its first status and location (both dated)."""
    enterprise = _new_enterprise(
        data=data, province=province, park=park, status=status, status_date=status_date
    )
    enterprise.save()
    status_event = StatusEvent.objects.create(
        enterprise=enterprise,
        date=status_date,
        from_status="",
        to_status=status,
        reason=reason or _("Registered"),
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    location_event = LocationEvent.objects.create(
        enterprise=enterprise,
        date=status_date,
        province=province,
        park=park,
        reason=reason or _("Registered"),
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    MeasureEvent.objects.create(
        enterprise=enterprise,
        date=status_date,
        employees=enterprise.employees,
        construction_progress=enterprise.construction_progress,
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="create",
        target=enterprise,
        changes=diff({}, snapshot(enterprise, AUDITED_FIELDS)),
    )
    publish(
        UnitCreated(
            enterprise_id=enterprise.pk,
            status_event_id=status_event.pk,
            location_event_id=location_event.pk,
            status=status,
            province_id=province.pk,
            park_id=park.pk if park else None,
            date=status_date,
        )
    )
    return enterprise


@dataclass(frozen=True)
class NewUnit:
    """One unit for ``enterprises_create_batch``: what ``enterprise_create`` is given."""

    data: dict[str, Any]
    province: Province
    park: Park | None
    status: str
    status_date: dt.date
    reason: str


class UnitRefused(ValidationError):
    """``enterprises_create_batch`` refused the unit at ``index`` (``error``: why, as
    ``enterprise_create`` would have said it); nothing of the batch was written."""

    def __init__(self, index: int, error: ValidationError) -> None:
        super().__init__(error.message_dict if hasattr(error, "error_dict") else error.messages)
        self.index, self.error = index, error


@dataclass(frozen=True)
class PreparedUnits:
    """New units judged by ``enterprises_prepare_batch``, not saved yet: the units as
    given, each as an ``Enterprise`` and the changes of its ``create`` audit record."""

    units: Sequence[NewUnit]
    enterprises: list[Enterprise]
    changes: list[dict[str, list[Any]]]


def enterprises_prepare_batch(units: Sequence[NewUnit], *, judged: bool = False) -> PreparedUnits:
    """What ``enterprises_create_batch`` does before it writes, without a query: each unit
    judged by the rules of ``enterprise_create`` (``UnitRefused`` with its index), no
    national ID twice in the batch, and the changes of each unit's ``create`` audit record.
    Reading nothing, it can run while the database writes an earlier batch (a bulk import
    prepares batch N+1 while batch N is written: ``imports.services``). ``judged``: see
    ``enterprises_create_batch``."""
    prepared: list[Enterprise] = []
    for index, unit in enumerate(units):
        try:
            prepared.append(
                _new_enterprise(
                    data=unit.data,
                    province=unit.province,
                    park=unit.park,
                    status=unit.status,
                    status_date=unit.status_date,
                    validate_unique=False,
                    judged=judged,
                )
            )
        except ValidationError as error:
            raise UnitRefused(index, error) from error
    _check_batch_legal_ids(prepared)
    related: dict[tuple[type, Any], dict[str, Any]] = {}  # the batch's parks, provinces…
    changes = [diff({}, snapshot(e, AUDITED_FIELDS, related)) for e in prepared]
    return PreparedUnits(units, prepared, changes)


@transaction.atomic
def enterprises_create_batch(
    *,
    actor: Any,
    units: Sequence[NewUnit] = (),
    judged: bool = False,
    prepared: PreparedUnits | None = None,
) -> list[Enterprise]:
    """Register many units at once, as ``enterprise_create`` registers one: each judged by
    the same rules, then the units, their first status and location events (dated) and a
    ``create`` audit record each written in bulk (a few statements per batch, not several
    per unit), and one ``UnitsCreated`` event for the batch (the indicators' facts add the
    batch's contribution in the same transaction). A refused unit raises ``UnitRefused``
    with its index, and nothing of the batch is written. Returns the units, saved, in
    order. For a bulk import: batches of a thousand units keep the statements short.
    ``judged``: the caller has judged each unit's values field by field against the same
    rules (the import's dry run): they are not validated again, only what the registry
    derives from them (``_full_clean``); every rule of the service still applies.
    ``prepared``: the units judged already by ``enterprises_prepare_batch`` (``units``
    and ``judged`` are then not used); what needs the database (no national ID taken by a
    unit already) is judged here."""
    if prepared is None:
        prepared = enterprises_prepare_batch(units, judged=judged)
    units = prepared.units
    _check_taken_legal_ids(prepared.enterprises)
    if not prepared.enterprises:
        return []
    written = prepared.enterprises
    bulk_insert(Enterprise, written)
    author = actor.pk if getattr(actor, "is_authenticated", False) else None
    status_events = [
        {
            "enterprise_id": enterprise.pk,
            "date": unit.status_date,
            "from_status": "",
            "to_status": unit.status,
            "reason": unit.reason or _("Registered"),
            "author_id": author,
        }
        for enterprise, unit in zip(written, units, strict=True)
    ]
    status_ids = bulk_insert_values(StatusEvent, status_events)
    location_events = [
        {
            "enterprise_id": enterprise.pk,
            "date": unit.status_date,
            "province_id": unit.province.pk,
            "park_id": unit.park.pk if unit.park else None,
            "reason": unit.reason or _("Registered"),
            "author_id": author,
        }
        for enterprise, unit in zip(written, units, strict=True)
    ]
    location_ids = bulk_insert_values(LocationEvent, location_events)
    measure_ids = bulk_insert_values(
        MeasureEvent,
        [
            {
                "enterprise_id": enterprise.pk,
                "date": unit.status_date,
                "employees": enterprise.employees,
                "construction_progress": enterprise.construction_progress,
                "author_id": author,
            }
            for enterprise, unit in zip(written, units, strict=True)
        ],
    )
    audit_record_many(
        actor=actor,
        entries=[
            AuditEntry(action="create", target=enterprise, changes=changes)
            for enterprise, changes in zip(written, prepared.changes, strict=True)
        ],
    )
    publish(
        UnitsCreated(
            enterprise_ids=tuple(e.pk for e in written),
            province_ids=tuple(sorted({u.province.pk for u in units})),
            histories=tuple(
                (
                    {
                        "id": e.pk,
                        "industry_group_id": e.industry_group_id,
                        "permit_date": e.permit_date,
                    },
                    [(unit.status_date, status_id, "", unit.status)],
                    [(unit.status_date, location_id, unit.province.pk, e.park_id)],
                    [(unit.status_date, measure_id, e.employees, e.construction_progress)],
                )
                for e, unit, status_id, location_id, measure_id in zip(
                    written, units, status_ids, location_ids, measure_ids, strict=True
                )
            ),
        )
    )
    return written


def _check_batch_legal_ids(units: list[Enterprise]) -> None:
    """No national ID twice in a batch, refused as ``enterprise_create``'s form refuses
    it (at the later unit)."""
    seen: set[str] = set()
    for index, unit in enumerate(units):
        if unit.legal_id is None:
            continue
        if unit.legal_id in seen:
            raise UnitRefused(index, _duplicate_legal_id())
        seen.add(unit.legal_id)


def _check_taken_legal_ids(units: list[Enterprise]) -> None:
    """No national ID of a batch held by a unit already (one query), refused as
    ``enterprise_create``'s form refuses it (at the first such unit)."""
    index = {unit.legal_id: n for n, unit in enumerate(units) if unit.legal_id is not None}
    taken = set(
        Enterprise.objects.filter(legal_id__in=list(index)).values_list("legal_id", flat=True)
    )
    if taken:
        raise UnitRefused(min(index[code] for code in taken if code), _duplicate_legal_id())


def _duplicate_legal_id() -> ValidationError:
    return ValidationError(
        {"legal_id": Enterprise().unique_error_message(Enterprise, ("legal_id",))}
    )


@dataclass(frozen=True)
class UnitUpdate:
    """One known unit for ``enterprises_update_batch``: the profile fields to set (``data``,
    as ``enterprise_update`` is given them), where it stands (moved when it differs, dated
    ``date`` or today) and its status (changed when given and different, dated ``date``)."""

    enterprise_id: int
    data: dict[str, Any]
    province: Province
    park: Park | None
    status: str
    date: dt.date | None
    reason: str


@transaction.atomic
def enterprises_update_batch(*, actor: Any, updates: Sequence[UnitUpdate]) -> None:
    """Update many known units at once, as ``enterprise_update``, ``enterprise_move`` and
    ``enterprise_change_status`` update one (in that order, by the same rules): the units
    locked and read together, each judged, then the units, their new dated status and
    location events, the closing of the places they left and an audit record per change
    (``update``, ``move``, ``status``) written in bulk — a few statements per batch, not
    several per unit — and one ``UnitsUpdated`` event for the batch (the indicators' facts
    follow it in the transaction). A refused unit raises ``UnitRefused`` with its index, and
    nothing of the batch is written. For a bulk import."""
    if not updates:
        return
    ids = [u.enterprise_id for u in updates]
    units = {
        e.pk: e
        for e in Enterprise.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("province", "park", "isic_division", "industry_group")
        .order_by("pk")
    }
    started = dict(
        StatusEvent.objects.filter(enterprise_id__in=ids, to_status__in=OPERATING)
        .values("enterprise_id")
        .annotate(first=Min("date"))
        .values_list("enterprise_id", "first")
    )
    last_place: dict[int, tuple[dt.date, int]] = {}
    for pk, date, event_id in (
        LocationEvent.objects.filter(enterprise_id__in=ids)
        .order_by("enterprise_id", "date", "id")
        .values_list("enterprise_id", "date", "id")
    ):
        last_place[pk] = (date, event_id)
    author = actor.pk if getattr(actor, "is_authenticated", False) else None
    written: list[Enterprise] = []
    audits: list[AuditEntry] = []
    status_rows: list[dict[str, Any]] = []
    location_rows: list[dict[str, Any]] = []
    measure_rows: list[dict[str, Any]] = []
    closed: list[LocationEvent] = []
    changes: list[tuple[int, dict[str, tuple[Any, Any]]]] = []
    provinces: set[int] = set()
    fields: set[str] = set()
    for index, update in enumerate(updates):
        unit = units[update.enterprise_id]
        provinces.add(unit.province_id)
        measured = (unit.employees, unit.construction_progress)
        try:
            profile = _profile_update(unit, update, started.get(unit.pk))
            moved = _batch_move(unit, update, last_place.get(unit.pk))
            status = _batch_status(unit, update)
        except ValidationError as error:
            raise UnitRefused(index, error) from error
        if profile is not None:
            audit_changes, values = profile
            audits.append(AuditEntry(action="update", target=unit, changes=audit_changes))
            changes.append((unit.pk, values))
            fields.update(f for f in update.data if f in PROFILE_FIELDS)
            fields.update((*DERIVED_FIELDS, "version"))
            now_measured = (unit.employees, unit.construction_progress)
            if now_measured != measured:
                # As ``enterprise_update`` records them: a dated ``MeasureEvent`` of today
                # holding what changed (the file states the values as they are now).
                employees, progress = _measured_change(measured, now_measured)
                measure_rows.append(
                    {
                        "enterprise_id": unit.pk,
                        "date": today(),
                        "employees": employees,
                        "construction_progress": progress,
                        "author_id": author,
                    }
                )
        if moved is not None:
            before, last = moved
            if last is not None:
                closed.append(LocationEvent(pk=last[1], valid_until=update.date or today()))
            location_rows.append(
                {
                    "enterprise_id": unit.pk,
                    "date": update.date or today(),
                    "province_id": update.province.pk,
                    "park_id": update.park.pk if update.park else None,
                    "reason": (update.reason or "").strip(),
                    "author_id": author,
                }
            )
            audits.append(
                _event_audit(
                    "move",
                    unit,
                    diff(before, snapshot(unit, ("province", "park"))),
                    (update.reason or "").strip(),
                )
            )
            provinces.add(update.province.pk)
            fields.update(("province", "park"))
        if status is not None:
            status_rows.append(
                {
                    "enterprise_id": unit.pk,
                    "date": update.date,
                    "from_status": status,
                    "to_status": unit.status,
                    "reason": update.reason.strip(),
                    "author_id": author,
                }
            )
            audits.append(
                _event_audit(
                    "status",
                    unit,
                    {
                        "status": [status, unit.status],
                        "date": [None, unit.status_since.isoformat()],
                    },
                    update.reason.strip(),
                )
            )
            fields.update(("status", "status_since"))
        if profile is not None or moved is not None or status is not None:
            written.append(unit)
    if not written:
        return
    now = timezone.now()
    for unit in written:
        unit.updated_at = now
    bulk_update_rows(Enterprise, written, sorted({*fields, "updated_at"}))
    bulk_update_rows(LocationEvent, closed, ["valid_until"])
    status_ids = iter(bulk_insert_values(StatusEvent, status_rows))
    location_ids = iter(bulk_insert_values(LocationEvent, location_rows))
    measure_ids = tuple(bulk_insert_values(MeasureEvent, measure_rows))
    status_events = dict(zip((r["enterprise_id"] for r in status_rows), status_ids, strict=True))
    location_events = dict(
        zip((r["enterprise_id"] for r in location_rows), location_ids, strict=True)
    )
    statuses = {r["enterprise_id"]: r for r in status_rows}
    places = {r["enterprise_id"]: r for r in location_rows}
    entries = []
    for entry in audits:
        pk = entry.target.pk
        if entry.action == "status":
            row = statuses[pk]
            target: Any = StatusEvent(pk=status_events[pk], enterprise_id=pk, **_event(row))
        elif entry.action == "move":
            row = places[pk]
            target = LocationEvent(pk=location_events[pk], enterprise_id=pk, **_event(row))
        else:
            entries.append(entry)
            continue
        entries.append(
            AuditEntry(
                action=entry.action,
                target=target,
                subject=entry.subject,
                changes=entry.changes,
                note=entry.note,
            )
        )
    audit_record_many(actor=actor, entries=entries)
    publish(
        UnitsUpdated(
            enterprise_ids=tuple(u.pk for u in written),
            province_ids=tuple(sorted(provinces)),
            changes=tuple(changes),
            status_event_ids=tuple(status_events.values()),
            location_event_ids=tuple(location_events.values()),
            measure_event_ids=measure_ids,
        )
    )


def _event_audit(action: str, unit: Enterprise, changes: dict[str, Any], note: str) -> AuditEntry:
    """The audit entry of a new event of ``unit`` (its target, the unit until the event is
    written, is replaced by the event then)."""
    return AuditEntry(action=action, target=unit, subject=unit, changes=changes, note=note)


def _event(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("enterprise_id", "author_id")}


def _profile_update(
    unit: Enterprise, update: UnitUpdate, started: dt.date | None
) -> tuple[dict[str, Any], dict[str, tuple[Any, Any]]] | None:
    """``enterprise_update``'s rules and changes for one unit of a batch: (the audit's
    changes, what ``UnitChanged`` would report), or None when nothing changed."""
    names = [name for name in update.data if name in PROFILE_FIELDS and name != "legal_id"]
    if not names:
        return None
    before = snapshot(unit, AUDITED_FIELDS)
    before_permit = unit.permit_date
    values = _values(unit)
    for name in names:
        setattr(unit, name, update.data[name])
    if unit.permit_date is not None and unit.permit_date != before_permit:
        _check_permit_before(unit.permit_date, started)
    # The national ID is the one the unit was matched by (unchanged): nothing to query.
    _full_clean(unit, validate_unique=False)
    changes = diff(before, snapshot(unit, AUDITED_FIELDS))
    if not changes:
        return None
    unit.version += 1
    after = _values(unit)
    return changes, {n: (values[n], after[n]) for n in after if values[n] != after[n]}


def _batch_move(
    unit: Enterprise, update: UnitUpdate, last: tuple[dt.date, int] | None
) -> tuple[dict[str, Any], tuple[dt.date, int] | None] | None:
    """``enterprise_move``'s rules for one unit of a batch, the unit moved in memory:
    (where it stood, for the audit; its last location event), or None if it stays."""
    park_id = update.park.pk if update.park else None
    if (unit.province_id, unit.park_id) == (update.province.pk, park_id):
        return None
    _check_location(update.province, update.park)
    _check_date("date", update.date or today(), not_before=last[0] if last else None)
    before = snapshot(unit, ("province", "park"))
    unit.province, unit.park = update.province, update.park
    return before, last


def _batch_status(unit: Enterprise, update: UnitUpdate) -> str | None:
    """``enterprise_change_status``'s rules for one unit of a batch, the status changed in
    memory: the status it had, or None when it keeps it."""
    current = unit.status
    if not update.status or update.status == current or update.date is None:
        return None
    _check_status_change(unit, update.status, update.date, update.reason)
    unit.status, unit.status_since = update.status, update.date
    return current


def _check_status_change(unit: Enterprise, to_status: str, date: dt.date, reason: str) -> None:
    """``enterprise_change_status``'s rules for a status other than the unit's own."""
    current = unit.status
    if to_status not in TRANSITIONS:
        raise ValidationError({"to_status": _("Choose a valid status.")})
    if to_status not in TRANSITIONS[current]:
        raise ValidationError(
            {
                "to_status": _("A unit that is %(current)s cannot become %(new)s.")
                % {"current": Status(current).label, "new": Status(to_status).label}
            }
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for this change.")})
    _check_date("date", date, not_before=unit.status_since)
    if to_status in OPERATING and not unit.permit_number:
        raise ValidationError(
            {"to_status": _("Record the operating permit before the unit starts operating.")}
        )
    _check_operating_after_permit("date", to_status, date, unit.permit_date)


@transaction.atomic
def enterprise_update(
    *,
    actor: Any,
    enterprise: Enterprise,
    data: dict[str, Any],
    fields: tuple[str, ...],
    version: int | None = None,
    measures_date: dt.date | None = None,
) -> Enterprise:
    """Change profile fields (only those in ``fields``: an owner's form passes
    ``OWNER_FIELDS``). Location and status have their own dated services; a change of
    employees or construction progress is recorded as a ``MeasureEvent`` dated
    ``measures_date`` (today when None; see ``enterprise_record_measures``).

    ``version``: the unit's version when the form was opened; if someone saved since,
    ``audit.services.StaleEdit`` is raised (with their changes) and nothing is written."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    check_version(enterprise, version)
    before = snapshot(enterprise, AUDITED_FIELDS)
    before_permit = enterprise.permit_date
    values = _values(enterprise)
    for name in fields:
        if name in data and name in PROFILE_FIELDS:
            setattr(enterprise, name, data[name])
    if enterprise.permit_date is not None and enterprise.permit_date != before_permit:
        # A permit dated after the unit started operating would contradict its history:
        # correct the history first (``status_event_correct``), then the permit.
        _check_permit_before(enterprise.permit_date, _first_operating_date(enterprise))
    _full_clean(enterprise)
    changes = diff(before, snapshot(enterprise, AUDITED_FIELDS))
    if not changes:
        return enterprise
    _record_measures(
        actor=actor,
        enterprise=enterprise,
        before=(values["employees"], values["construction_progress"]),
        date=measures_date or today(),
    )
    enterprise.version += 1
    written = [name for name in fields if name in PROFILE_FIELDS]
    enterprise.save(update_fields=[*written, *DERIVED_FIELDS, "updated_at", "version"])
    audit_record(actor=actor, action="update", target=enterprise, changes=changes)
    after = _values(enterprise)
    changed = {name: (values[name], after[name]) for name in after if values[name] != after[name]}
    if changed:
        publish(UnitChanged(enterprise_id=enterprise.pk, changes=changed))
    return enterprise


def _check_measures_date(enterprise: Enterprise, date: dt.date) -> None:
    """A change of employees or progress: not in the future, not before the unit was
    registered (its first status), not before the change recorded last."""
    _check_date("measures_date", date)
    first = enterprise.status_events.order_by("date", "id").values_list("date", flat=True)[:1]
    if first and date < first[0]:
        raise ValidationError(
            {
                "measures_date": _(
                    "The date cannot be before %(date)s, when the unit was registered."
                )
                % {"date": format_date(first[0])}
            }
        )
    last = enterprise.measure_events.order_by("-date", "-id").values_list("date", flat=True).first()
    if last is not None and date < last:
        raise ValidationError(
            {
                "measures_date": _(
                    "The date cannot be before %(date)s, the date of the previous change "
                    "of employees or progress."
                )
                % {"date": format_date(last)}
            }
        )


def _measured_change(
    before: tuple[int, int], after: tuple[int, int]
) -> tuple[int | None, int | None]:
    """A ``MeasureEvent``'s values: the new employees and progress, None for each that
    did not change."""
    return (
        after[0] if after[0] != before[0] else None,
        after[1] if after[1] != before[1] else None,
    )


def _record_measures(
    *, actor: Any, enterprise: Enterprise, before: tuple[int, int], date: dt.date
) -> MeasureEvent | None:
    """If the unit's employees or progress (already set on ``enterprise``, judged, not
    saved) differ from ``before``: the dated event, published for the facts before the
    unit's row is saved (so that they see the history change alone). The caller saves
    the unit and records the audit in the same transaction."""
    after = (enterprise.employees, enterprise.construction_progress)
    if after == before:
        return None
    _check_measures_date(enterprise, date)
    employees, progress = _measured_change(before, after)
    event = MeasureEvent.objects.create(
        enterprise=enterprise,
        date=date,
        employees=employees,
        construction_progress=progress,
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    publish(
        UnitMeasured(
            enterprise_id=enterprise.pk,
            measure_event_id=event.pk,
            date=date,
            employees=(before[0], after[0]) if after[0] != before[0] else None,
            construction_progress=(before[1], after[1]) if after[1] != before[1] else None,
        )
    )
    return event


@transaction.atomic
def enterprise_record_measures(
    *,
    actor: Any,
    enterprise: Enterprise,
    date: dt.date,
    employees: int | None = None,
    construction_progress: int | None = None,
) -> MeasureEvent | None:
    """Record that from ``date`` the unit has ``employees`` employees or is
    ``construction_progress`` per cent built (None: unchanged), and make them its current
    values. Refused: a negative or absurd number, progress outside 0–100, a date in the
    future, before the unit's registration or before the change recorded last. Audited
    as a profile edit (action "measures"). None when nothing changed."""
    _check_measures(employees, construction_progress)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    before = snapshot(enterprise, ("employees", "size_band", "construction_progress"))
    was = (enterprise.employees, enterprise.construction_progress)
    if employees is not None:
        enterprise.employees = employees
    if construction_progress is not None:
        enterprise.construction_progress = construction_progress
    enterprise.refresh_derived()
    enterprise.full_clean(
        exclude=[f.name for f in Enterprise._meta.fields if f.name not in _MEASURED],
        validate_unique=False,
        validate_constraints=False,
    )
    event = _record_measures(actor=actor, enterprise=enterprise, before=was, date=date)
    if event is None:
        return None
    enterprise.version += 1
    enterprise.save(update_fields=[*_MEASURED, "size_band", "updated_at", "version"])
    audit_record(
        actor=actor,
        action="measures",
        target=event,
        subject=enterprise,
        changes={
            **diff(
                before, snapshot(enterprise, ("employees", "size_band", "construction_progress"))
            ),
            "date": [None, date.isoformat()],
        },
    )
    publish(
        UnitChanged(
            enterprise_id=enterprise.pk,
            changes={
                name: (old, getattr(enterprise, name))
                for name, old in (
                    ("employees", was[0]),
                    ("construction_progress", was[1]),
                    ("size_band", before["size_band"]),
                )
                if old != getattr(enterprise, name)
            },
        )
    )
    return event


_MEASURED = ("employees", "construction_progress")
MAX_EMPLOYEES = 1_000_000  # the model's bound: more is a typing mistake


def _check_measures(employees: int | None, progress: int | None) -> None:
    """Refuse a negative or absurd headcount and a progress outside 0–100, with messages
    that say so (the model's validators would say "ensure this value…")."""
    errors: dict[str, str] = {}
    if employees is not None and employees < 0:
        errors["employees"] = _("The number of employees cannot be negative.")
    elif employees is not None and employees > MAX_EMPLOYEES:
        errors["employees"] = _(
            "%(n)s employees is not a plausible number for one unit (at most %(max)s)."
        ) % {"n": format_number(employees), "max": format_number(MAX_EMPLOYEES)}
    if progress is not None and not 0 <= progress <= 100:
        errors["construction_progress"] = _("Construction progress is a percentage from 0 to 100.")
    if errors:
        raise ValidationError(errors)


def _latest_status_event(enterprise: Enterprise) -> StatusEvent:
    return enterprise.status_events.order_by("-date", "-id")[0]


@transaction.atomic
def enterprise_change_status(
    *, actor: Any, enterprise: Enterprise, to_status: str, date: dt.date, reason: str
) -> StatusEvent:
    """Record a dated status change and move the current status with it.

    Refused: an unknown or unchanged status, a transition the lifecycle does not allow
    (closed is final; nothing returns to under construction), a date in the future or
    before the previous event, a missing reason, and an operating status for a unit
    without an operating permit."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    current = enterprise.status
    if to_status in TRANSITIONS and to_status == current:
        raise ValidationError(
            {"to_status": _("The unit is already %(status)s.") % {"status": Status(current).label}}
        )
    _check_status_change(enterprise, to_status, date, reason)
    event = StatusEvent.objects.create(
        enterprise=enterprise,
        date=date,
        from_status=current,
        to_status=to_status,
        reason=reason.strip(),
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    enterprise.status, enterprise.status_since = to_status, date
    enterprise.save(update_fields=["status", "status_since", "updated_at"])
    audit_record(
        actor=actor,
        action="status",
        target=event,
        subject=enterprise,
        changes={"status": [current, to_status], "date": [None, date.isoformat()]},
        note=event.reason,
    )
    publish(
        UnitStatusChanged(
            enterprise_id=enterprise.pk,
            status_event_id=event.pk,
            from_status=current,
            to_status=to_status,
            date=date,
        )
    )
    return event


@transaction.atomic
def enterprise_move(
    *,
    actor: Any,
    enterprise: Enterprise,
    province: Province,
    park: Park | None,
    date: dt.date,
    reason: str,
) -> LocationEvent:
    """Record that the unit stands in another park or province from ``date`` on."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    _check_location(province, park)
    if enterprise.province_id == province.pk and enterprise.park_id == (park.pk if park else None):
        raise ValidationError({"park": _("The unit is already there.")})
    last = enterprise.location_events.order_by("-date", "-id").first()
    _check_date("date", date, not_before=last.date if last else None)
    if last is not None:  # where it stood until now is closed on the day it moves
        last.valid_until = date
        last.save(update_fields=["valid_until"])
    event = LocationEvent.objects.create(
        enterprise=enterprise,
        date=date,
        province=province,
        park=park,
        reason=(reason or "").strip(),
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    before = snapshot(enterprise, ("province", "park"))
    was = (enterprise.province_id, enterprise.park_id)
    enterprise.province, enterprise.park = province, park
    enterprise.save(update_fields=["province", "park", "updated_at"])
    audit_record(
        actor=actor,
        action="move",
        target=event,
        subject=enterprise,
        changes=diff(before, snapshot(enterprise, ("province", "park"))),
        note=event.reason,
    )
    publish(
        UnitMoved(
            enterprise_id=enterprise.pk,
            location_event_id=event.pk,
            from_province_id=was[0],
            from_park_id=was[1],
            province_id=province.pk,
            park_id=park.pk if park else None,
            date=date,
        )
    )
    return event


def _sync_current_status(enterprise: Enterprise) -> None:
    latest = _latest_status_event(enterprise)
    enterprise.status, enterprise.status_since = latest.to_status, latest.date
    enterprise.save(update_fields=["status", "status_since", "updated_at"])


@transaction.atomic
def status_event_correct(
    *, actor: Any, event: StatusEvent, date: dt.date, reason: str, note: str
) -> StatusEvent:
    """Correct the date or reason of a recorded event (a typing mistake), keeping the
    history in order. Audited with the correction's own note."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the history is being corrected.")})
    enterprise = Enterprise.objects.select_for_update().get(pk=event.enterprise_id)
    events = list(enterprise.status_events.order_by("date", "id"))
    index = next(i for i, e in enumerate(events) if e.pk == event.pk)
    earlier = events[index - 1].date if index > 0 else None
    later = events[index + 1].date if index + 1 < len(events) else None
    _check_date("date", date, not_before=earlier)
    if later is not None and date > later:
        raise ValidationError(
            {
                "date": _("The date cannot be after %(date)s, the date of the next event.")
                % {"date": format_date(later)}
            }
        )
    event = events[index]
    if date != event.date:
        _check_operating_after_permit("date", event.to_status, date, enterprise.permit_date)
    before = snapshot(event, ("date", "reason"))
    was = (event.date, event.reason)
    event.date, event.reason = date, (reason or "").strip() or event.reason
    event.save(update_fields=["date", "reason"])
    _sync_current_status(enterprise)
    audit_record(
        actor=actor,
        action="correct",
        target=event,
        subject=enterprise,
        changes=diff(before, snapshot(event, ("date", "reason"))),
        note=note.strip(),
    )
    publish(
        StatusEventCorrected(
            enterprise_id=enterprise.pk,
            status_event_id=event.pk,
            date_before=was[0],
            date_after=event.date,
            reason_before=was[1],
            reason_after=event.reason,
        )
    )
    return event


@transaction.atomic
def status_event_revoke_latest(*, actor: Any, enterprise: Enterprise, note: str) -> None:
    """Withdraw the latest status event (recorded by mistake); the unit returns to the
    status before it. The first event cannot be withdrawn."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the history is being corrected.")})
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    events = list(enterprise.status_events.order_by("-date", "-id")[:2])
    if len(events) < 2:
        raise ValidationError({"note": _("The first status of a unit cannot be withdrawn.")})
    latest = events[0]
    audit_record(
        actor=actor,
        action="revoke",
        target=latest,
        subject=enterprise,
        changes={
            "status": [latest.to_status, latest.from_status],
            "date": [latest.date.isoformat(), None],
        },
        note=note.strip(),
    )
    withdrawn = StatusEventWithdrawn(
        enterprise_id=enterprise.pk,
        status_event_id=latest.pk,
        from_status=latest.from_status,
        to_status=latest.to_status,
        date=latest.date,
    )
    latest.delete()
    _sync_current_status(enterprise)
    publish(withdrawn)


def enterprise_owners(enterprise: Enterprise) -> list[Any]:
    """The people holding an owner grant over the unit today."""
    ids = Grant.objects.live().filter(
        role=Role.ENTERPRISE_OWNER, place_kind="enterprise", place_id=enterprise.pk
    )
    return list(User.objects.filter(pk__in=ids.values("user_id")).order_by("pk"))


@transaction.atomic
def enterprise_set_owners(*, actor: Any, enterprise: Enterprise, owners: list[Any]) -> None:
    """Make ``owners`` exactly the people holding an owner grant over the unit: grants
    given to the new ones and withdrawn from the others (``accounts.services``, audited
    under each person), and one "owners" record in the unit's own history."""
    current = Grant.objects.live().filter(
        role=Role.ENTERPRISE_OWNER, place_kind="enterprise", place_id=enterprise.pk
    )
    before = sorted({g.user_id for g in current})
    after = sorted({u.pk for u in owners})
    for grant in current:
        if grant.user_id not in after:
            grant_withdraw(actor=actor, grant=grant)
    for person in owners:
        if person.pk not in before:
            grant_give(actor=actor, person=person, role=Role.ENTERPRISE_OWNER,
                       place_id=enterprise.pk)  # fmt: skip
    if before != after:
        audit_record(actor=actor, action="owners", target=enterprise,
                     changes={"owners": [before, after]})  # fmt: skip
        publish(
            OwnersChanged(enterprise_id=enterprise.pk, before=tuple(before), after=tuple(after))
        )


def location_events_close() -> int:
    """Fill every location event's ``valid_until`` (the date of the unit's next one) from
    the history itself: after writes that bypass ``enterprise_move`` (the demo's and the
    benchmark's bulk COPY) and in the migration that added the column. Returns the rows
    changed. PostgreSQL and SQLite (3.33+: window functions, UPDATE … FROM)."""
    sql = """
        UPDATE enterprises_locationevent SET valid_until = nxt.until
        FROM (SELECT id, LEAD(date) OVER (PARTITION BY enterprise_id ORDER BY date, id) AS until
              FROM enterprises_locationevent) AS nxt
        WHERE nxt.id = enterprises_locationevent.id
          AND (enterprises_locationevent.valid_until IS NOT nxt.until)"""
    if connection.vendor == "postgresql":
        sql = sql.replace("IS NOT nxt.until", "IS DISTINCT FROM nxt.until")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount
