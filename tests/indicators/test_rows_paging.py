"""The rows behind a registry figure, read the fast way (``indicators.rows``): on a past
date they are the units that had that status there on that date — units moved or changed
since included —, their count is the card's, and the pages follow one another in name
order, as deep as the list goes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.scope import Scope
from enterprises import services
from enterprises.models import LocationEvent, Status
from indicators import facts, rows, selectors, sources
from indicators.catalogue import load_indicators
from indicators.models import Indicator
from indicators.sources import Place
from persian.jalali import format_date
from persian.text import to_latin_digits
from tests.factories import days_ago, make_enterprise
from tests.views_helpers import page

THEN = days_ago(60)


def listed(html: str) -> list[str]:
    return re.findall(r'data-testid="drill-row"><td><a href="[^"]*">([^<]+)</a>', html)


def count_on(html: str) -> int:
    found = re.search(r'data-testid="rows-count">(.*?)<', html)
    assert found
    return int(re.sub(r"\D", "", to_latin_digits(found.group(1))))


@pytest.fixture
def history(reference):
    """Units of Qom and Tehran whose status or place changed after ``THEN``."""
    load_indicators()
    qom, tehran = reference.qom, reference.tehran
    units = {
        # idle then, active today
        "revived": make_enterprise(name="احیا شده قم", province=qom, status=Status.IDLE),
        # in Qom then, moved to Tehran since
        "left": make_enterprise(name="رفته از قم", province=qom, status=Status.IDLE),
        # in Tehran then, moved to Qom since
        "came": make_enterprise(name="آمده به قم", province=tehran, status=Status.IDLE),
        # in Qom all along, idle all along
        "stayed": make_enterprise(name="مانده در قم", province=qom, status=Status.IDLE),
        # registered after the date
        "new": make_enterprise(
            name="تازه قم", province=qom, status=Status.IDLE, status_date=days_ago(10)
        ),
        # idle in park P then, outside any park since
        "park_left": make_enterprise(name="بیرون از شهرک", park=reference.park_p, status="idle"),
    }
    services.enterprise_change_status(
        actor=None,
        enterprise=units["revived"],
        to_status=Status.ACTIVE,
        date=days_ago(30),
        reason="احیا",
    )
    services.enterprise_move(
        actor=None,
        enterprise=units["left"],
        province=tehran,
        park=None,
        date=days_ago(20),
        reason="",
    )
    services.enterprise_move(
        actor=None, enterprise=units["came"], province=qom, park=None, date=days_ago(20), reason=""
    )
    services.enterprise_move(
        actor=None,
        enterprise=units["park_left"],
        province=qom,
        park=None,
        date=days_ago(20),
        reason="",
    )
    facts.rebuild()
    sources.forget()
    return units


def rows_page(client, key: str, **params: str) -> str:
    response = client.get(reverse("indicator_rows", args=[key]), params)
    assert response.status_code == 200
    return page(response)


def test_the_rows_of_a_past_date_are_the_units_there_with_that_status_that_day(
    national_admin, client_for, history
) -> None:
    client = client_for(national_admin)
    then = format_date(THEN, persian_digits=False)

    idle_in_qom_then = set(listed(rows_page(client, "units-idle", as_of=then, province="IR-25")))
    idle_in_qom_today = set(listed(rows_page(client, "units-idle", province="IR-25")))

    assert idle_in_qom_then == {"احیا شده قم", "رفته از قم", "مانده در قم", "بیرون از شهرک"}
    assert idle_in_qom_today == {"آمده به قم", "مانده در قم", "تازه قم", "بیرون از شهرک"}


def test_a_park_on_a_past_date_lists_the_units_that_stood_in_it_that_day(
    national_admin, client_for, history, reference
) -> None:
    client = client_for(national_admin)
    then = format_date(THEN, persian_digits=False)
    park = str(reference.park_p.pk)

    assert "بیرون از شهرک" in listed(rows_page(client, "units-idle", as_of=then, park=park))
    assert "بیرون از شهرک" not in listed(rows_page(client, "units-idle", park=park))


def test_an_officer_sees_the_past_of_the_units_of_their_province_as_an_administrator_does(
    national_admin, officer_a, client_for, history
) -> None:
    then = format_date(THEN, persian_digits=False)
    asked = {"as_of": then, "province": "IR-25"}

    admin = listed(rows_page(client_for(national_admin), "units-idle", **asked))
    officer_page = rows_page(client_for(officer_a), "units-idle", **asked)

    # the unit that left for Tehran is no longer the officer's: it is judged by today
    assert set(listed(officer_page)) == set(admin) - {"رفته از قم"}
    # and their count is of the rows they see, not of the figure
    assert count_on(officer_page) == len(listed(officer_page)) == len(admin) - 1


@pytest.mark.parametrize("key", ["units", "units-idle", "units-active", "units-in-parks", "jobs"])
@pytest.mark.parametrize("days", [0, 60], ids=["today", "a past date"])
@pytest.mark.parametrize("where", ["", "IR-25", "IR-23"])
def test_the_count_on_the_rows_page_is_the_figure_on_the_card(
    key, days, where, national_admin, client_for, history, reference
) -> None:
    indicator = Indicator.objects.get(key=key)
    as_of = days_ago(days)
    params = {"as_of": format_date(as_of, persian_digits=False)}
    place = Place("c")
    if where:
        params["province"] = where
        place = Place("p", (reference.qom if where == "IR-25" else reference.tehran).pk)
    units_indicator = Indicator.objects.get(key="units-operating") if key == "jobs" else indicator

    html = rows_page(client_for(national_admin), key, **params)

    if key != "jobs":
        assert count_on(html) == selectors.value_of(indicator, place, as_of)
    else:  # the units behind the jobs: the operating units (jobs count operating units)
        assert count_on(html) == selectors.value_of(units_indicator, place, as_of)
    assert count_on(html) == len(listed(html))


def test_deep_pages_follow_one_another_in_name_order(
    national_admin, anonymous, client_for, history, monkeypatch
) -> None:
    monkeypatch.setattr(rows, "PAGE_SIZE", 2)
    for name in ("ب", "پ", "ت", "ث", "ج"):
        make_enterprise(name=f"{name} واحد", province="IR-25", published=True)
    url = reverse("indicator_rows", args=["units"])
    for who in (national_admin, anonymous):
        client = client_for(who)
        html = rows_page(client, "units", province="IR-25")
        pages = [listed(html)]
        while 'data-testid="rows-next"' in html:
            after = re.search(r'data-testid="rows-next" href="\?([^"]*)"', html)
            assert after
            html = page(client.get(url + "?" + after.group(1).replace("&amp;", "&")))
            pages.append(listed(html))
        everything = [name for one in pages for name in one]
        back = re.search(r'data-testid="rows-previous" href="\?([^"]*)"', html)

        assert all(len(one) == 2 for one in pages[:-1])
        assert len(everything) == len(set(everything))
        expected = list(
            rows.units_then(Scope.of(who), days_ago(0))
            .filter(province_id=history["stayed"].province_id)
            .order_by("sort_key", "id")
            .values_list("name", flat=True)
        )
        assert everything == expected, (" ".join(everything), " ".join(expected))
        if len(pages) > 1:
            assert back
            previous = page(client.get(url + "?" + back.group(1).replace("&amp;", "&")))
            assert listed(previous) == pages[-2]


def test_a_cursor_no_page_wrote_is_not_found(national_admin, client_for, history) -> None:
    response = client_for(national_admin).get(
        reverse("indicator_rows", args=["units"]), {"after": "not a cursor"}
    )

    assert response.status_code == 404


def test_moves_close_the_place_a_unit_left_and_a_bulk_fill_agrees(history) -> None:
    kept = dict(LocationEvent.objects.values_list("pk", "valid_until"))
    LocationEvent.objects.update(valid_until=None)

    services.location_events_close()

    assert dict(LocationEvent.objects.values_list("pk", "valid_until")) == kept
    left = LocationEvent.objects.filter(enterprise=history["left"]).order_by("date", "id")
    assert [e.valid_until for e in left] == [days_ago(20), None]


@pytest.mark.parametrize("days", [0, 60], ids=["today", "a past date"])
def test_a_breakdown_cells_rows_are_counted_as_the_cell_on_the_dashboard(
    days, national_admin, client_for, history, reference
) -> None:
    as_of = days_ago(days)
    operating = Indicator.objects.get(key="units-operating")
    units = Indicator.objects.get(key="units")
    place = Place("p", reference.qom.pk)
    cells = [
        (operating, "group", reference.group.key, str(reference.group.pk)),
        (operating, "size", "micro", "micro"),
        (units, "status", Status.IDLE, Status.IDLE),
    ]
    for indicator, dim, asked, cell in cells:
        html = rows_page(
            client_for(national_admin),
            indicator.key,
            as_of=format_date(as_of, persian_digits=False),
            province="IR-25",
            **{dim: asked},
        )

        expected = selectors.breakdown(indicator, place, as_of, dim).get(cell, 0)
        assert count_on(html) == expected == len(listed(html)), (dim, asked)
