"""The revivals' rows page read page after page: every revival of the place once, newest
first, where the unit stood that day (those that moved since included), the number listed
equal to the card's; a deep page starts its read at its cursor, as the first page does."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises import services
from enterprises.models import Status
from indicators import facts, sources
from indicators.catalogue import load_indicators
from persian.text import to_latin_digits
from tests.factories import days_ago, make_enterprise
from tests.views_helpers import page

URL = reverse("indicator_rows", args=["revived"])


def revive(name: str, days: int, **where) -> object:
    unit = make_enterprise(name=name, status=Status.IDLE, status_date=days_ago(300), **where)
    services.enterprise_change_status(
        actor=None, enterprise=unit, to_status=Status.ACTIVE, date=days_ago(days), reason="احیا"
    )
    return unit


@pytest.fixture
def revivals(reference):
    """57 revivals this year in Qom (one of a unit that has moved to Tehran since), and
    one in Tehran of a unit that has moved to Qom since."""
    load_indicators()
    for n in range(56):
        revive(f"احیا {n:02d}", 2 + n % 9, province=reference.qom)
    gone = revive("احیا و رفته", 8, province=reference.qom)
    came = revive("احیا و آمده", 8, province=reference.tehran)
    for unit, province in ((gone, reference.tehran), (came, reference.qom)):
        services.enterprise_move(
            actor=None, enterprise=unit, province=province, park=None, date=days_ago(1), reason=""
        )
    facts.rebuild()
    sources.forget()


def every_page(client, **params: str) -> tuple[list[tuple[str, str]], list[str], str]:
    """(name, date) of every row, page after page; the pages' cursors; the first page."""
    listed: list[tuple[str, str]] = []
    cursors: list[str] = []
    first = html = page(client.get(URL, params))
    while True:
        listed += re.findall(
            r'data-testid="drill-row"><td><a href="[^"]*">([^<]+)</a></td><td>([^<]+)</td>', html
        )
        following = re.search(r'data-testid="rows-next" href="\?[^"]*after=([^"&]+)', html)
        if not following:
            return listed, cursors, first
        assert following.group(1) not in cursors
        cursors.append(following.group(1))
        html = page(client.get(URL, {**params, "after": following.group(1)}))


def test_every_revival_of_the_place_is_listed_once_newest_first_as_the_card_counts(
    national_admin, client_for, revivals
) -> None:
    listed, cursors, first = every_page(client_for(national_admin), province="IR-25")

    names = [name for name, _day in listed]
    assert len(cursors) == 1  # two pages of 50
    assert len(names) == len(set(names)) == 57
    assert "احیا و رفته" in names  # stood in Qom that day
    assert "احیا و آمده" not in names  # in Qom today, in Tehran that day
    days = [to_latin_digits(day) for _name, day in listed]
    assert days == sorted(days, reverse=True)
    figure = re.search(r'data-testid="rows-figure">[^<]*?: ([۰-۹٬]+)', first)
    assert figure and int(to_latin_digits(figure.group(1).replace("٬", ""))) == 57


def test_an_officer_pages_through_the_revivals_of_the_units_they_keep(
    officer_a, client_for, revivals
) -> None:
    listed, _cursors, _first = every_page(client_for(officer_a), province="IR-25")

    names = [name for name, _day in listed]
    assert len(names) == len(set(names)) == 56
    assert "احیا و رفته" not in names  # in Tehran today: not theirs


def test_a_deep_page_starts_its_read_at_its_cursor(national_admin, client_for, revivals) -> None:
    client = client_for(national_admin)
    _listed, cursors, _first = every_page(client, province="IR-25")
    day = cursors[0].split(".")[0]

    with CaptureQueriesContext(connection) as captured:
        client.get(URL, {"province": "IR-25", "after": cursors[0]})

    # The reads of the page's ids (date and id, newest first), one per branch.
    reads = [
        q["sql"]
        for q in captured
        if re.match(r'SELECT "enterprises_statusevent"\."date" AS "date", \S+ AS "id" ', q["sql"])
    ]
    # The cursor's day bounds the walk along the date index by itself (not only inside an
    # OR, which bounds no index: the deep page would then read every newer revival first).
    assert len(reads) == 2
    for sql in reads:
        assert re.search(rf"\.\"date\" <= '?{day}'?(::date)? AND \(", sql), sql
