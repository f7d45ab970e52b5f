"""The capital-market pipeline: a file through its stages with what each requires, counts
by stage as of a date, stalled files, the adviser's view and the readiness screen."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.services import case_move
from enterprises.models import Status
from finance import market
from finance.models import AdviserFirm
from finance.roles import MARKET_ADVISER
from finance.services import listing_introduce, listing_update
from tests.factories import days_ago, give, make_enterprise, make_user, reload, row_counts
from tests.views_helpers import page

pytestmark = pytest.mark.django_db


def firm(code: str = "amin") -> AdviserFirm:
    return AdviserFirm.objects.get_or_create(code=code, defaults={"name": f"مشاور {code}"})[0]


def test_a_file_needs_its_adviser_before_the_final_stage_and_its_amount_before_admission(
    reference,
) -> None:
    unit = make_enterprise(name="فولاد قم", employees=120)
    listing = listing_introduce(actor=None, enterprise=unit, date=days_ago(300))
    case_move(actor=None, case=listing.case, to_stage=market.FILE_OPENED, date=days_ago(250))
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        case_move(actor=None, case=listing.case, to_stage=market.FINAL, date=days_ago(100))
    assert "adviser" in error.value.message_dict and row_counts() == before
    listing_update(actor=None, listing=listing, adviser=firm(), market="", amount_raised=None)
    case_move(actor=None, case=listing.case, to_stage=market.FINAL, date=days_ago(100))
    with pytest.raises(ValidationError) as error:
        case_move(actor=None, case=listing.case, to_stage=market.ADMITTED, date=days_ago(10))
    assert "amount_raised" in error.value.message_dict
    listing_update(
        actor=None, listing=listing, adviser=firm(), market="sme", amount_raised=500_000_000_000
    )
    case_move(actor=None, case=listing.case, to_stage=market.ADMITTED, date=days_ago(10))
    assert reload(listing.case).closed_on == days_ago(10)


def test_only_an_active_unit_is_introduced(reference) -> None:
    idle = make_enterprise(name="واحد راکد", status=Status.IDLE, status_date=days_ago(100))
    with pytest.raises(ValidationError) as error:
        listing_introduce(actor=None, enterprise=idle, date=days_ago(1))
    assert "enterprise" in error.value.message_dict


def test_the_pipeline_counts_files_by_stage_as_of_a_date_and_flags_stalled_ones(
    reference, national_admin, client_for
) -> None:
    a = listing_introduce(actor=None, enterprise=make_enterprise(name="الف"), date=days_ago(400))
    case_move(
        actor=None, case=a.case, to_stage=market.FILE_OPENED, date=days_ago(300)
    )  # stalled: 300 > 180 days
    listing_introduce(actor=None, enterprise=make_enterprise(name="ب"), date=days_ago(20))
    client = client_for(national_admin)
    html = page(client.get(reverse("capital_pipeline")))
    assert 'data-stage="file_opened">۱<' in html and 'data-stage="introduced">۱<' in html
    assert 'data-testid="stalled"' in html
    from persian.jalali import format_date

    past = page(
        client.get(
            reverse("capital_pipeline"), {"as_of": format_date(days_ago(350), persian_digits=False)}
        )
    )
    assert 'data-stage="introduced">۱<' in past and 'data-stage="file_opened">۰<' in past


def test_an_advisers_staff_see_and_update_their_firms_files_only(reference, client_for) -> None:
    mine = listing_introduce(
        actor=None,
        enterprise=make_enterprise(name="مال ما"),
        date=days_ago(30),
        adviser=firm("amin"),
    )
    theirs = listing_introduce(
        actor=None,
        enterprise=make_enterprise(name="مال دیگری"),
        date=days_ago(30),
        adviser=firm("other"),
    )
    staff = make_user(username="adviser_staff")
    give(staff, MARKET_ADVISER, firm("amin"))
    client = client_for(staff)
    assert client.get(reverse("capital_listing_case", args=[mine.case_id])).status_code == 200
    assert client.get(reverse("capital_listing_case", args=[theirs.case_id])).status_code == 404
    response = client.post(
        reverse("capital_listing_update", args=[mine.case_id]),
        {"market": "sme", "adviser": "other"},
    )
    assert response.status_code == 302
    mine = reload(mine)
    assert mine.market == "sme" and mine.adviser == firm(
        "amin"
    )  # the adviser cannot hand the file on


def test_readiness_proposes_the_strongest_units_with_reasons(
    reference, officer_a, client_for
) -> None:
    strong = make_enterprise(
        name="صنایع قوی",
        employees=200,
        exporter=True,
        knowledge_based=True,
        permit_date=days_ago(2000),
    )
    make_enterprise(name="کارگاه کوچک", employees=5)
    html = page(client_for(officer_a).get(reverse("capital_readiness")))
    assert html.index(strong.name) < html.index("کارگاه کوچک")
    assert "صادرکننده" in html


def test_the_pipeline_read_from_the_facts_agrees_with_the_rows_for_every_role(
    reference, national_admin, officer_a, officer_b
) -> None:
    """National staff and provincial officers get the counts by stage and the median days
    in each stage from the cases' facts; advisers' staff and owners from their rows. Both
    must give the same figures, today and on a past date (stages left after that date do
    not count)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finance import selectors

    adviser = make_user(username="adviser_amin")
    give(adviser, MARKET_ADVISER, firm())
    for name, province, opened, moves in (
        ("فولاد قم", None, 400, [(market.FILE_OPENED, 300), (market.FINAL, 100)]),
        ("سیمان قم", None, 200, [(market.FILE_OPENED, 150)]),
        ("کاشی تهران", reference.tehran, 90, [(market.FILE_OPENED, 60)]),
    ):
        unit = (
            make_enterprise(name=name, province=province)
            if province
            else make_enterprise(name=name)
        )
        listing = listing_introduce(actor=None, enterprise=unit, date=days_ago(opened))
        listing_update(actor=None, listing=listing, adviser=firm(), market="", amount_raised=None)
        for stage, days in moves:
            case_move(actor=None, case=listing.case, to_stage=stage, date=days_ago(days))
    real = selectors._READERS.pop("pipeline")
    try:
        expected = {
            (person.username, day): selectors.pipeline(person, day)
            for person in (national_admin, officer_a, officer_b, adviser)
            for day in (days_ago(0), days_ago(250))
        }
    finally:
        selectors.provide("pipeline", real)
    for (username, day), rows in expected.items():
        person = next(
            p for p in (national_admin, officer_a, officer_b, adviser) if p.username == username
        )
        with CaptureQueriesContext(connection) as queries:
            assert selectors.pipeline(person, day) == rows, (username, day)
        from_rows = any('"cases_caseevent"."' in q["sql"] for q in queries.captured_queries)
        assert from_rows == (person == adviser), username
    country_today = {
        row.stage.code: (row.count, row.median_days)
        for row in expected[("national_admin", days_ago(0))]
    }
    # Introduced for 100, 50 and 30 days; the file opened left after 200 days.
    assert country_today[market.INTRODUCED] == (0, 50)
    assert country_today[market.FILE_OPENED] == (2, 200) and country_today[market.FINAL] == (
        1,
        None,
    )
    past = {
        row.stage.code: (row.count, row.median_days)
        for row in expected[("national_admin", days_ago(250))]
    }
    assert past[market.INTRODUCED] == (0, 100) and past[market.FILE_OPENED] == (1, None)


def test_the_national_files_list_follows_a_new_file_at_once_and_links_each_row(
    reference, national_admin, client_for, django_capture_on_commit_callbacks
) -> None:
    """National staff's list of files counts every file, kept per figures version: a new
    file starts a new one, so the next page lists it; each row opens its file."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = listing_introduce(actor=None, enterprise=make_enterprise(name="الف"), date=days_ago(9))
    client = client_for(national_admin)

    def rows() -> str:
        return page(client.get(reverse("capital_pipeline"))).split('data-testid="files"')[1]

    before = rows()
    assert reverse("capital_listing_case", args=[first.case_id]) in before
    with CaptureQueriesContext(connection) as captured:
        assert rows() == before
    assert not any("COUNT(" in q["sql"] for q in captured)  # the count kept
    with django_capture_on_commit_callbacks(execute=True):
        later = listing_introduce(
            actor=None, enterprise=make_enterprise(name="ب"), date=days_ago(2)
        )
    after = rows()
    assert reverse("capital_listing_case", args=[later.case_id]) in after and "ب" in after
