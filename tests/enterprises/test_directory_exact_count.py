"""Where the directory shows a capped count ("more than N units"), "count exactly" counts
the units behind the same filters in the person's scope on request: the number of rows the
pages list, in Persian digits; a clear message when counting is stopped by its timeout."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from enterprises import selectors
from enterprises.models import Status
from indicators import facts, sources
from indicators.catalogue import load_indicators
from persian.text import to_latin_digits
from tests.access_tables import ROLES, with_two_grants
from tests.factories import make_enterprise
from tests.views_helpers import directory_ids, link, page

DIRECTORY = reverse("enterprise_directory")

# Everyone may ask for the exact count of what they may find in the directory (the count
# is of their own scope; what each role's count holds is tested below).
ACCESS = with_two_grants(
    {"enterprise_directory_count": {"GET": {who: {"-": "page"} for who in ROLES}}}
)


@pytest.mark.parametrize("who", [*ACCESS["enterprise_directory_count"]["GET"]])
def test_everyone_gets_the_exact_count_of_what_they_may_find(
    who, user_of, client_for, reference
) -> None:
    response = client_for(user_of(who)).get(reverse("enterprise_directory_count"))

    assert response.status_code == 200
    assert 'data-testid="exact-count"' in page(response)


@pytest.fixture
def units(reference) -> None:
    """Units of Qom and Tehran, published or not, active or idle."""
    for n in range(4):
        make_enterprise(name=f"قم {n}", province=reference.qom, published=n != 0)
        make_enterprise(
            name=f"تهران {n}", province=reference.tehran, published=n % 2 == 0, status=Status.IDLE
        )
    make_enterprise(name="پارک", park=reference.park_p, published=True)


def every_row(client, params: dict[str, str]) -> list[int]:
    """The units every page lists, following the pages' Next links."""
    response = client.get(DIRECTORY, params)
    found = directory_ids(response)
    while following := link(page(response), "next"):
        response = client.get(DIRECTORY + following)
        found += directory_ids(response)
    return found


def count_link(html: str) -> str:
    found = re.search(r'hx-get="([^"]+)"[^>]*data-testid="count-exactly"', html)
    assert found, "no 'count exactly' on the page"
    return found.group(1).replace("&amp;", "&")


def counted(html: str) -> int:
    found = re.search(r'data-testid="exact-count">([^<]+)<', html)
    assert found, html
    return int(re.sub(r"\D", "", to_latin_digits(found.group(1))))


@pytest.mark.parametrize(
    ("who", "params"),
    [
        *[
            (who, params)
            for who in ("anonymous", "officer_a")
            for params in ({}, {"province": "IR-25"}, {"status": "idle"})
        ],
        # National staff read the figures' number where they carry the filters (below).
        ("national_admin", {"q": "قم"}),
        ("national_admin", {"q": "تهران", "status": "idle"}),
    ],
)
def test_count_exactly_gives_the_number_of_rows_the_pages_list(
    who: str, params: dict[str, Any], request, client_for, units, settings
) -> None:
    settings.DIRECTORY_COUNT_CAP = 1
    settings.DIRECTORY_PAGE_SIZE = 1  # the rows walked page by page
    client = client_for(request.getfixturevalue(who))
    html = page(client.get(DIRECTORY, params))
    assert "بیش از" in html  # capped: "more than ۱"

    response = client.get(count_link(html), headers={"HX-Request": "true"})

    assert response.status_code == 200
    text = response.content.decode()
    assert not re.search(r"[0-9]", re.sub(r"<[^>]+>", "", text))  # Persian digits only
    assert counted(text) == len(every_row(client, params)) > 1


def test_no_count_exactly_where_the_count_is_exact(anonymous, client_for, units) -> None:
    assert 'data-testid="count-exactly"' not in page(client_for(anonymous).get(DIRECTORY))


def test_a_count_stopped_by_its_timeout_says_so(
    national_admin, client_for, units, monkeypatch
) -> None:
    monkeypatch.setattr(selectors, "directory_exact_count", lambda user, query: None)

    response = client_for(national_admin).get(reverse("enterprise_directory_count"))

    text = response.content.decode()
    assert 'data-testid="count-too-slow"' in text
    assert "شمارش بیش از ۳ ثانیه طول کشید" in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement timeout")
def test_postgresql_stops_a_slow_count_and_the_connection_goes_on(
    national_admin, units, monkeypatch
) -> None:
    slow = selectors._filtered

    def sleeping(user: Any, query: Any) -> Any:
        return slow(user, query).extra(where=["pg_sleep(0.1)::text = ''"])

    monkeypatch.setattr(selectors, "_filtered", sleeping)
    query = selectors.DirectoryQuery()

    assert selectors.directory_exact_count(national_admin, query, timeout_ms=50) is None
    monkeypatch.setattr(selectors, "_filtered", slow)
    assert selectors.directory_exact_count(national_admin, query) == 9


# --- the exact number from the figures ------------------------------------------------------


@pytest.fixture
def figures(units) -> None:
    load_indicators()
    facts.rebuild()
    sources.forget()


@pytest.mark.parametrize(
    "params",
    [{}, {"province": "IR-25"}, {"status": "idle"}, {"province": "IR-23", "status": "idle"}],
    ids=["all", "Qom", "idle", "idle in Tehran"],
)
def test_national_staff_read_the_exact_number_where_the_figures_carry_the_filters(
    params: dict[str, Any], national_admin, client_for, figures, settings
) -> None:
    settings.DIRECTORY_COUNT_CAP = 1
    settings.DIRECTORY_PAGE_SIZE = 1
    client = client_for(national_admin)

    html = page(client.get(DIRECTORY, params))

    assert 'data-testid="count-exactly"' not in html
    number = int(re.sub(r"\D", "", to_latin_digits(result_count_text_of(html))))
    assert number == len(every_row(client, params)) > 1


@pytest.mark.parametrize(
    "params", [{"q": "قم"}, {"q": "تهران", "status": "idle"}], ids=["a search", "and a status"]
)
def test_filters_the_figures_do_not_carry_leave_the_count_to_be_asked_for(
    params: dict[str, Any], national_admin, client_for, figures, settings
) -> None:
    settings.DIRECTORY_COUNT_CAP = 0
    html = page(client_for(national_admin).get(DIRECTORY, params))

    assert "بیش از" in result_count_text_of(html)


def test_a_person_who_does_not_see_every_unit_gets_the_count_on_request(
    officer_a, client_for, figures, settings
) -> None:
    settings.DIRECTORY_COUNT_CAP = 1
    html = page(client_for(officer_a).get(DIRECTORY))

    assert "بیش از" in result_count_text_of(html)
    assert 'data-testid="count-exactly"' in html


def result_count_text_of(html: str) -> str:
    found = re.search(r'data-testid="result-count">(.*?)</span>', html, re.S)
    assert found
    return found.group(1)
