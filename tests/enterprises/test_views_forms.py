"""The enterprise forms through their pages, as a provincial officer of Qom uses them:
registering a unit, the inputs that are refused (each marked on its field, nothing saved),
status changes typed with Persian digits, moves, and audited corrections and withdrawals
of the history.

Messages are asserted by their field marker (``data-field-error``) and, where the text is
certain whatever the Persian catalogue says, by what the person typed or the names of
places."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from audit.services import history_of
from enterprises.models import Enterprise, Status
from enterprises.services import enterprise_change_status
from persian.text import to_persian_digits
from tests.factories import days_ago, legal_id, make_enterprise, reload, row_counts
from tests.views_helpers import (
    enterprise_create_post_data,
    field_error_text,
    field_errors,
    jalali_text,
    page,
    profile_post_data,
    registry_state,
)

CREATE = reverse("enterprise_create")


def _invalid_legal_id() -> str:
    """A national ID of 11 digits whose check digit is wrong."""
    valid = legal_id()
    return valid[:-1] + str((int(valid[-1]) + 1) % 10)


# --- registering ----------------------------------------------------------------------------


def test_registering_a_valid_unit_creates_it_with_its_first_event_and_opens_its_page(
    officer_a, client_for, reference
) -> None:
    client = client_for(officer_a)
    data = enterprise_create_post_data(
        reference.qom,
        reference.park_p,
        name="ريخته‌گري  نمونه",
        legal_id=to_persian_digits(legal_id()),
    )

    response = client.post(CREATE, data)

    assert response.status_code == 302
    unit = Enterprise.objects.get(name="ریخته‌گری نمونه")  # stored normalised
    assert response["Location"] == unit.get_absolute_url()
    assert unit.legal_id.isascii() and len(unit.legal_id) == 11
    assert (unit.province, unit.park, unit.status) == (reference.qom, reference.park_p, "active")
    assert unit.status_since == days_ago(30)
    assert list(unit.status_events.values_list("from_status", "to_status", "date")) == [
        ("", "active", days_ago(30))
    ]
    assert unit.location_events.get().park == reference.park_p
    assert history_of(unit).get().actor == officer_a
    html = page(client.get(response["Location"]))
    assert unit.name in html
    assert jalali_text(days_ago(30), persian=True) in html  # on the timeline, Persian digits


BAD_INPUTS = {
    "national ID with a wrong check digit": ("legal_id", lambda ref: _invalid_legal_id()),
    "national ID in Persian digits, wrong check digit": (
        "legal_id", lambda ref: to_persian_digits(_invalid_legal_id()),
    ),
    "national ID of 10 digits": ("legal_id", lambda ref: "۱۰۱۰۰۰۰۰۰۱"),
    "a Jalali date that does not exist": ("status_date", lambda ref: "1401/12/30"),
    "a Jalali date that does not exist, Persian digits": ("status_date", lambda ref: "۱۴۰۱/۱۲/۳۰"),
    "a date that is not a date": ("status_date", lambda ref: "دیروز"),
    "a date in the future": ("status_date", lambda ref: jalali_text(days_ago(-10))),
    "negative employees": ("employees", lambda ref: "-3"),
    "negative employees, Persian digits": ("employees", lambda ref: "-۳"),
    "progress of 101%": ("construction_progress", lambda ref: "101"),
    "progress of 101%, Persian digits": ("construction_progress", lambda ref: "۱۰۱"),
    "a park in another province": ("park", lambda ref: str(ref.park_tehran.pk)),
    "an operating unit without a permit number": ("permit_number", lambda ref: ""),
    "a business ID of 5 digits": ("business_id", lambda ref: "12345"),
    "no name": ("name", lambda ref: ""),
}  # fmt: skip


@pytest.mark.parametrize(("field", "value"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_a_bad_input_is_refused_on_its_field_and_nothing_is_saved(
    field, value, officer_a, client_for, reference
) -> None:
    typed = value(reference)
    data = enterprise_create_post_data(reference.qom, reference.park_p, **{field: typed})
    before = row_counts()

    response = client_for(officer_a).post(CREATE, data)

    assert response.status_code == 200
    assert field in field_errors(response)
    assert field_error_text(response, field)
    assert row_counts() == before


@pytest.mark.parametrize("typed", ["1401/12/30", "۱۴۰۱/۱۲/۳۰"])
def test_the_message_for_a_date_that_does_not_exist_repeats_the_date_typed(
    typed, officer_a, client_for, reference
) -> None:
    data = enterprise_create_post_data(reference.qom, None, status_date=typed)

    response = client_for(officer_a).post(CREATE, data)

    assert typed in field_error_text(response, "status_date")


def test_the_form_keeps_what_was_typed_when_it_is_refused(officer_a, client_for, reference):
    data = enterprise_create_post_data(
        reference.qom, None, name="صنایع ماندگار", employees="-1", products="پیچ و مهره"
    )

    html = page(client_for(officer_a).post(CREATE, data))

    assert 'value="صنایع ماندگار"' in html
    assert "پیچ و مهره" in html


def test_a_park_in_another_province_is_named_in_the_message(
    national_admin, client_for, reference
) -> None:
    """A national administrator may choose any park, so the service's check answers."""
    data = enterprise_create_post_data(reference.qom, reference.park_tehran)
    before = row_counts()

    response = client_for(national_admin).post(CREATE, data)

    message = field_error_text(response, "park")
    assert reference.park_tehran.name in message
    assert reference.tehran.name_fa in message and reference.qom.name_fa in message
    assert row_counts() == before


def test_a_unit_under_construction_needs_no_permit(officer_a, client_for, reference) -> None:
    data = enterprise_create_post_data(
        reference.qom, None, status="under_construction", permit_number="", name="طرح نیمه‌کاره"
    )

    response = client_for(officer_a).post(CREATE, data)

    assert response.status_code == 302
    assert Enterprise.objects.get(name="طرح نیمه‌کاره").status == Status.UNDER_CONSTRUCTION


def test_a_national_id_already_registered_is_refused(officer_a, client_for, reference) -> None:
    existing = make_enterprise(province=reference.qom)
    data = enterprise_create_post_data(reference.qom, None, legal_id=existing.legal_id)
    before = row_counts()

    response = client_for(officer_a).post(CREATE, data)

    assert "legal_id" in field_errors(response)
    assert row_counts() == before


# --- editing the profile ------------------------------------------------------------------------


@pytest.fixture
def unit(reference) -> Enterprise:
    """An active unit in park P since 200 days ago."""
    return make_enterprise(name="صنایع غذایی مهر", park=reference.park_p, status_date=days_ago(200))


def test_editing_the_profile_saves_it_and_records_who_changed_what(
    officer_a, client_for, unit
) -> None:
    response = client_for(officer_a).post(
        reverse("enterprise_edit", args=[unit.pk]),
        profile_post_data(unit, employees="۱۲۰", products="رب گوجه‌فرنگی"),
    )

    assert response.status_code == 302
    fresh = reload(unit)
    assert (fresh.employees, fresh.size_band, fresh.products) == (120, "large", "رب گوجه‌فرنگی")
    record = history_of(fresh).get(action="update")
    assert record.actor == officer_a
    assert record.changes["employees"] == [12, 120]


@pytest.mark.parametrize(
    ("field", "typed"),
    [("legal_id", "12345"), ("employees", "-5"), ("construction_progress", "101"), ("name", "")],
)
def test_a_bad_edit_is_refused_on_its_field_and_changes_nothing(
    field, typed, officer_a, client_for, unit
) -> None:
    before = registry_state()

    response = client_for(officer_a).post(
        reverse("enterprise_edit", args=[unit.pk]), profile_post_data(unit, **{field: typed})
    )

    assert response.status_code == 200
    assert field in field_errors(response)
    assert registry_state() == before


def test_a_stale_form_is_refused_and_shows_what_the_other_person_changed(
    officer_a, national_admin, client_for, unit
) -> None:
    url = reverse("enterprise_edit", args=[unit.pk])
    opened = profile_post_data(unit)  # both opened the form at the same version
    saved = client_for(national_admin).post(url, {**opened, "employees": "۱۲۰"})
    assert saved.status_code == 302
    before = registry_state()

    response = client_for(officer_a).post(url, {**opened, "products": "رب گوجه‌فرنگی"})

    assert response.status_code == 200
    assert registry_state() == before  # nothing saved: the other's 120 employees stand
    assert reload(unit).employees == 120
    html = page(response)
    assert "پس از باز کردن این فرم" in html  # the refusal, in Persian
    stale = html.split('data-testid="stale-edit"')[1].split("</div>\n</div>")[0]
    assert "کارکنان" in stale and to_persian_digits("120") in stale  # which field, its value
    assert 'name="version" value="2"' in html  # saving again is now a deliberate choice
    assert 'value="رب گوجه‌فرنگی"' in html or "رب گوجه‌فرنگی</textarea>" in html


# --- status changes -------------------------------------------------------------------------


def _change_status(client, unit: Enterprise, **data: Any):
    return client.post(reverse("enterprise_status", args=[unit.pk]), data)


def test_marking_a_unit_idle_with_a_persian_date_puts_it_on_the_timeline(
    officer_a, client_for, unit
) -> None:
    client = client_for(officer_a)
    typed = jalali_text(days_ago(10), persian=True)

    response = _change_status(client, unit, to_status="idle", date=typed, reason="قطع برق")

    assert response.status_code == 302
    fresh = reload(unit)
    assert (fresh.status, fresh.status_since) == (Status.IDLE, days_ago(10))
    html = page(client.get(unit.get_absolute_url()))
    timeline = html.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert typed in timeline and "قطع برق" in timeline
    assert re.search(r'class="badge status-idle" data-testid="enterprise-status"', html)
    assert history_of(fresh).filter(action="status", actor=officer_a).exists()


STATUS_REFUSALS = {
    "closed is final": (Status.CLOSED, {"to_status": "active"}, "to_status"),
    "nothing returns to under construction": (
        Status.ACTIVE, {"to_status": "under_construction"}, "to_status",
    ),
    "the status it already has": (Status.ACTIVE, {"to_status": "active"}, "to_status"),
    "a date in the future": (Status.ACTIVE, {"date": jalali_text(days_ago(-3))}, "date"),
    "a date before the current status": (
        Status.ACTIVE, {"date": jalali_text(days_ago(400))}, "date",
    ),
    "a date that does not exist": (Status.ACTIVE, {"date": "1401/12/30"}, "date"),
    "no reason": (Status.ACTIVE, {"reason": ""}, "reason"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("status", "change", "field"), STATUS_REFUSALS.values(), ids=STATUS_REFUSALS.keys()
)
def test_an_impossible_status_change_is_refused_on_its_field(
    status, change, field, officer_a, client_for, reference
) -> None:
    unit = make_enterprise(province=reference.qom, status=status, status_date=days_ago(200))
    before = registry_state()
    data = {"to_status": "idle", "date": jalali_text(days_ago(5)), "reason": "بازدید", **change}

    response = _change_status(client_for(officer_a), unit, **data)

    assert response.status_code == 200
    assert field in field_errors(response)
    assert registry_state() == before


# --- moves -----------------------------------------------------------------------------------


def test_moving_a_unit_to_another_park_records_where_it_stood_and_since_when(
    officer_a, client_for, unit, reference
) -> None:
    client = client_for(officer_a)
    data = {
        "province": "IR-25",
        "park": str(reference.park_p2.pk),
        "date": jalali_text(days_ago(3), persian=True),
        "reason": "انتقال به زمین بزرگ‌تر",
    }

    response = client.post(reverse("enterprise_move", args=[unit.pk]), data)

    assert response.status_code == 302
    fresh = reload(unit)
    assert fresh.park == reference.park_p2
    assert list(fresh.location_events.order_by("date").values_list("park", flat=True)) == [
        reference.park_p.pk,
        reference.park_p2.pk,
    ]
    assert history_of(fresh).get(action="move").actor == officer_a
    assert "انتقال به زمین بزرگ‌تر" in page(client.get(unit.get_absolute_url()))


def test_moving_a_unit_where_it_already_stands_is_refused(
    officer_a, client_for, unit, reference
) -> None:
    before = registry_state()
    data = {
        "province": "IR-25",
        "park": str(reference.park_p.pk),
        "date": jalali_text(days_ago(3)),
        "reason": "",
    }

    response = client_for(officer_a).post(reverse("enterprise_move", args=[unit.pk]), data)

    assert response.status_code == 200
    assert "park" in field_errors(response)
    assert registry_state() == before


# --- corrections and withdrawals of the history ------------------------------------------------


@pytest.fixture
def idled(unit, officer_a) -> Enterprise:
    """The unit, made idle 20 days ago by officer A."""
    enterprise_change_status(
        actor=officer_a, enterprise=unit, to_status=Status.IDLE, date=days_ago(20), reason="بازدید"
    )
    return reload(unit)


def _latest_event(unit: Enterprise):
    return unit.status_events.order_by("-date", "-id")[0]


def test_correcting_the_date_of_an_event_moves_the_status_since_and_is_audited(
    officer_a, client_for, idled
) -> None:
    client = client_for(officer_a)
    event = _latest_event(idled)
    url = reverse("enterprise_event_correct", args=[idled.pk, event.pk])
    assert 'name="revoke-note"' in page(client.get(url))  # the latest change can be withdrawn

    response = client.post(
        url,
        {
            "date": jalali_text(days_ago(25), persian=True),
            "reason": "بازدید میدانی",
            "note": "تاریخ اشتباه وارد شده بود",
        },
    )

    assert response.status_code == 302
    fresh = reload(idled)
    assert (fresh.status, fresh.status_since) == (Status.IDLE, days_ago(25))
    assert _latest_event(fresh).reason == "بازدید میدانی"
    record = history_of(fresh).get(action="correct")
    assert (record.actor, record.note) == (officer_a, "تاریخ اشتباه وارد شده بود")
    history = page(client.get(idled.get_absolute_url())).split('data-testid="audit-history"')[1]
    assert "تاریخ اشتباه وارد شده بود" in history


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"note": ""}, "note"),
        ({"date": 300}, "date"),  # days ago: before the first event
        ({"date": -1}, "date"),  # tomorrow
    ],
    ids=["without saying why", "before the previous event", "in the future"],
)
def test_a_correction_is_refused_on_its_field_and_changes_nothing(
    change, field, officer_a, client_for, idled
) -> None:
    # Dates are made when the test runs, not when it is collected: a suite that crosses
    # midnight in Iran would otherwise send "tomorrow" as today.
    change = {k: jalali_text(days_ago(v)) if k == "date" else v for k, v in change.items()}
    event = _latest_event(idled)
    before = registry_state()
    data = {"date": jalali_text(days_ago(25)), "reason": "", "note": "اصلاح", **change}

    response = client_for(officer_a).post(
        reverse("enterprise_event_correct", args=[idled.pk, event.pk]), data
    )

    assert response.status_code == 200
    assert field in field_errors(response)
    assert registry_state() == before


def test_withdrawing_the_latest_change_returns_the_unit_to_its_previous_status(
    officer_a, client_for, idled
) -> None:
    response = client_for(officer_a).post(
        reverse("enterprise_event_revoke", args=[idled.pk]), {"revoke-note": "ثبت تکراری"}
    )

    assert response.status_code == 302
    assert response["Location"] == idled.get_absolute_url()
    fresh = reload(idled)
    assert (fresh.status, fresh.status_since) == (Status.ACTIVE, days_ago(200))
    assert fresh.status_events.count() == 1
    record = history_of(fresh).get(action="revoke")
    assert (record.actor, record.note) == (officer_a, "ثبت تکراری")
    assert record.changes["status"] == ["idle", "active"]


@pytest.mark.parametrize(
    ("fixture", "note"),
    [("idled", ""), ("unit", "ثبت تکراری")],
    ids=["without saying why", "the first status of a unit"],
)
def test_a_withdrawal_that_cannot_be_done_changes_nothing_and_says_why(
    fixture, note, officer_a, client_for, request
) -> None:
    target = request.getfixturevalue(fixture)
    client = client_for(officer_a)
    before = registry_state()

    response = client.post(
        reverse("enterprise_event_revoke", args=[target.pk]), {"revoke-note": note}, follow=True
    )

    assert response.status_code == 200
    assert registry_state() == before
    assert 'class="alert alert-danger' in page(response)
