"""What a rows page shows of each unit (park, province, status then and since when,
employees, size band, the park's kind and ownership), read for the page's rows only; its
count in Persian digits, the card's; and its download (CSV and XLSX) with the definition,
the date and the figure on top, the page's scope and rate limit."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from enterprises import services
from enterprises.models import Status
from indicators import facts, rows, selectors, sources
from indicators.catalogue import load_indicators
from indicators.models import Indicator
from indicators.sources import Place
from persian.jalali import format_date
from persian.text import to_latin_digits, to_persian_digits
from tests.factories import days_ago, make_enterprise
from tests.views_helpers import page

THEN = days_ago(60)


def count_text(html: str) -> str:
    found = re.search(r'data-testid="rows-count">(.*?)<', html)
    assert found
    return found.group(1)


def listed(html: str) -> list[str]:
    return re.findall(r'data-testid="drill-row"><td><a href="[^"]*">([^<]+)</a>', html)


def row_of(html: str, name: str) -> str:
    found = re.search(rf'data-testid="drill-row"><td><a href="[^"]*">{name}</a>(.*?)</tr>', html)
    assert found, name
    return found.group(1)


@pytest.fixture
def parked(reference):
    """An idle unit of park P with 22 employees, idle from 100 days ago, active again from
    30 days ago; and a unit of Qom outside any park with 130."""
    load_indicators()
    revived = make_enterprise(
        name="ریسندگی شکوهیه",
        park=reference.park_p,
        status=Status.IDLE,
        status_date=days_ago(100),
        employees=22,
        published=True,
    )
    services.enterprise_change_status(
        actor=None, enterprise=revived, to_status=Status.ACTIVE, date=days_ago(30), reason="احیا"
    )
    make_enterprise(name="فولاد قم", province=reference.qom, employees=130, published=True)
    facts.rebuild()
    sources.forget()
    return revived


def of_rows(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if re.search(r'FROM "(enterprises_\w+|places_park)"', q["sql"])
    ]


def get(client, key: str, **params: str):
    return client.get(reverse("indicator_rows", args=[key]), params)


def test_each_row_tells_park_kind_ownership_employees_size_and_since_when(
    national_admin, client_for, parked, reference
) -> None:
    then = format_date(THEN, persian_digits=False)
    html = page(get(client_for(national_admin), "units", as_of=then, province="IR-25"))

    row = row_of(html, "ریسندگی شکوهیه")
    assert "راکد" in row  # idle that day
    assert format_date(days_ago(100)) in row  # since when, in Persian digits
    assert reference.park_p.name in row
    assert str(reference.park_p.get_kind_display()) in row
    assert str(reference.park_p.get_ownership_display()) in row
    assert "۲۲" in row
    assert "کوچک" in row  # small (10–49)
    outside = row_of(html, "فولاد قم")
    assert "۱۳۰" in outside and "بزرگ" in outside


def test_since_when_is_left_blank_for_a_unit_whose_history_the_person_may_not_see(
    anonymous, client_for, parked
) -> None:
    html = page(get(client_for(anonymous), "units", province="IR-25"))

    row = row_of(html, "ریسندگی شکوهیه")
    assert re.search(r'data-testid="row-since"></td>', row)
    assert "۲۲" in row  # what the directory shows is still there


def test_a_page_of_fifty_rows_costs_the_queries_of_a_page_of_two(
    national_admin, client_for, reference
) -> None:
    load_indicators()
    for n in range(2):
        make_enterprise(name=f"الف {n}", park=reference.park_p, status_date=days_ago(200))
    facts.rebuild()
    sources.forget()
    client = client_for(national_admin)
    then = format_date(days_ago(100), persian_digits=False)
    asked = {"as_of": then, "province": "IR-25"}
    get(client, "units", **asked)  # warm: the session, the figures

    with CaptureQueriesContext(connection) as few:
        assert len(listed(page(get(client, "units", **asked)))) == 2
    for n in range(60):
        unit = make_enterprise(
            name=f"ب {n:02d}", park=reference.park_p, status_date=days_ago(200), employees=n
        )
        if n % 2:  # half of them changed status since the date: their "since" is probed
            services.enterprise_change_status(
                actor=None, enterprise=unit, to_status="idle", date=days_ago(10), reason="-"
            )
    facts.rebuild()
    sources.forget()
    get(client, "units", **asked)
    with CaptureQueriesContext(connection) as many:
        assert len(listed(page(get(client, "units", **asked)))) == rows.PAGE_SIZE

    # The rows' tables only (the figures' own reads depend on when their version was last
    # read): the page's two branches (units that stayed, units that moved since: their keys),
    # the page's units by those keys, their head counts, and the day their status began for
    # those that changed since — whatever the number of rows.
    assert len(of_rows(few)) <= 5
    assert len(of_rows(many)) <= 5
    assert any("enterprises_statusevent" in q.split(" FROM ")[1] for q in of_rows(many))


@pytest.mark.parametrize("key", ["units", "units-active", "units-idle", "units-in-parks"])
@pytest.mark.parametrize("days", [0, 60], ids=["today", "a past date"])
@pytest.mark.parametrize("where", ["", "IR-25"])
def test_the_count_is_the_cards_number_in_persian_digits(
    key, days, where, national_admin, client_for, parked, reference
) -> None:
    as_of = days_ago(days)
    params = {"as_of": format_date(as_of, persian_digits=False)}
    place = Place("c")
    if where:
        params["province"] = where
        place = Place("p", reference.qom.pk)
    card = selectors.value_of(Indicator.objects.get(key=key), place, as_of)

    text = count_text(page(get(client_for(national_admin), key, **params)))

    assert to_persian_digits(str(card)) in text
    assert not re.search(r"[0-9]", text)  # no Latin digit
    assert int(re.sub(r"\D", "", to_latin_digits(text))) == card


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_rows_download_as_csv_with_the_definition_date_and_figure_on_top(
    national_admin, client_for, parked, reference
) -> None:
    then = format_date(THEN, persian_digits=False)
    indicator = Indicator.objects.get(key="units-idle")

    response = get(
        client_for(national_admin), "units-idle", as_of=then, province="IR-25", export="csv"
    )

    assert response.status_code == 200
    assert response.streaming  # read as it is sent
    assert "attachment" in response["Content-Disposition"]
    lines = _csv(response)
    head = [line[0] for line in lines[: lines.index([])]]
    assert head[0] == indicator.name
    assert any(format_date(THEN) in line for line in head)  # the date, Persian digits
    assert any(indicator.definition in line for line in head)
    assert any("قم" in line for line in head)
    header = lines[lines.index([]) + 1]
    data = {row[0]: dict(zip(header, row, strict=True)) for row in lines[lines.index([]) + 2 :]}
    assert set(data) == {"ریسندگی شکوهیه"}
    row = data["ریسندگی شکوهیه"]
    assert row["تعداد کارکنان"] == "22"
    assert row["از"] == format_date(days_ago(100), persian_digits=False)
    assert row["شهرک یا ناحیه در آن تاریخ"] == reference.park_p.name


def test_the_rows_download_as_xlsx_with_the_head_rows_on_top(
    national_admin, client_for, parked
) -> None:
    response = get(client_for(national_admin), "units", province="IR-25", export="xlsx")

    assert response.status_code == 200
    assert response.streaming  # written as it is sent
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.sheet_view.rightToLeft
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == [Indicator.objects.get(key="units").name]
    assert any(
        Indicator.objects.get(key="units").definition in " ".join(map(str, row)) for row in values
    )
    names = [row[0] for row in values[values.index([]) + 2 :]]
    assert set(names) == {"ریسندگی شکوهیه", "فولاد قم"}


def test_a_download_holds_the_rows_of_the_persons_scope_only(
    officer_b, client_for, parked, reference
) -> None:
    make_enterprise(name="پنهان قم", province=reference.qom, published=False)

    lines = _csv(get(client_for(officer_b), "units", province="IR-25", export="csv"))

    names = {row[0] for row in lines[lines.index([]) + 2 :]}
    assert "پنهان قم" not in names
    assert "فولاد قم" in names  # published


def test_an_unknown_format_is_not_found(national_admin, client_for, parked) -> None:
    assert get(client_for(national_admin), "units", export="pdf").status_code == 404


def test_downloads_of_rows_count_against_the_download_limit(settings, parked, client) -> None:
    settings.PISHRAN_RATE_LIMITS_ENABLED = True
    settings.PISHRAN_RATE_LIMITS = {
        "exports": {"person": 2, "address": 2},
        "rows": {"person": 100, "address": 100},
    }

    statuses = [get(client, "units", export="csv").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert get(client, "units").status_code == 200  # the page itself is not a download


def test_on_a_past_date_a_row_shows_the_employees_and_size_band_of_that_date(
    national_admin, client_for, parked, reference
) -> None:
    services.enterprise_record_measures(
        actor=None, enterprise=parked, date=days_ago(20), employees=60
    )
    client = client_for(national_admin)
    then = format_date(THEN, persian_digits=False)

    row = row_of(page(get(client, "units", as_of=then, province="IR-25")), "ریسندگی شکوهیه")
    assert "۲۲" in row and "کوچک" in row  # 22 employees that day: small
    row = row_of(page(get(client, "units", province="IR-25")), "ریسندگی شکوهیه")
    assert "۶۰" in row and "متوسط" in row  # today: 60, medium


@pytest.mark.parametrize("who", ["national_admin", "officer_a"])
def test_a_size_band_lists_a_unit_in_the_band_of_that_dates_head_count_as_the_card(
    who, request, client_for, parked, reference
) -> None:
    """22 employees until 20 days ago (small), 60 since (medium): 60 days ago the unit is
    counted and listed as small, 10 days ago as medium — the card's figure and the rows
    agree, whoever looks (the figure for national staff, the rows counted for an officer)."""
    services.enterprise_record_measures(
        actor=None, enterprise=parked, date=days_ago(20), employees=60
    )
    facts.rebuild()
    sources.forget()
    client = client_for(request.getfixturevalue(who))
    operating = Indicator.objects.get(key="units")
    place = Place("p", reference.qom.pk)

    for days, band, other in ((60, "small", "medium"), (10, "medium", "small")):
        as_of = days_ago(days)
        when = format_date(as_of, persian_digits=False)
        for size, held in ((band, True), (other, False)):
            html = page(get(client, "units", as_of=when, province="IR-25", size=size))
            card = selectors.breakdown(operating, place, as_of, "size").get(size, 0)
            assert ("ریسندگی شکوهیه" in listed(html)) is held, (days, size)
            assert len(listed(html)) == card, (days, size)
            assert int(re.sub(r"\D", "", to_latin_digits(count_text(html)))) == card
