"""load_reference: the shipped reference data loads completely, with current ISO codes, and
loading it again changes nothing (rows are matched and updated in place)."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from persian.text import search_key
from places.models import Park, Province
from sectors.models import IndustryGroup, IsicDivision


def load() -> str:
    out = StringIO()
    call_command("load_reference", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "provinces": Province.objects.count(),
        "divisions": IsicDivision.objects.count(),
        "groups": IndustryGroup.objects.count(),
        "parks": Park.objects.count(),
    }


@pytest.fixture
def empty(db) -> None:
    """No reference data (the test database is preloaded; this test starts from nothing)."""
    Park.objects.all().delete()
    IsicDivision.objects.all().delete()
    IndustryGroup.objects.all().delete()
    Province.objects.all().delete()


def test_loading_twice_gives_31_provinces_24_divisions_8_groups_and_the_same_parks(empty):
    load()
    first = counts()

    load()

    assert counts() == first
    assert (first["provinces"], first["divisions"], first["groups"]) == (31, 24, 8)
    assert first["parks"] > 0


def test_every_named_park_of_the_data_file_is_loaded_in_its_province(empty) -> None:
    load()

    path = settings.BASE_DIR / "places" / "data" / "parks_sample.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        assert Park.objects.filter(
            province__code=row["province_code"], name_key=search_key(row["name_fa"])
        ).exists(), row["name_fa"]
    assert Park.objects.count() == len(
        {(r["province_code"], search_key(r["name_fa"])) for r in rows}
    )


@pytest.mark.parametrize(
    ("code", "name_en", "name_fa"),
    [("IR-25", "Qom", "قم"), ("IR-23", "Tehran", "تهران"), ("IR-30", "Alborz", "البرز")],
)
def test_provinces_carry_their_current_iso_codes(empty, code, name_en, name_fa) -> None:
    load()

    province = Province.objects.get(code=code)
    assert (province.name_en, province.name_fa) == (name_en, name_fa)


def test_no_province_keeps_a_pre_2020_code(empty) -> None:
    # Before the 2020 renumbering Qom was IR-26 and Tehran IR-07.
    load()

    assert Province.objects.get(name_en="Qom").code == "IR-25"
    assert Province.objects.get(name_en="Tehran").code == "IR-23"
    assert Province.objects.values("code").distinct().count() == 31


def test_reloading_repairs_an_edited_province_in_place(empty) -> None:
    load()
    qom = Province.objects.get(code="IR-25")
    Province.objects.filter(pk=qom.pk).update(name_fa="قمِ ويرايش‌شده", population=1)

    load()

    repaired = Province.objects.get(code="IR-25")
    assert repaired.pk == qom.pk
    assert repaired.name_fa == "قم"
    assert (repaired.population or 0) > 1


def test_reloading_keeps_the_parks_people_already_refer_to(empty) -> None:
    load()
    ids = set(Park.objects.values_list("pk", flat=True))

    load()

    assert set(Park.objects.values_list("pk", flat=True)) == ids


def test_divisions_belong_to_their_industry_group(empty) -> None:
    load()

    assert IsicDivision.objects.filter(code="10", group__key="food").exists()
    assert (
        IndustryGroup.objects.get(key="food").divisions.filter(code__in=["10", "11"]).count() == 2
    )


def test_reference_names_are_stored_in_canonical_persian(empty) -> None:
    load()

    for name in Province.objects.values_list("name_fa", flat=True):
        assert "ي" not in name and "ك" not in name, name


def test_the_command_reports_what_it_loaded(empty) -> None:
    message = load()

    assert "31" in message
    assert f"({Park.objects.count()} new)" in message
    assert "(0 new)" in load()
