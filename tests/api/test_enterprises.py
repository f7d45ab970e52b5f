"""The registry through the API: the same scope as the pages, answers as of a date read
from the dated history, the directory's Persian-insensitive search and stable cursors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises.services import (
    enterprise_change_status,
    enterprise_move,
    enterprise_record_measures,
)
from tests.api.conftest import make_token
from tests.factories import days_ago, make_enterprise
from tests.views_helpers import jalali_text


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- scope ---------------------------------------------------------------------------------


def test_a_provincial_officers_token_sees_their_province_and_what_is_published(
    call, registry, officer_b
) -> None:
    secret = make_token(officer_b)

    found = _ids(call("/enterprises", secret))

    assert found == {
        registry.tehran_published.pk,
        registry.tehran_unpublished.pk,
        registry.p_published.pk,
    }
    assert call(f"/enterprises/{registry.qom_outside.pk}", secret).status_code == 404
    assert call(f"/enterprises/{registry.tehran_unpublished.pk}", secret).status_code == 200


def test_private_fields_and_history_only_within_the_full_scope(call, registry, officer_b) -> None:
    secret = make_token(officer_b)

    own = call(f"/enterprises/{registry.tehran_published.pk}", secret).json()
    other = call(f"/enterprises/{registry.p_published.pk}", secret).json()
    public = call(f"/enterprises/{registry.p_published.pk}").json()

    assert own["private"]["legal_id"] == registry.tehran_published.legal_id
    assert own["history_visible"] and own["status_history"] and own["status_since"]
    for seen in (other, public):
        assert seen["private"] is None and not seen["history_visible"]
        assert seen["status_history"] == [] and seen["location_history"] == []
        assert seen["status_since"] is None
        assert "latitude" not in seen and "mobile" not in seen and "legal_id" not in seen


def test_an_owners_token_sees_their_unit_in_full(call, registry, owner) -> None:
    body = call(f"/enterprises/{registry.e.pk}", make_token(owner)).json()

    assert body["private"]["legal_id"] == registry.e.legal_id


# --- as of a date --------------------------------------------------------------------------


@pytest.fixture
def moved_unit(reference, national_admin):
    """Active in Qom from 400 days ago, idle from 100 days ago, in Tehran from 50 days ago."""
    unit = make_enterprise(province=reference.qom, status_date=days_ago(400))
    enterprise_change_status(
        actor=national_admin, enterprise=unit, to_status="idle", date=days_ago(100), reason="بی‌کار"
    )
    enterprise_move(
        actor=national_admin,
        enterprise=unit,
        province=reference.tehran,
        park=None,
        date=days_ago(50),
        reason="جابه‌جایی",
    )
    return unit


@pytest.mark.parametrize(
    ("days", "status", "province"),
    [(200, "active", "IR-25"), (60, "idle", "IR-25"), (10, "idle", "IR-23")],
)
def test_a_unit_as_of_a_date_has_its_status_and_place_of_that_date(
    call, moved_unit, national_admin, days, status, province
) -> None:
    secret = make_token(national_admin)
    for as_of in (days_ago(days).isoformat(), jalali_text(days_ago(days)).replace("/", "-")):
        row = call(f"/enterprises/{moved_unit.pk}", secret, as_of=as_of).json()
        assert (row["status"], row["province"]) == (status, province)
        assert row["as_of"] == days_ago(days).isoformat()
        assert row["as_of_jalali"] == jalali_text(days_ago(days)).replace("/", "-")


def test_the_list_filters_on_the_values_of_the_date(call, moved_unit, national_admin) -> None:
    secret = make_token(national_admin)
    then = days_ago(200).isoformat()

    assert moved_unit.pk in _ids(call("/enterprises", secret, as_of=then, status="active"))
    assert moved_unit.pk not in _ids(call("/enterprises", secret, as_of=then, status="idle"))
    assert moved_unit.pk in _ids(call("/enterprises", secret, as_of=then, province="IR-25"))
    assert moved_unit.pk not in _ids(call("/enterprises", secret, province="IR-25"))
    assert moved_unit.pk in _ids(call("/enterprises", secret, province="ir-23"))
    # Read by the place's index first, still judged by the date: not in Tehran before it
    # came, and idle there (not active) from the day it arrived.
    assert moved_unit.pk not in _ids(call("/enterprises", secret, as_of=then, province="IR-23"))
    later = days_ago(10).isoformat()
    assert moved_unit.pk in _ids(
        call("/enterprises", secret, as_of=later, province="IR-23", status="idle")
    )
    assert moved_unit.pk not in _ids(
        call("/enterprises", secret, as_of=later, province="IR-25", status="idle")
    )


def test_the_history_is_cut_at_the_date_and_since_is_that_dates(
    call, moved_unit, national_admin
) -> None:
    body = call(
        f"/enterprises/{moved_unit.pk}", make_token(national_admin), as_of=days_ago(60).isoformat()
    ).json()

    assert [e["to_status"] for e in body["status_history"]] == ["active", "idle"]
    assert [e["province"] for e in body["location_history"]] == ["IR-25"]
    assert body["status_since"] == days_ago(100).isoformat()
    assert body["status_history"][1]["date_jalali"] == jalali_text(days_ago(100)).replace("/", "-")


def test_before_its_registration_a_unit_is_not_there(call, moved_unit, national_admin) -> None:
    secret = make_token(national_admin)
    before = days_ago(500).isoformat()

    assert moved_unit.pk not in _ids(call("/enterprises", secret, as_of=before))
    assert call(f"/enterprises/{moved_unit.pk}", secret, as_of=before).status_code == 404


def test_the_public_is_told_a_published_unit_as_it_is_today_whatever_the_date(
    call, moved_unit, national_admin
) -> None:
    type(moved_unit).objects.filter(pk=moved_unit.pk).update(published=True)

    row = call(f"/enterprises/{moved_unit.pk}", as_of=days_ago(200).isoformat()).json()

    assert (row["status"], row["province"], row["history_visible"]) == ("idle", "IR-23", False)


@pytest.fixture
def measured_unit(reference, national_admin):
    """8 employees and 30% built from 400 days ago; 120 and 70% from 100 days ago."""
    unit = make_enterprise(
        province=reference.qom, status_date=days_ago(400), employees=8, construction_progress=30
    )
    enterprise_record_measures(
        actor=national_admin,
        enterprise=unit,
        date=days_ago(100),
        employees=120,
        construction_progress=70,
    )
    return unit


@pytest.mark.parametrize(
    ("days", "employees", "size_band", "progress"),
    [(200, 8, "micro", 30), (10, 120, "large", 70), (None, 120, "large", 70)],
)
def test_a_units_head_count_size_and_progress_are_those_of_the_date(
    call, measured_unit, national_admin, days, employees, size_band, progress
) -> None:
    secret = make_token(national_admin)
    params = {} if days is None else {"as_of": days_ago(days).isoformat()}

    rows = call("/enterprises", secret, **params).json()["results"]
    row = next(r for r in rows if r["id"] == measured_unit.pk)
    detail = call(f"/enterprises/{measured_unit.pk}", secret, **params).json()

    for answer in (row, detail):
        assert (answer["employees"], answer["size_band"]) == (employees, size_band)
    assert detail["private"]["construction_progress"] == progress


def test_the_public_is_told_todays_head_count_whatever_the_date(call, measured_unit) -> None:
    type(measured_unit).objects.filter(pk=measured_unit.pk).update(published=True)

    row = call(f"/enterprises/{measured_unit.pk}", as_of=days_ago(200).isoformat()).json()

    assert (row["employees"], row["size_band"]) == (120, "large")


def test_the_head_counts_of_a_page_on_a_date_cost_one_query_however_many_rows(
    call, reference, national_admin
) -> None:
    secret = make_token(national_admin)
    then = days_ago(100).isoformat()  # before their head counts changed

    def queries() -> int:
        with CaptureQueriesContext(connection) as done:
            assert call("/enterprises", secret, as_of=then).status_code == 200
        return len(done)

    unit = make_enterprise(status_date=days_ago(400), employees=5)
    enterprise_record_measures(
        actor=national_admin, enterprise=unit, date=days_ago(50), employees=60
    )
    queries()  # the token's first use is recorded (once a minute)
    one = queries()
    for _ in range(4):
        other = make_enterprise(status_date=days_ago(400), employees=5)
        enterprise_record_measures(
            actor=national_admin, enterprise=other, date=days_ago(50), employees=60
        )

    assert queries() == one
    rows = call("/enterprises", secret, as_of=then).json()["results"]
    assert [r["employees"] for r in rows] == [5] * 5


def test_a_province_filter_costs_no_query_of_its_own(call, moved_unit, national_admin) -> None:
    """The provinces' codes are read once for the filter and the rows' codes."""
    secret = make_token(national_admin)
    call("/enterprises", secret)  # the token's first use is recorded (once a minute)

    def queries(**params: str) -> int:
        with CaptureQueriesContext(connection) as done:
            assert call("/enterprises", secret, **params).status_code == 200
        return len(done)

    assert queries(province="IR-23") == queries()
    then = days_ago(10).isoformat()
    assert queries(as_of=then, province="IR-23", limit="1") <= queries(as_of=then) + 1


# --- search and pages ----------------------------------------------------------------------


def test_arabic_letters_typed_find_the_persian_name(call, reference, national_admin) -> None:
    unit = make_enterprise(name="کیک و شیرینی یکتا", province=reference.qom)
    make_enterprise(name="فولاد البرز", province=reference.qom)
    secret = make_token(national_admin)

    assert _ids(call("/enterprises", secret, q="كيك")) == {unit.pk}  # Arabic kaf and yeh
    assert _ids(call("/enterprises", secret, q="شيريني  يكتا")) == {unit.pk}
    assert _ids(call("/enterprises", secret, q="۱۲۳ كيك")) == set()


def test_cursor_pages_give_every_unit_once_in_id_order_even_as_units_are_added(
    call, reference, national_admin
) -> None:
    units = [make_enterprise(province=reference.qom) for _ in range(7)]
    secret = make_token(national_admin)
    seen: list[int] = []
    cursor = None
    for turn in range(10):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = call("/enterprises", secret, **params).json()
        seen += [row["id"] for row in body["results"]]
        if turn == 0:
            units.append(make_enterprise(province=reference.qom))  # written between pages
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(u.pk for u in units)


def test_limit_is_capped(call, reference, national_admin, settings) -> None:
    settings.PISHRAN_API_MAX_PAGE_SIZE = 2
    for _ in range(3):
        make_enterprise(province=reference.qom)

    body = call("/enterprises", make_token(national_admin), limit=1000).json()

    assert len(body["results"]) == 2 and body["next_cursor"]


def test_an_officer_lists_a_place_on_a_date_from_the_history_they_see(
    call, moved_unit, registry, officer_b
) -> None:
    """The officer of Tehran: the unit that came to Tehran 50 days ago was in Qom before
    (its history is theirs); a published Qom unit they only find is judged by today."""
    secret = make_token(officer_b)
    then = days_ago(200).isoformat()

    qom_then = _ids(call("/enterprises", secret, as_of=then, province="IR-25", status="active"))
    tehran_then = _ids(call("/enterprises", secret, as_of=then, province="IR-23"))

    assert moved_unit.pk in qom_then and registry.p_published.pk in qom_then
    assert moved_unit.pk not in tehran_then
    assert registry.tehran_unpublished.pk in tehran_then
    assert moved_unit.pk in _ids(call("/enterprises", secret, province="IR-23", status="idle"))
    walked = []
    cursor = None
    while True:
        params = {"as_of": then, "province": "IR-25", "limit": 1}
        body = call("/enterprises", secret, **params, **({"cursor": cursor} if cursor else {}))
        walked += [row["id"] for row in body.json()["results"]]
        if not (cursor := body.json()["next_cursor"]):
            break
    everyone = _ids(call("/enterprises", secret, as_of=then, province="IR-25"))
    assert walked == sorted(everyone) and moved_unit.pk in walked  # page by page, once each
