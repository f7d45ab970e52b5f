"""Writes to targets: validated, saved and audited in one transaction (the admin's audited
forms are the other way in; both check the same model rules)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from audit.services import audit_record, diff, snapshot
from pishran.events import publish
from places.models import Province

from .events import TargetDeleted, TargetSaved
from .models import Indicator, Target

TARGET_FIELDS = ("indicator", "province", "year", "value")


@transaction.atomic
def target_set(
    *,
    actor: Any,
    indicator: Indicator,
    year: int,
    value: Decimal | int | str,
    province: Province | None = None,
) -> Target:
    """The target of an indicator for a Jalali year, for the country (no province) or one
    province: created, or its value changed (one target per indicator, place and year)."""
    target = (
        Target.objects.select_for_update()
        .filter(indicator=indicator, province=province, year=year)
        .first()
    )
    before = snapshot(target, TARGET_FIELDS) if target else {}
    if target is None:
        target = Target(indicator=indicator, province=province, year=year)
    try:
        number = Decimal(value)
        cents = number.quantize(Decimal("0.01"))
        # Two decimals as stored (2000 and 2000.00 are the same target, not a change); more
        # are left for the model's check to refuse, not rounded away.
        target.value = cents if cents == number else number
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            {
                "value": ValidationError(
                    models.DecimalField.default_error_messages["invalid"],
                    code="invalid",
                    params={"value": value},
                )
            }
        ) from None
    target.full_clean()
    changes = diff(before, snapshot(target, TARGET_FIELDS))
    if changes:
        target.save()
        audit_record(
            actor=actor, action="update" if before else "create", target=target, changes=changes
        )
        publish(
            TargetSaved(
                target_id=target.pk,
                indicator_id=target.indicator_id,
                province_id=target.province_id,
                year=target.year,
                created=not before,
            )
        )
    return target


@transaction.atomic
def target_delete(*, actor: Any, target: Target) -> None:
    """Remove a target, audited (the demo resets its targets with it; the admin deletes none)."""
    audit_record(
        actor=actor,
        action="delete",
        target=target,
        changes=diff(snapshot(target, TARGET_FIELDS), {}),
    )
    deleted = TargetDeleted(
        target_id=target.pk,
        indicator_id=target.indicator_id,
        province_id=target.province_id,
        year=target.year,
    )
    target.delete()
    publish(deleted)


@transaction.atomic  # all of an indicator's targets for the year, or none of them
def targets_set(
    *,
    actor: Any,
    indicator: Indicator,
    year: int,
    values: dict[Province | None, Decimal | None],
) -> int:
    """An indicator's targets for a Jalali year, by place (None: the country): a value
    sets the place's target, None removes it. Each change audited; returns how many
    places changed. One refused value refuses them all."""
    existing = {t.province_id: t for t in Target.objects.filter(indicator=indicator, year=year)}
    changed = 0
    for province, value in values.items():
        target = existing.get(province.pk if province else None)
        if value is None:
            if target is not None:
                target_delete(actor=actor, target=target)
                changed += 1
            continue
        if target is not None and target.value == value:
            continue
        target_set(actor=actor, indicator=indicator, year=year, value=value, province=province)
        changed += 1
    return changed
