"""park_create and park_update: parks are validated, named in canonical Persian, unique by
name within a province however the name is typed, and every change is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.services import history_of
from persian.text import search_key, sort_key
from places.models import Park
from places.services import park_create, park_update
from tests.factories import make_park, reload, row_counts


def create(actor, province, **data):
    return park_create(actor=actor, data={"province": province, **data})


# --- creating -------------------------------------------------------------------------------


def test_a_new_park_is_saved_with_its_details(officer_a, reference) -> None:
    park = create(
        officer_a,
        reference.qom,
        name="شهرک صنعتی پیشران",
        kind=Park.Kind.ZONE,
        ownership=Park.Ownership.PRIVATE,
        plots_total=120,
        plots_allocated=80,
    )

    saved = reload(park)
    assert saved.name == "شهرک صنعتی پیشران"
    assert (saved.province, saved.kind, saved.ownership) == (
        reference.qom,
        Park.Kind.ZONE,
        Park.Ownership.PRIVATE,
    )
    assert (saved.plots_total, saved.plots_allocated) == (120, 80)


def test_a_new_park_is_audited_as_created_by_its_author(officer_a, reference) -> None:
    park = create(officer_a, reference.qom, name="شهرک صنعتی پیشران")

    record = history_of(park).get()
    assert (record.action, record.actor) == ("create", officer_a)
    assert record.changes["name"] == [None, "شهرک صنعتی پیشران"]


def test_a_park_name_is_stored_in_canonical_persian_with_its_keys(officer_a, reference) -> None:
    park = create(officer_a, reference.qom, name="  شهرك  صنعتي پيشران ")

    saved = reload(park)
    assert saved.name == "شهرک صنعتی پیشران"
    assert saved.name_key == search_key("شهرک صنعتی پیشران")
    assert saved.sort_key == sort_key("شهرک صنعتی پیشران")


def test_more_allocated_plots_than_plots_in_total_is_refused(officer_a, reference) -> None:
    counts = row_counts()

    with pytest.raises(ValidationError) as caught:
        create(officer_a, reference.qom, name="شهرک نو", plots_total=10, plots_allocated=11)

    assert "plots_allocated" in caught.value.message_dict
    assert row_counts() == counts


def test_a_park_without_a_name_is_refused(officer_a, reference) -> None:
    counts = row_counts()

    with pytest.raises(ValidationError) as caught:
        create(officer_a, reference.qom, name="   ")

    assert "name" in caught.value.message_dict
    assert row_counts() == counts


@pytest.mark.parametrize(
    "typed_again",
    [
        pytest.param("شهرک صنعتی پیشران", id="same-spelling"),
        pytest.param("شهرك صنعتي پيشران", id="arabic-letters"),
        pytest.param("شهرک‌صنعتی پیشران", id="zwnj-for-space"),
    ],
)
def test_a_second_park_of_the_same_name_in_the_province_is_refused_as_invalid(
    officer_a, reference, typed_again
) -> None:
    create(officer_a, reference.qom, name="شهرک صنعتی پیشران")
    counts = row_counts()

    with pytest.raises(ValidationError):
        create(officer_a, reference.qom, name=typed_again)

    assert row_counts() == counts


def test_the_same_park_name_is_allowed_in_another_province(officer_a, reference) -> None:
    create(officer_a, reference.qom, name="شهرک صنعتی پیشران")

    other = create(officer_a, reference.tehran, name="شهرک صنعتی پیشران")

    assert reload(other).province == reference.tehran


# --- updating ---------------------------------------------------------------------------------


def test_an_update_is_saved_and_audited_with_the_changed_fields(officer_a, reference) -> None:
    park = make_park(name="شهرک صنعتی پیشران", plots_total=50, plots_allocated=10)

    park_update(actor=officer_a, park=park, data={"plots_allocated": 30, "specialty": "چاپ"})

    saved = reload(park)
    assert (saved.plots_allocated, saved.specialty) == (30, "چاپ")
    record = history_of(park)[0]
    assert (record.action, record.actor) == ("update", officer_a)
    assert record.changes == {"specialty": ["", "چاپ"], "plots_allocated": [10, 30]}


def test_a_renamed_park_gets_new_search_and_sort_keys(officer_a, reference) -> None:
    park = make_park(name="شهرک صنعتی پیشران")

    park_update(actor=officer_a, park=park, data={"name": "ناحیه صنعتی گلستان"})

    saved = reload(park)
    assert saved.name_key == search_key("ناحیه صنعتی گلستان")
    assert saved.sort_key == sort_key("ناحیه صنعتی گلستان")


def test_an_unchanged_park_writes_no_audit_record(officer_a, reference) -> None:
    park = make_park(name="شهرک صنعتی پیشران")
    counts = row_counts()

    park_update(actor=officer_a, park=park, data={"name": "شهرک صنعتی پیشران"})

    assert row_counts() == counts


def test_only_the_given_fields_are_changed(officer_a, reference) -> None:
    park = make_park(name="شهرک صنعتی پیشران", plots_total=50)

    park_update(
        actor=officer_a,
        park=park,
        data={"plots_total": 70, "province": reference.tehran},
        fields=("plots_total",),
    )

    saved = reload(park)
    assert (saved.plots_total, saved.province) == (70, reference.qom)


def test_an_invalid_update_is_refused_and_changes_nothing(officer_a, reference) -> None:
    park = make_park(name="شهرک صنعتی پیشران", plots_total=50, plots_allocated=10)
    counts = row_counts()

    with pytest.raises(ValidationError) as caught:
        park_update(actor=officer_a, park=park, data={"plots_allocated": 51})

    assert "plots_allocated" in caught.value.message_dict
    assert reload(park).plots_allocated == 10
    assert row_counts() == counts


def test_renaming_a_park_to_the_name_of_another_in_its_province_is_refused_as_invalid(
    officer_a, reference
) -> None:
    make_park(name="شهرک صنعتی پیشران")
    park = make_park(name="شهرک صنعتی گلستان")
    counts = row_counts()

    with pytest.raises(ValidationError):
        park_update(actor=officer_a, park=park, data={"name": "شهرك صنعتي پيشران"})

    assert reload(park).name == "شهرک صنعتی گلستان"
    assert row_counts() == counts
