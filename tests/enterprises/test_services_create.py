"""enterprise_create: a unit is registered with its first dated status and location and
one audit record — or, when anything is wrong, nothing at all is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditRecord
from audit.services import history_of
from enterprises.models import Enterprise, LocationEvent, SizeBand, Status, StatusEvent
from enterprises.services import enterprise_create
from persian.text import search_key, sort_key, to_persian_digits
from tests.factories import days_ago, enterprise_data, legal_id, make_enterprise, row_counts


def create(
    actor,
    reference,
    *,
    park="p",
    province=None,
    status=Status.ACTIVE,
    status_date=None,
    reason="ثبت اولیه",
    **data,
):
    """enterprise_create in park P of Qom unless told otherwise."""
    park = reference.park_p if park == "p" else park
    return enterprise_create(
        actor=actor,
        data=enterprise_data(**data),
        province=province or (park.province if park else reference.qom),
        park=park,
        status=status,
        status_date=status_date or days_ago(30),
        reason=reason,
    )


# --- what a registration writes ----------------------------------------------------------------


def test_creating_an_enterprise_saves_it_in_its_park_and_province(officer_a, reference) -> None:
    enterprise = create(officer_a, reference, name="صنایع غذایی بهار")

    saved = Enterprise.objects.get(pk=enterprise.pk)
    assert saved.name == "صنایع غذایی بهار"
    assert saved.province == reference.qom
    assert saved.park == reference.park_p


def test_creating_an_enterprise_records_its_first_status_as_a_dated_event(officer_a, reference):
    date = days_ago(40)
    enterprise = create(officer_a, reference, status=Status.ACTIVE, status_date=date)

    saved = Enterprise.objects.get(pk=enterprise.pk)
    assert (saved.status, saved.status_since) == (Status.ACTIVE, date)
    event = StatusEvent.objects.get(enterprise=enterprise)
    assert (event.from_status, event.to_status, event.date) == ("", Status.ACTIVE, date)
    assert event.reason == "ثبت اولیه"
    assert event.author == officer_a


def test_creating_an_enterprise_records_its_first_location_as_a_dated_event(officer_a, reference):
    date = days_ago(40)
    enterprise = create(officer_a, reference, status_date=date)

    event = LocationEvent.objects.get(enterprise=enterprise)
    assert (event.province, event.park, event.date) == (reference.qom, reference.park_p, date)
    assert event.author == officer_a


def test_creating_an_enterprise_writes_one_audit_record_by_its_author(officer_a, reference):
    before = AuditRecord.objects.count()

    enterprise = create(officer_a, reference, name="کاشی ژاله", employees=30)

    assert AuditRecord.objects.count() == before + 1
    record = history_of(enterprise).get()
    assert record.action == "create"
    assert record.actor == officer_a
    assert record.changes["name"] == [None, "کاشی ژاله"]
    assert record.changes["employees"] == [None, 30]
    assert record.changes["status"] == [None, Status.ACTIVE]


def test_an_enterprise_can_stand_outside_any_park(officer_a, reference) -> None:
    enterprise = create(officer_a, reference, park=None, province=reference.qom)

    saved = Enterprise.objects.get(pk=enterprise.pk)
    assert saved.park is None
    assert LocationEvent.objects.get(enterprise=enterprise).park is None


def test_a_registration_without_a_reason_gets_a_default_one(officer_a, reference) -> None:
    enterprise = create(officer_a, reference, reason="")

    assert StatusEvent.objects.get(enterprise=enterprise).reason != ""


def test_an_anonymous_import_is_recorded_without_an_author(anonymous, reference) -> None:
    enterprise = create(anonymous, reference)

    assert StatusEvent.objects.get(enterprise=enterprise).author is None
    assert history_of(enterprise).get().actor is None


def test_a_unit_under_construction_needs_no_operating_permit(officer_a, reference) -> None:
    enterprise = create(
        officer_a,
        reference,
        status=Status.UNDER_CONSTRUCTION,
        permit_number="",
        construction_progress=65,
    )

    saved = Enterprise.objects.get(pk=enterprise.pk)
    assert saved.status == Status.UNDER_CONSTRUCTION
    assert saved.is_semi_finished


# --- what is derived, never typed -------------------------------------------------------------


def test_the_name_is_stored_in_its_canonical_persian_form(officer_a, reference) -> None:
    enterprise = create(officer_a, reference, name="  صنايع  كاشي  ")

    saved = Enterprise.objects.get(pk=enterprise.pk)
    assert saved.name == "صنایع کاشی"
    assert saved.sort_key == sort_key("صنایع کاشی")


def test_the_stored_search_text_finds_the_unit_however_its_name_is_typed(officer_a, reference):
    enterprise = create(officer_a, reference, name="کارخانه‌های قند", products="شکر سفید")

    for typed in ("كارخانه هاي", "کارخانههای", "شکر"):
        assert Enterprise.objects.filter(
            pk=enterprise.pk, search_text__contains=search_key(typed)
        ).exists(), typed


def test_identifiers_typed_in_persian_digits_are_stored_in_latin_digits(officer_a, reference):
    code = legal_id()
    enterprise = create(
        officer_a, reference, legal_id=to_persian_digits(code), business_id="۱۴۰۲ ۱۲۳۴ ۵۶۷۸"
    )

    saved = Enterprise.objects.get(pk=enterprise.pk)
    assert saved.legal_id == code
    assert saved.business_id == "140212345678"


def test_an_empty_national_id_is_stored_as_none_so_several_units_may_lack_one(officer_a, reference):
    first = create(officer_a, reference, legal_id="")
    second = create(officer_a, reference, legal_id="")

    assert Enterprise.objects.get(pk=first.pk).legal_id is None
    assert Enterprise.objects.get(pk=second.pk).legal_id is None


@pytest.mark.parametrize(
    ("employees", "band"),
    [
        (1, SizeBand.MICRO),
        (9, SizeBand.MICRO),
        (10, SizeBand.SMALL),
        (49, SizeBand.SMALL),
        (50, SizeBand.MEDIUM),
        (99, SizeBand.MEDIUM),
        (100, SizeBand.LARGE),
        (2500, SizeBand.LARGE),
    ],
)
def test_the_size_band_follows_the_statistics_centre_bands(reference, employees, band) -> None:
    enterprise = make_enterprise(employees=employees)

    assert Enterprise.objects.get(pk=enterprise.pk).size_band == band


# --- refused registrations save nothing ------------------------------------------------------


INVALID_REGISTRATIONS = [
    pytest.param({"legal_id": "10380284792"}, "legal_id", id="national-id-check-digit"),
    pytest.param({"legal_id": "1038028479"}, "legal_id", id="national-id-ten-digits"),
    pytest.param({"business_id": "14021234567"}, "business_id", id="business-id-eleven-digits"),
    pytest.param({"business_id": "1402123456ab"}, "business_id", id="business-id-letters"),
    pytest.param({"legal_id": "¹⁰³⁸⁰²⁸⁴⁷⁹⁰"}, "legal_id", id="national-id-superscripts"),
    pytest.param({"legal_id": "１０３８０２８４７９０"}, "legal_id", id="national-id-fullwidth"),
    pytest.param({"business_id": "१४०२१२३४५६७८"}, "business_id", id="business-id-devanagari"),
    pytest.param({"business_id": "¹40212345678"}, "business_id", id="business-id-superscript"),
    pytest.param({"construction_progress": 101}, "construction_progress", id="progress-101"),
    pytest.param({"employees": -1}, "employees", id="negative-employees"),
    pytest.param({"name": "   "}, "name", id="blank-name"),
    pytest.param({"email": "not-an-address"}, "email", id="bad-email"),
    pytest.param({"permit_number": ""}, "permit_number", id="operating-without-permit"),
]


@pytest.mark.parametrize(("data", "field"), INVALID_REGISTRATIONS)
def test_an_invalid_registration_names_the_field_and_saves_nothing(
    officer_a, reference, data, field
) -> None:
    before = row_counts()

    with pytest.raises(ValidationError) as caught:
        create(officer_a, reference, **data)

    assert field in caught.value.message_dict
    assert row_counts() == before


def test_a_park_in_another_province_is_refused_and_nothing_is_saved(officer_a, reference):
    before = row_counts()

    with pytest.raises(ValidationError) as caught:
        create(officer_a, reference, park=reference.park_tehran, province=reference.qom)

    assert "park" in caught.value.message_dict
    assert row_counts() == before


def test_a_future_status_date_is_refused_and_nothing_is_saved(officer_a, reference) -> None:
    before = row_counts()

    with pytest.raises(ValidationError) as caught:
        create(officer_a, reference, status_date=days_ago(-1))

    assert "status_date" in caught.value.message_dict
    assert row_counts() == before


def test_today_is_a_valid_status_date(officer_a, reference) -> None:
    enterprise = create(officer_a, reference, status_date=days_ago(0))

    assert Enterprise.objects.get(pk=enterprise.pk).status_since == days_ago(0)


@pytest.mark.parametrize("status", ["revived", "", "ACTIVE"])
def test_an_unknown_status_is_refused_and_nothing_is_saved(officer_a, reference, status) -> None:
    before = row_counts()

    with pytest.raises(ValidationError) as caught:
        create(officer_a, reference, status=status)

    assert "status" in caught.value.message_dict
    assert row_counts() == before


def test_a_national_id_already_registered_is_refused_and_nothing_is_saved(officer_a, reference):
    code = legal_id()
    create(officer_a, reference, legal_id=code)
    before = row_counts()

    with pytest.raises(ValidationError) as caught:
        create(officer_a, reference, legal_id=to_persian_digits(code))

    assert "legal_id" in caught.value.message_dict
    assert row_counts() == before


def test_every_field_error_is_reported_at_once(officer_a, reference) -> None:
    with pytest.raises(ValidationError) as caught:
        create(officer_a, reference, legal_id="123", business_id="456")

    assert {"legal_id", "business_id"} <= set(caught.value.message_dict)


# --- one transaction ---------------------------------------------------------------------------


def test_a_failure_after_the_enterprise_row_was_written_rolls_everything_back(
    officer_a, reference, monkeypatch
) -> None:
    def broken_audit(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(AuditRecord.objects, "create", broken_audit)
    before = row_counts()

    with pytest.raises(RuntimeError):
        create(officer_a, reference, name="واحد نیمه‌کاره")

    assert row_counts() == before
    assert not Enterprise.objects.filter(name="واحد نیمه‌کاره").exists()


def test_profile_fields_outside_the_form_are_ignored(officer_a, reference) -> None:
    enterprise = create(
        officer_a,
        reference,
        status=Status.ACTIVE,
        size_band=SizeBand.LARGE,
        employees=3,
        sort_key="AAAA",
        search_text="hacked",
    )

    saved = Enterprise.objects.get(pk=enterprise.pk)
    assert saved.size_band == SizeBand.MICRO
    assert saved.sort_key != "AAAA"
    assert "hacked" not in saved.search_text


def test_a_registration_date_long_ago_is_accepted(officer_a, reference) -> None:
    enterprise = create(officer_a, reference, status_date=dt.date(1995, 3, 21))

    assert Enterprise.objects.get(pk=enterprise.pk).status_since == dt.date(1995, 3, 21)


# --- an operating status and the operating permit ----------------------------------------------

BEFORE_PERMIT = "نمی‌تواند پیش از"


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.SEMI_ACTIVE, Status.IDLE])
def test_an_operating_first_status_dated_before_the_permit_is_refused_and_nothing_saved(
    officer_a, reference, status
) -> None:
    before = row_counts()

    with pytest.raises(ValidationError) as caught:
        create(
            officer_a, reference, status=status, status_date=days_ago(30), permit_date=days_ago(10)
        )

    assert list(caught.value.message_dict) == ["status_date"]
    assert BEFORE_PERMIT in caught.value.message_dict["status_date"][0]
    assert row_counts() == before


def test_an_operating_first_status_on_or_after_the_permit_date_is_accepted(officer_a, reference):
    unit = create(officer_a, reference, status_date=days_ago(10), permit_date=days_ago(10))

    assert unit.status_since == days_ago(10)


def test_a_unit_under_construction_may_be_registered_before_its_permit(officer_a, reference):
    unit = create(
        officer_a,
        reference,
        status=Status.UNDER_CONSTRUCTION,
        status_date=days_ago(30),
        permit_date=days_ago(10),
    )

    assert unit.status == Status.UNDER_CONSTRUCTION
