"""Employees and construction progress as a dated history: every path that changes them
records a ``MeasureEvent`` (date, who), the unit's current values stay the latest, and bad
input is refused with a precise message, nothing saved."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from audit.services import history_of
from enterprises import services
from enterprises.models import MeasureEvent, Status
from persian.jalali import format_date, parse, today
from tests.factories import days_ago, make_enterprise, reload, row_counts
from tests.views_helpers import field_error_text, page, profile_post_data, registry_state

pytestmark = pytest.mark.django_db


def events(unit) -> list[tuple]:
    return list(
        unit.measure_events.order_by("date", "id").values_list(
            "date", "employees", "construction_progress"
        )
    )


def test_a_new_unit_starts_its_history_on_its_registration_day(reference, officer_a) -> None:
    unit = make_enterprise(
        actor=officer_a,
        status=Status.UNDER_CONSTRUCTION,
        status_date=parse("1401/03/01"),
        employees=12,
        construction_progress=40,
    )

    assert events(unit) == [(parse("1401/03/01"), 12, 40)]
    assert unit.measure_events.get().author == officer_a


def test_a_batch_of_new_units_starts_their_histories_too(reference, officer_a) -> None:
    day = parse("1402/01/20")
    units = services.enterprises_create_batch(
        actor=officer_a,
        units=[
            services.NewUnit(
                data={
                    "name": f"واحد {n}",
                    "isic_division": reference.isic,
                    "industry_group": reference.group,
                    "employees": 5 + n,
                    "construction_progress": 100,
                    "permit_number": f"12-{n}",
                },
                province=reference.qom,
                park=None,
                status=Status.ACTIVE,
                status_date=day,
                reason="",
            )
            for n in range(3)
        ],
    )

    assert [events(u) for u in units] == [[(day, 5 + n, 100)] for n in range(3)]


def test_a_profile_edit_records_the_change_dated_today_and_audited(reference, officer_a) -> None:
    unit = make_enterprise(employees=12, status_date=days_ago(300))

    services.enterprise_update(
        actor=officer_a, enterprise=unit, data={"employees": 60}, fields=("employees",)
    )

    assert events(unit)[-1] == (today(), 60, None)
    assert unit.measure_events.order_by("-id")[0].author == officer_a
    fresh = reload(unit)
    assert (fresh.employees, fresh.size_band) == (60, "medium")
    assert history_of(fresh).get(action="update").changes["employees"] == [12, 60]


def test_a_change_dated_in_the_past_is_recorded_on_its_date(reference, officer_a) -> None:
    unit = make_enterprise(employees=12, construction_progress=100, status_date=days_ago(900))

    services.enterprise_record_measures(
        actor=officer_a, enterprise=unit, date=days_ago(400), employees=30
    )
    services.enterprise_record_measures(
        actor=officer_a, enterprise=unit, date=days_ago(100), employees=25
    )

    assert events(unit) == [
        (days_ago(900), 12, 100),
        (days_ago(400), 30, None),
        (days_ago(100), 25, None),
    ]
    assert reload(unit).employees == 25
    record = history_of(unit).filter(action="measures").first()
    assert record is not None and record.actor == officer_a


def test_the_edit_form_takes_the_date_of_the_change_in_jalali(
    reference, officer_a, client_for
) -> None:
    unit = make_enterprise(park=reference.park_p, employees=12, status_date=days_ago(900))
    day = days_ago(30)

    response = client_for(officer_a).post(
        reverse("enterprise_edit", args=[unit.pk]),
        {**profile_post_data(unit, employees="۴۰"), "measures_date": format_date(day)},
    )

    assert response.status_code == 302
    assert events(unit)[-1] == (day, 40, None)
    detail = page(client_for(officer_a).get(unit.get_absolute_url()))
    assert 'data-testid="measures"' in detail
    assert format_date(day) in detail


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"measures_date": "1402/12/30"}, "measures_date"),  # 1402 is not a leap year
        ({"employees": "-3"}, "employees"),
        ({"employees": "2000000"}, "employees"),
        ({"construction_progress": "101"}, "construction_progress"),
    ],
)
def test_a_bad_change_in_the_form_is_refused_on_its_field_and_saves_nothing(
    reference, officer_a, client_for, typed, field
) -> None:
    unit = make_enterprise(park=reference.park_p, employees=12, status_date=days_ago(900))
    before = registry_state()

    response = client_for(officer_a).post(
        reverse("enterprise_edit", args=[unit.pk]),
        {**profile_post_data(unit, employees="۴۰"), **typed},
    )

    assert response.status_code == 200
    assert field_error_text(response, field).strip()
    assert registry_state() == before


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"employees": -1}, "employees", "منفی"),
        ({"employees": 1_000_001}, "employees", "۱٬۰۰۰٬۰۰۱"),
        ({"construction_progress": 101}, "construction_progress", "۱۰۰"),
        ({"employees": 40, "date": today() + dt.timedelta(days=1)}, "measures_date", "آینده"),
        ({"employees": 40, "date": parse("1399/01/01")}, "measures_date", "ثبت"),
    ],
)
def test_bad_values_or_dates_are_refused_with_a_persian_message(
    reference, officer_a, values, field, words
) -> None:
    unit = make_enterprise(employees=12, status_date=parse("1400/01/01"))
    before = row_counts()
    date = values.pop("date", days_ago(10))

    with pytest.raises(ValidationError) as refused:
        services.enterprise_record_measures(actor=officer_a, enterprise=unit, date=date, **values)

    message = " ".join(refused.value.message_dict[field])
    assert words in message, message
    assert row_counts() == before
    assert reload(unit).employees == 12


def test_a_change_cannot_be_dated_before_the_change_recorded_last(reference, officer_a) -> None:
    unit = make_enterprise(employees=12, status_date=days_ago(900))
    services.enterprise_record_measures(
        actor=officer_a, enterprise=unit, date=days_ago(100), employees=30
    )

    with pytest.raises(ValidationError) as refused:
        services.enterprise_record_measures(
            actor=officer_a, enterprise=unit, date=days_ago(200), employees=40
        )

    assert format_date(days_ago(100)) in refused.value.message_dict["measures_date"][0]
    assert reload(unit).employees == 30


def test_the_migration_starts_every_units_history_on_its_first_status_day(reference) -> None:
    old = make_enterprise(employees=7, construction_progress=100, status_date=parse("1398/05/05"))
    services.enterprise_change_status(
        actor=None, enterprise=old, to_status=Status.IDLE, date=parse("1400/01/01"), reason="کم‌کاری"
    )
    services.enterprise_update(
        actor=None, enterprise=reload(old), data={"employees": 9}, fields=("employees",)
    )
    MeasureEvent.objects.all().delete()  # as before the migration
    migration = importlib.import_module("enterprises.migrations.0011_measure_events")

    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)

    assert events(old) == [(parse("1398/05/05"), 9, 100)]
