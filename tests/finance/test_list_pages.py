"""The finance lists a page at a time: keyset pages (``finance.seek``) whose "Next" and
"Previous" links walk the list without skipping or repeating a row, number the page shown
("2 / 3"), cost the same queries deep in the list as on top, and refuse a cursor no page
wrote; the counts shown follow a new referral or file at once, read from the figures the
page shows (no count of every case after a case event)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finance.certificates import certificate_issue
from finance.models import Certificate, Referral
from finance.services import listing_introduce
from indicators import sources
from persian.text import to_latin_digits
from tests.factories import days_ago, make_enterprise
from tests.finance.conftest import Finance, bank, introduce
from tests.views_helpers import link, page

pytestmark = pytest.mark.django_db

SIZE = 2


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("finance.views.PAGE_SIZE", SIZE)


def _number(html: str) -> str:
    """The page's "N / M", in Latin digits."""
    match = re.search(r'<span class="page-link">([^<]*)</span>', html)
    assert match, "the page shows no page number"
    return to_latin_digits(match.group(1)).replace(" ", "")


def _referrals(html: str) -> list[int]:
    table = html[html.index('data-testid="referrals"') :]
    return [int(pk) for pk in re.findall(r'href="/finance/referrals/(\d+)/"', table)]


def _walk(client, url: str, rows) -> list[tuple[str, list[int], bool, bool]]:  # type: ignore[no-untyped-def]
    """Every page from the first by "Next", then back by "Previous": (number, rows, has
    previous, has next) of each page seen."""
    seen = []
    html = page(client.get(url))
    while True:
        seen.append((_number(html), rows(html), bool(link(html, "prev")), bool(link(html, "next"))))
        following = link(html, "next")
        if not following:
            break
        html = page(client.get(url + following))
    while previous := link(html, "prev"):
        html = page(client.get(url + previous))
        seen.append((_number(html), rows(html), bool(link(html, "prev")), bool(link(html, "next"))))
    return seen


def test_a_bank_officers_referrals_walk_by_next_and_previous_with_ties_across_pages(
    finance: Finance, client_for
) -> None:
    """Six Melli referrals, three of them on one day (the id orders ties): three pages of
    two, newest first; "Previous" comes back to exactly the rows it left; Mellat's referral
    is on none."""
    for days in (10, 10, 20, 20, 30):
        introduce(make_enterprise(), "melli", days=days)
    expected = list(
        Referral.objects.filter(bank=bank("melli"))
        .order_by("-opened_on", "-case_id")
        .values_list("case_id", flat=True)
    )
    assert len(expected) == 6
    seen = _walk(client_for(finance.melli_officer), reverse("finance_referrals"), _referrals)

    assert [s[0] for s in seen] == ["1/3", "2/3", "3/3", "2/3", "1/3"]
    assert [pk for s in seen[:3] for pk in s[1]] == expected  # none skipped, none twice
    assert seen[3][1] == seen[1][1] and seen[4][1] == seen[0][1]
    assert [(s[2], s[3]) for s in seen] == [
        (False, True), (True, True), (True, False), (True, True), (False, True)
    ]  # fmt: skip
    assert finance.tehran.case_id not in {pk for s in seen for pk in s[1]}


def test_a_deep_page_reads_the_same_queries_as_the_first_with_no_offset(
    finance: Finance, client_for
) -> None:
    """Page 3 is read from the cursor along the bank's index: as many queries as page 1
    and none that skips rows (``OFFSET`` read and threw away every row before the page)."""
    for days in (10, 11, 12, 13, 14, 15, 16):
        introduce(make_enterprise(), "melli", days=days)
    client = client_for(finance.melli_officer)
    url = reverse("finance_referrals")
    with CaptureQueriesContext(connection) as first:
        html = page(client.get(url))
    for _ in range(2):
        html = page(client.get(url + link(html, "next")))
    assert _number(html) == "3/4"
    with CaptureQueriesContext(connection) as deep:
        assert _number(page(client.get(url + link(html, "next")))) == "4/4"
    assert len(deep.captured_queries) == len(first.captured_queries)
    assert not any("OFFSET" in q["sql"].upper() for q in deep.captured_queries)


@pytest.mark.parametrize(
    "query",
    ["after=yesterday", "after=2024-01-01.x", "before=2024-13-01.5", "after=2024-01-01.-5",
     "after=2024-01-01." + "9" * 25],
)  # fmt: skip
def test_a_cursor_no_page_wrote_is_not_found(finance: Finance, client_for, query) -> None:
    client = client_for(finance.melli_officer)
    assert client.get(reverse("finance_referrals") + "?" + query).status_code == 404
    assert client.get(reverse("finance_certificates") + "?" + query).status_code == 404


def test_an_old_page_link_without_a_cursor_shows_the_first_page(
    finance: Finance, client_for
) -> None:
    for days in (10, 11, 12):
        introduce(make_enterprise(), "melli", days=days)
    client = client_for(finance.melli_officer)
    html = page(client.get(reverse("finance_referrals") + "?page=2"))
    assert _number(html) == "1/2" and not link(html, "prev")


def _certificates(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/finance/certificates/(\d+)/"', html)]


def test_the_certificates_of_a_bank_walk_by_next_and_previous_within_the_bank(
    finance: Finance, client_for
) -> None:
    buyer, supplier = make_enterprise(name="خریدار"), make_enterprise(name="فروشنده")
    for n, (code, days) in enumerate(
        [("melli", 5), ("melli", 5), ("mellat", 5), ("melli", 9), ("melli", 9), ("melli", 12)]
    ):
        certificate_issue(
            actor=None, code=f"GAM-{n}", bank=bank(code), buyer=buyer, supplier=supplier,
            amount=1_000_000_000, issued_on=days_ago(days), term_months=6,
        )  # fmt: skip
    expected = list(
        Certificate.objects.filter(bank=bank("melli"))
        .order_by("-issued_on", "-id")
        .values_list("pk", flat=True)
    )
    client = client_for(finance.melli_officer)
    url = reverse("finance_certificates")
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    seen = _walk(client, url, _certificates)

    assert [s[0] for s in seen] == ["1/3", "2/3", "3/3", "2/3", "1/3"]
    assert [pk for s in seen[:3] for pk in s[1]] == expected
    assert seen[3][1] == seen[1][1] and seen[4][1] == seen[0][1]
    html = page(client.get(url))
    html = page(client.get(url + link(html, "next")))
    with CaptureQueriesContext(connection) as deep:
        client.get(url + link(html, "next"))
    assert len(deep.captured_queries) <= len(first.captured_queries)
    assert not any("OFFSET" in q["sql"].upper() for q in deep.captured_queries)


def _count_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def test_the_national_referral_count_is_the_ledgers_and_follows_a_new_referral_at_once(
    finance: Finance, national_admin, client_for, django_capture_on_commit_callbacks
) -> None:
    """After a case event (a new figures version) the national list counts its referrals
    from the ledger it shows (the facts), not by counting every case again; a new
    referral is counted on the next page."""
    client = client_for(national_admin)

    def count() -> int:
        html = page(client.get(reverse("finance_referrals")))
        text = html.split('data-testid="referral-count">')[1].split("</p>")[0]
        return int(to_latin_digits(text.split()[0]).replace(",", "").replace("٬", ""))

    sources.bump_version()
    sources.forget()
    with CaptureQueriesContext(connection) as fresh:
        shown = count()
    assert shown == Referral.objects.count() == 2
    assert _count_queries(fresh) == []
    with django_capture_on_commit_callbacks(execute=True):
        introduce(make_enterprise(name="واحد تازه"), "mellat")
    assert count() == 3


def test_the_national_pipelines_file_count_follows_a_new_file_at_once(
    reference, national_admin, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(national_admin)
    url = reverse("capital_pipeline")
    for n in range(3):
        listing_introduce(actor=None, enterprise=make_enterprise(), date=days_ago(10 + n))

    def pages() -> str:
        return _number(page(client.get(url)))

    sources.bump_version()
    sources.forget()
    with CaptureQueriesContext(connection) as fresh:
        assert pages() == "1/2"
    assert _count_queries(fresh) == []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            listing_introduce(actor=None, enterprise=make_enterprise(), date=days_ago(1 + n))
    assert pages() == "1/3"


def test_the_certificates_page_count_follows_a_new_certificate_at_once(
    finance: Finance, national_admin, client_for, django_capture_on_commit_callbacks
) -> None:
    """The count behind "1 / N" is kept per figures version for national staff and a
    bank's officers: a certificate issued starts a new version, so the next page counts
    it."""
    buyer, supplier = make_enterprise(name="خریدار"), make_enterprise(name="فروشنده")

    def issue(n: int) -> None:
        certificate_issue(
            actor=None, code=f"GAM-{n}", bank=bank("melli"), buyer=buyer, supplier=supplier,
            amount=1_000_000_000, issued_on=days_ago(5 + n), term_months=6,
        )  # fmt: skip

    for n in range(3):
        issue(n)
    url = reverse("finance_certificates")
    for person in (national_admin, finance.melli_officer):
        assert _number(page(client_for(person).get(url))) == "1/2"
    with django_capture_on_commit_callbacks(execute=True):
        issue(3)
        issue(4)
    for person in (national_admin, finance.melli_officer):
        assert _number(page(client_for(person).get(url))) == "1/3"
