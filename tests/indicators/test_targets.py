"""Targets: set through the service (validated, audited) and the demo's targets, which
project each province's pace and add up to the country's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from audit.models import AuditRecord
from demo.targets import seed_targets
from enterprises import services
from enterprises.models import Status
from indicators import facts
from indicators.catalogue import load_indicators
from indicators.models import Indicator, Target
from indicators.services import target_set
from persian.jalali import today, year_bounds, year_of
from tests.factories import make_enterprise


def _audit(target: Target) -> list[tuple[str, dict]]:
    return [
        (r.action, r.changes)
        for r in AuditRecord.objects.filter(
            target_type__model="target", target_id=str(target.pk)
        ).order_by("pk")
    ]


def test_a_target_is_created_then_changed_and_each_write_is_audited(
    reference, national_admin
) -> None:
    load_indicators()
    revived = Indicator.objects.get(key="revived")

    first = target_set(actor=national_admin, indicator=revived, year=1402, value=2000)
    again = target_set(actor=national_admin, indicator=revived, year=1402, value=2000)
    changed = target_set(
        actor=national_admin, indicator=revived, year=1402, value=2500, province=None
    )
    qom = target_set(
        actor=national_admin, indicator=revived, year=1402, value=300, province=reference.qom
    )

    assert first.pk == again.pk == changed.pk != qom.pk
    assert Target.objects.get(pk=first.pk).value == Decimal(2500)
    actions = _audit(first)
    assert [a for a, _c in actions] == ["create", "update"]  # the unchanged write is not one
    assert actions[1][1] == {"value": ["2000.00", "2500.00"]}


@pytest.mark.parametrize(
    ("year", "value", "field"),
    [
        (1250, 10, "year"),  # not a year of this registry's calendar
        (2024, 10, "year"),  # a Gregorian year typed by mistake
        (1403, -5, "value"),
        (1403, "دو هزار", "value"),  # not a number
        (1403, "2000.005", "value"),  # more decimals than kept: refused, not rounded away
    ],
)
def test_a_target_out_of_range_is_refused_and_nothing_is_saved(
    reference, national_admin, year, value, field
) -> None:
    load_indicators()
    permits = Indicator.objects.get(key="permits")

    with pytest.raises(ValidationError) as refused:
        target_set(actor=national_admin, indicator=permits, year=year, value=value)

    assert field in refused.value.message_dict
    assert not Target.objects.exists()
    assert not AuditRecord.objects.filter(target_type__model="target").exists()


@pytest.fixture
def two_years(reference):
    """Two Jalali years before this one: three idle units in Qom and one active in Tehran
    from the first; in the second, two of Qom's revived and a new active unit in Tehran
    with its operating permit. Every unit has 10 employees."""
    load_indicators()
    last = year_of(today()) - 1
    earlier_start, _ = year_bounds(last - 1)
    last_start, _ = year_bounds(last)
    idle = [
        make_enterprise(
            province=reference.qom,
            status=Status.IDLE,
            employees=10,
            status_date=earlier_start + dt.timedelta(days=10),
        )
        for _ in range(3)
    ]
    make_enterprise(
        province=reference.tehran, employees=10, status_date=earlier_start + dt.timedelta(days=10)
    )
    for unit in idle[:2]:
        services.enterprise_change_status(
            actor=None,
            enterprise=unit,
            to_status=Status.ACTIVE,
            date=last_start + dt.timedelta(days=20),
            reason="احیا با کمک کلینیک",
        )
    make_enterprise(
        province=reference.tehran,
        employees=10,
        status_date=last_start + dt.timedelta(days=40),
        permit_date=last_start + dt.timedelta(days=40),
    )
    facts.rebuild()
    return last


def _targets(year: int, key: str) -> dict[str, Decimal]:
    return {
        t.province.code if t.province else "country": t.value
        for t in Target.objects.filter(year=year, indicator__key=key).select_related("province")
    }


def test_the_demo_targets_grow_each_provinces_year_and_add_up_to_the_country(
    reference, two_years
) -> None:
    year = two_years  # a whole year past: its pace is its total

    seed_targets(year)

    # flows: the year's count × the ambition (revivals 1.25, permits 1.10), halves rounded up
    assert _targets(year, "revived") == {"IR-25": 3, "country": 3}  # 2 × 1.25
    assert _targets(year, "permits") == {"IR-23": 1, "country": 1}  # 1 × 1.10
    # stocks: the value when the year began + the year's gain × 1.05
    assert _targets(year, "units-active") == {"IR-25": 2, "IR-23": 2, "country": 4}
    # operating jobs: Qom held 30 (revived units were operating already), Tehran 10 → 20
    assert _targets(year, "jobs") == {"IR-25": 30, "IR-23": 21, "country": 51}
    assert _targets(year, "clusters-completed-in-period") == {}  # nothing to grow from
    assert AuditRecord.objects.filter(target_type__model="target", action="create").count() == 10


def test_the_demo_targets_command_changes_nothing_when_the_year_has_targets(
    reference, two_years, capsys
) -> None:
    year = two_years
    kept = target_set(
        actor=None, indicator=Indicator.objects.get(key="revived"), year=year, value=2000
    )

    call_command("seed_targets", year=year)
    assert "1 targets exist" in capsys.readouterr().out
    assert list(Target.objects.all()) == [kept] and kept.value == 2000

    call_command("seed_targets", year=year, force=True)
    assert _targets(year, "revived") == {"IR-25": 3, "country": 3}


def test_the_demo_targets_need_the_facts_and_a_jalali_year(reference) -> None:
    load_indicators()
    with pytest.raises(CommandError, match="rebuild_facts"):
        call_command("seed_targets")
    with pytest.raises(CommandError, match="not a Jalali year"):
        call_command("seed_targets", year=2025)
