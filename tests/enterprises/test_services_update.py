"""enterprise_update: profile changes, limited to the fields the person may edit, with the
derived keys kept in step and one audit record per real change."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.services import history_of
from enterprises.models import Enterprise, SizeBand, Status
from enterprises.services import OWNER_FIELDS, PROFILE_FIELDS, enterprise_update
from persian.text import search_key, sort_key, to_persian_digits
from tests.factories import legal_id, make_enterprise, reload, row_counts


def update(enterprise, actor, fields=PROFILE_FIELDS, **data):
    return enterprise_update(actor=actor, enterprise=enterprise, data=data, fields=fields)


# --- staff edits --------------------------------------------------------------------------------


def test_an_officer_changes_profile_fields_and_they_are_saved(officer_a, enterprise_e) -> None:
    update(enterprise_e, officer_a, employees=40, exporter=True, products="ظروف چینی")

    fresh = reload(enterprise_e)
    assert (fresh.employees, fresh.exporter, fresh.products) == (40, True, "ظروف چینی")


def test_an_update_is_audited_with_only_the_changed_fields(officer_a, enterprise_e) -> None:
    old_name = enterprise_e.name

    update(enterprise_e, officer_a, name="ریخته‌گری پیشران نوین", knowledge_based=True)

    record = history_of(enterprise_e)[0]
    assert record.action == "update"
    assert record.actor == officer_a
    assert record.changes == {
        "name": [old_name, "ریخته‌گری پیشران نوین"],
        "knowledge_based": [False, True],
    }


def test_saving_an_unchanged_profile_writes_no_audit_record(officer_a, enterprise_e) -> None:
    counts = row_counts()

    update(enterprise_e, officer_a, name=enterprise_e.name, employees=enterprise_e.employees)

    assert row_counts() == counts


def test_a_renamed_unit_gets_new_search_and_sort_keys(officer_a, enterprise_e) -> None:
    update(enterprise_e, officer_a, name="كاشي گلستان")

    fresh = reload(enterprise_e)
    assert fresh.name == "کاشی گلستان"
    assert fresh.sort_key == sort_key("کاشی گلستان")
    assert Enterprise.objects.filter(
        pk=fresh.pk, search_text__contains=search_key("کاشی گلستان")
    ).exists()
    assert not Enterprise.objects.filter(
        pk=fresh.pk, search_text__contains=search_key("ریخته‌گری")
    ).exists()


@pytest.mark.parametrize(
    ("employees", "band"),
    [
        (9, SizeBand.MICRO),
        (10, SizeBand.SMALL),
        (49, SizeBand.SMALL),
        (50, SizeBand.MEDIUM),
        (99, SizeBand.MEDIUM),
        (100, SizeBand.LARGE),
    ],
)
def test_the_size_band_follows_the_new_number_of_employees(
    officer_a, reference, employees, band
) -> None:
    enterprise = make_enterprise(employees=employees + 1 if employees < 100 else 5)

    update(enterprise, officer_a, employees=employees)

    assert reload(enterprise).size_band == band


def test_a_change_of_size_band_is_part_of_the_audited_changes(officer_a, reference) -> None:
    enterprise = make_enterprise(employees=9)

    update(enterprise, officer_a, employees=10)

    assert history_of(enterprise)[0].changes["size_band"] == [SizeBand.MICRO, SizeBand.SMALL]


def test_a_national_id_typed_in_persian_digits_is_stored_in_latin_digits(officer_a, enterprise_e):
    code = legal_id()

    update(enterprise_e, officer_a, legal_id=to_persian_digits(code))

    assert reload(enterprise_e).legal_id == code


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({"legal_id": "10380284792"}, "legal_id", id="bad-national-id"),
        pytest.param({"business_id": "123"}, "business_id", id="bad-business-id"),
        pytest.param({"construction_progress": 101}, "construction_progress", id="progress-101"),
        pytest.param({"employees": -3}, "employees", id="negative-employees"),
        pytest.param({"name": ""}, "name", id="empty-name"),
    ],
)
def test_an_invalid_update_names_the_field_and_changes_nothing(
    officer_a, enterprise_e, data, field
) -> None:
    before = Enterprise.objects.filter(pk=enterprise_e.pk).values().get()
    counts = row_counts()

    with pytest.raises(ValidationError) as caught:
        update(enterprise_e, officer_a, **data)

    assert field in caught.value.message_dict
    assert Enterprise.objects.filter(pk=enterprise_e.pk).values().get() == before
    assert row_counts() == counts


def test_a_national_id_of_another_unit_is_refused(officer_a, reference, enterprise_e) -> None:
    other = make_enterprise()

    with pytest.raises(ValidationError) as caught:
        update(enterprise_e, officer_a, legal_id=other.legal_id)

    assert "legal_id" in caught.value.message_dict
    assert reload(enterprise_e).legal_id != other.legal_id


def test_clearing_the_permit_of_an_operating_unit_is_refused(officer_a, enterprise_e) -> None:
    # An operating unit needs its permit number at registration and to start operating;
    # an edit must not take it away afterwards.
    assert reload(enterprise_e).status == Status.ACTIVE
    counts = row_counts()

    with pytest.raises(ValidationError) as caught:
        update(enterprise_e, officer_a, permit_number="")

    assert "permit_number" in caught.value.message_dict
    assert reload(enterprise_e).permit_number != ""
    assert row_counts() == counts


def test_status_and_location_are_not_changed_by_a_profile_update(
    officer_a, reference, enterprise_e
):
    update(
        enterprise_e,
        officer_a,
        fields=(*PROFILE_FIELDS, "status", "province", "park"),
        status=Status.CLOSED,
        province=reference.tehran,
        park=None,
        employees=77,
    )

    fresh = reload(enterprise_e)
    assert fresh.employees == 77
    assert (fresh.status, fresh.province, fresh.park) == (
        Status.ACTIVE,
        reference.qom,
        reference.park_p,
    )


# --- an owner's edits --------------------------------------------------------------------------


def test_an_owner_keeps_their_profile_products_and_contact(owner, enterprise_e) -> None:
    update(
        enterprise_e,
        owner,
        fields=OWNER_FIELDS,
        products="قطعات چدنی",
        capabilities="ریخته‌گری دقیق",
        phone="025-3333 4444",
        website="https://pishran.example.ir",
        employees=55,
    )

    fresh = reload(enterprise_e)
    assert fresh.products == "قطعات چدنی"
    assert fresh.capabilities == "ریخته‌گری دقیق"
    assert fresh.website == "https://pishran.example.ir"
    assert (fresh.employees, fresh.size_band) == (55, SizeBand.MEDIUM)
    assert history_of(enterprise_e)[0].actor == owner


def test_an_owner_cannot_change_identifiers_permit_sector_or_publication(
    owner, reference, enterprise_e
) -> None:
    before = reload(enterprise_e)

    update(
        enterprise_e,
        owner,
        fields=OWNER_FIELDS,
        legal_id=legal_id(),
        business_id="999999999999",
        permit_number="جعلی",
        published=True,
        knowledge_based=True,
        exporter=True,
        products="محصول تازه",
    )

    fresh = reload(enterprise_e)
    assert fresh.products == "محصول تازه"
    assert (fresh.legal_id, fresh.business_id, fresh.permit_number) == (
        before.legal_id,
        before.business_id,
        before.permit_number,
    )
    assert (fresh.published, fresh.knowledge_based, fresh.exporter) == (False, False, False)
    assert set(history_of(enterprise_e)[0].changes) == {"products"}


def test_an_owner_submitting_only_forbidden_fields_changes_nothing(owner, enterprise_e) -> None:
    counts = row_counts()

    update(enterprise_e, owner, fields=OWNER_FIELDS, legal_id=legal_id(), published=True)

    assert reload(enterprise_e).published is False
    assert row_counts() == counts


def test_a_permit_dated_in_the_future_is_refused(officer_a, enterprise_e) -> None:
    import datetime as dt

    from persian.jalali import today

    before = row_counts()
    with pytest.raises(ValidationError) as error:
        enterprise_update(
            actor=officer_a,
            enterprise=enterprise_e,
            data={"permit_date": today() + dt.timedelta(days=3)},
            fields=("permit_date",),
        )

    assert "permit_date" in error.value.message_dict
    assert reload(enterprise_e).permit_date == enterprise_e.permit_date
    assert row_counts() == before


def test_a_permit_dated_after_the_unit_started_operating_is_refused(officer_a) -> None:
    from tests.factories import days_ago

    enterprise = make_enterprise(status_date=days_ago(100), permit_date=days_ago(200))
    before = row_counts()

    with pytest.raises(ValidationError) as error:
        enterprise_update(
            actor=officer_a,
            enterprise=enterprise,
            data={"permit_date": days_ago(50)},
            fields=("permit_date",),
        )

    assert list(error.value.message_dict) == ["permit_date"]
    assert "پس از" in error.value.message_dict["permit_date"][0]
    assert reload(enterprise).permit_date == days_ago(200)
    assert row_counts() == before


def test_a_permit_of_a_unit_not_yet_operating_may_have_any_past_date(officer_a) -> None:
    from tests.factories import days_ago

    enterprise = make_enterprise(status=Status.UNDER_CONSTRUCTION, status_date=days_ago(100))

    enterprise_update(
        actor=officer_a,
        enterprise=enterprise,
        data={"permit_number": "۱۲/پ", "permit_date": days_ago(5)},
        fields=("permit_number", "permit_date"),
    )

    assert reload(enterprise).permit_date == days_ago(5)


# --- a form opened before someone else saved -----------------------------------------------------


def test_each_edit_raises_the_version_and_a_stale_one_is_refused_with_what_changed(
    officer_a, national_admin, enterprise_e
) -> None:
    from audit.services import StaleEdit

    opened = enterprise_e.version
    enterprise_update(actor=national_admin, enterprise=enterprise_e, data={"employees": 77},
                      fields=PROFILE_FIELDS, version=opened)  # fmt: skip
    assert reload(enterprise_e).version == opened + 1
    before = row_counts()

    with pytest.raises(StaleEdit) as exc:
        enterprise_update(actor=officer_a, enterprise=enterprise_e, data={"employees": 5},
                          fields=PROFILE_FIELDS, version=opened)  # fmt: skip

    assert row_counts() == before
    assert (reload(enterprise_e).employees, reload(enterprise_e).version) == (77, opened + 1)
    assert exc.value.version == opened + 1
    [record] = exc.value.records
    assert (record.actor, record.changes["employees"][1]) == (national_admin, 77)
    # At the version it now knows, the same edit is a deliberate choice and is saved.
    enterprise_update(actor=officer_a, enterprise=enterprise_e, data={"employees": 5},
                      fields=PROFILE_FIELDS, version=opened + 1)  # fmt: skip
    assert reload(enterprise_e).employees == 5


def test_an_edit_that_changes_nothing_keeps_the_version(officer_a, enterprise_e) -> None:
    update(enterprise_e, officer_a, name=enterprise_e.name)

    assert reload(enterprise_e).version == enterprise_e.version
