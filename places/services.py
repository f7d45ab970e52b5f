"""Writes to parks and zones: validated, saved and audited in one transaction, then
announced (``park.saved``: the figures shown with parks are refreshed once it commits)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import audit_record, diff, snapshot
from pishran.events import publish

from .events import ParkSaved
from .models import Park

PARK_FIELDS = (
    "name",
    "province",
    "kind",
    "ownership",
    "specialty",
    "area_ha",
    "established_on",
    "is_active",
    "latitude",
    "longitude",
    "plots_total",
    "plots_allocated",
)


@transaction.atomic
def park_create(*, actor: Any, data: dict[str, Any]) -> Park:
    park = Park(**{k: v for k, v in data.items() if k in PARK_FIELDS})
    park.full_clean()
    park.save()
    changes = diff({}, snapshot(park, PARK_FIELDS))
    audit_record(actor=actor, action="create", target=park, changes=changes)
    publish(
        ParkSaved(
            park_id=park.pk, province_id=park.province_id, created=True, changed=tuple(changes)
        )
    )
    return park


@transaction.atomic
def park_update(
    *, actor: Any, park: Park, data: dict[str, Any], fields: tuple[str, ...] = PARK_FIELDS
) -> Park:
    park = Park.objects.select_for_update().get(pk=park.pk)
    before = snapshot(park, PARK_FIELDS)
    for name in fields:
        if name in data and name in PARK_FIELDS:
            setattr(park, name, data[name])
    park.full_clean()
    changes = diff(before, snapshot(park, PARK_FIELDS))
    if changes:
        park.save()
        audit_record(actor=actor, action="update", target=park, changes=changes)
        publish(
            ParkSaved(
                park_id=park.pk, province_id=park.province_id, created=False, changed=tuple(changes)
            )
        )
    return park
