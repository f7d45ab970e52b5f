"""Units and jobs by park kind and ownership (state / private parks and zones, outside parks),
by status, at the country and a province as of any date: every number opens rows that state
the same count; and the parks and zones per province by kind × ownership, with their names,
as of a date."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from enterprises import services
from enterprises.models import Enterprise, Status
from indicators import facts, rows, sources
from indicators.catalogue import load_indicators
from indicators.models import Indicator
from persian.jalali import format_date
from persian.templatetags.persian import num
from persian.text import to_latin_digits
from places.models import Park
from tests.factories import QOM, TEHRAN, days_ago, make_enterprise, make_officer, make_park
from tests.views_helpers import page

PAST = 40  # days ago: before the moves below


@pytest.fixture
def parks(reference):
    """Qom: its state park P (and P2), a private park, a state zone and a private zone
    (established 100 days ago), a private park established 10 days ago; Tehran's park."""
    Park.objects.filter(pk__in=[reference.park_p.pk, reference.park_p2.pk]).update(
        kind="park", ownership="state", established_on=None
    )
    return {
        "private_park": make_park(
            name="شهرک خصوصی آزمون", kind="park", ownership="private", established_on=days_ago(100)
        ),
        "state_zone": make_park(
            name="ناحیه دولتی آزمون", kind="zone", ownership="state", established_on=days_ago(100)
        ),
        "private_zone": make_park(
            name="ناحیه خصوصی آزمون", kind="zone", ownership="private", established_on=days_ago(100)
        ),
        "young": make_park(
            name="شهرک خصوصی تازه", kind="park", ownership="private", established_on=days_ago(10)
        ),
    }


@pytest.fixture
def seeded(reference, parks):
    """Units in every kind × ownership and outside parks, in several statuses and head
    counts; two moved since ``PAST`` (a private zone's unit to the state park, a unit
    outside parks into the private park); facts rebuilt."""
    load_indicators()
    at = {
        "state_park": reference.park_p,
        "private_park": parks["private_park"],
        "state_zone": parks["state_zone"],
        "private_zone": parks["private_zone"],
    }
    n = 0
    for where, park in at.items():
        for status, employees in (
            (Status.ACTIVE, 20),
            (Status.IDLE, 7),
            (Status.UNDER_CONSTRUCTION, 3),
            (Status.SEMI_ACTIVE, 15),
        ):
            n += 1
            make_enterprise(name=f"واحد {where} {n}", park=park, status=status, employees=employees)
    make_enterprise(name="واحد بیرون قم", province=reference.qom, employees=11)
    make_enterprise(name="واحد بسته بیرون", province=reference.qom, status=Status.CLOSED)
    make_enterprise(name="واحد تهران", park=reference.park_tehran, employees=40)
    mover = make_enterprise(name="واحد جابه‌جا", park=parks["private_zone"], employees=9)
    comer = make_enterprise(name="واحد آمده", province=reference.qom, employees=5)
    for unit, park in ((mover, reference.park_p), (comer, parks["private_park"])):
        services.enterprise_move(
            actor=None,
            enterprise=unit,
            province=reference.qom,
            park=park,
            date=days_ago(5),
            reason="انتقال",
        )
    facts.rebuild()
    sources.forget()


def table_links(html: str) -> list[tuple[str, str, str]]:
    """(units|jobs, link, number) of every number of the by-park-kind table."""
    table = html.split('data-testid="by-park-kind"', 1)[1].split("</table>", 1)[0]
    return [
        (kind, unescape(link), number)
        for link, kind, number in re.findall(
            r'<a href="([^"]+)" data-testid="park-dims-(units|jobs)">([^<]+)</a>', table
        )
    ]


def stated_count(html: str) -> int:
    text = re.search(r'data-testid="rows-count">([^<]*)<', html)
    assert text is not None
    return int(to_latin_digits(re.sub(r"[^\d۰-۹]", "", text.group(1))))


def employees_listed(html: str) -> int:
    cells = re.findall(r'data-testid="row-employees">([^<]*)<', html)
    return sum(int(to_latin_digits(c.replace("٬", "").replace(",", ""))) for c in cells)


def as_of(days: int) -> dict[str, str]:
    return {"as_of": format_date(days_ago(days), persian_digits=False)}


@pytest.mark.parametrize("days", [0, PAST], ids=["today", "a past date"])
@pytest.mark.parametrize("where", ["country", "province"])
def test_every_number_opens_rows_that_state_it(
    where, days, national_admin, client_for, seeded
) -> None:
    client = client_for(national_admin)
    url = reverse("home") if where == "country" else reverse("province_detail", args=["IR-25"])
    html = page(client.get(url, as_of(days)))
    links = table_links(html)
    assert len(links) == 6 * 7  # five groups and the total × five statuses, all, jobs
    for kind, link, number in links:
        rows = page(client.get(link))
        value = int(to_latin_digits(number.replace("٬", "")))
        if kind == "units":
            assert stated_count(rows) == value, (link, number)
            assert rows.count('data-testid="drill-row"') == value, link
        else:  # the jobs: the employees of the rows listed
            assert employees_listed(rows) == value, (link, number)


@pytest.mark.parametrize("days", [0, PAST], ids=["today", "a past date"])
def test_a_large_group_read_along_the_name_order_lists_the_same_rows(
    days, national_admin, client_for, seeded, monkeypatch
) -> None:
    """The rows of a group holding many units are read by walking the name order (the
    park said of an expression); the same rows and counts as read by the park."""
    client = client_for(national_admin)
    url = reverse("province_detail", args=["IR-25"])
    links = table_links(page(client.get(url, as_of(days))))
    by_park = [page(client.get(link)) for _kind, link, _n in links]
    monkeypatch.setattr(rows, "_small_group", lambda asked: False)
    along = [page(client.get(link)) for _kind, link, _n in links]
    for (kind, link, number), first, second in zip(links, by_park, along, strict=True):
        names = re.findall(r'data-testid="drill-row"><td><a href="([^"]+)"', first)
        assert re.findall(r'data-testid="drill-row"><td><a href="([^"]+)"', second) == names
        if kind == "units":
            assert stated_count(second) == int(to_latin_digits(number.replace("٬", ""))), link


def test_the_groups_hold_where_units_stood_that_day(national_admin, client_for, seeded) -> None:
    client = client_for(national_admin)
    url = reverse("province_detail", args=["IR-25"])

    def line(html: str, label: str) -> list[str]:
        row = re.search(rf"<th[^>]*>{label}</th>(.*?)</tr>", html, re.S)
        assert row is not None, label
        return re.findall(r'data-testid="park-dims-\w+">([^<]+)<', row.group(1))

    today, before = page(client.get(url)), page(client.get(url, as_of(PAST)))
    # Statuses: under construction, active, semi-active, idle, closed; all; jobs.
    zone = "ناحیه‌های صنعتی غیردولتی"
    assert line(before, zone) == [num(x) for x in (1, 2, 1, 1, 0, 5, 51)]
    assert line(today, zone) == [num(x) for x in (1, 1, 1, 1, 0, 4, 42)]
    outside = "بیرون از شهرک‌ها و نواحی"
    assert line(before, outside) == [num(x) for x in (0, 2, 0, 0, 1, 3, 16)]
    assert line(today, outside) == [num(x) for x in (0, 1, 0, 0, 1, 2, 11)]


def test_the_total_line_is_the_cards_figure(national_admin, client_for, seeded) -> None:
    html = page(client_for(national_admin).get(reverse("home")))
    total = re.search(r"<tfoot>(.*?)</tfoot>", html.split('data-testid="by-park-kind"')[1], re.S)
    assert total is not None
    numbers = re.findall(r'data-testid="park-dims-\w+">([^<]+)<', total.group(1))
    units = sources.source_for("registry").value(  # type: ignore[union-attr]
        Indicator.objects.get(key="units"), sources.COUNTRY, days_ago(0)
    )
    jobs = sources.source_for("registry").value(  # type: ignore[union-attr]
        Indicator.objects.get(key="jobs"), sources.COUNTRY, days_ago(0)
    )
    assert numbers[-2:] == [num(units), num(jobs)]


def test_an_officer_reads_the_same_count_in_their_province(client_for, seeded) -> None:
    officer = make_officer("IR-25")
    client = client_for(officer)
    html = page(client.get(reverse("province_detail", args=["IR-25"]), as_of(PAST)))
    for kind, link, number in table_links(html):
        if kind == "units":
            assert stated_count(page(client.get(link))) == int(
                to_latin_digits(number.replace("٬", ""))
            ), link


def test_the_public_sees_the_published_figures_only(anonymous, client_for, seeded) -> None:
    client = client_for(anonymous)
    assert 'data-testid="by-park-kind"' in page(client.get(reverse("home")))
    Indicator.objects.filter(key="jobs").update(is_public=False)
    sources.forget()
    html = page(client.get(reverse("home"), {"as_of": "1403/01/01"}))
    assert 'data-testid="by-park-kind"' not in html
    assert client.get(reverse("park_kind_units"), {"export": "csv"}).status_code == 404


def test_the_rows_page_states_its_narrowing_and_refuses_an_unknown_one(
    national_admin, client_for, seeded
) -> None:
    client = client_for(national_admin)
    url = reverse("indicator_rows", args=["units"])
    html = page(client.get(url, {"park_kind": "zone", "ownership": "private"}))
    narrowed = re.search(r'data-testid="rows-narrowed">([^<]*)<', html)
    assert narrowed is not None
    assert "ناحیه" in narrowed.group(1) and "غیردولتی" in narrowed.group(1)
    assert client.get(url, {"park_kind": "estate"}).status_code == 404
    assert client.get(url, {"ownership": "public"}).status_code == 404
    download = client.get(url, {"park_kind": "none", "export": "csv"})
    text = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
    assert "بیرون از شهرک‌ها و نواحی" in text
    assert "واحد بیرون قم" in text and "واحد state_park" not in text


def test_the_table_has_a_page_of_its_own_that_downloads_it(
    national_admin, client_for, seeded
) -> None:
    client = client_for(national_admin)
    html = page(client.get(reverse("province_detail", args=["IR-25"]), as_of(PAST)))
    own = re.search(r'href="([^"]+)" data-testid="park-dims-page"', html)
    assert own is not None
    alone = page(client.get(unescape(own.group(1))))
    assert table_links(alone) == table_links(html)
    text = client.get(unescape(own.group(1)) + "&export=csv").content.decode()
    # The private zones' line: under construction, active, semi-active, idle, closed, all, jobs.
    assert "ناحیه‌های صنعتی غیردولتی,۱,۲,۱,۱,۰,۵,۵۱" in text.replace("\r", "") or (
        "ناحیه‌های صنعتی غیردولتی,1,2,1,1,0,5,51" in text
    )
    assert client.get(reverse("park_kind_units"), {"province": "IR-99"}).status_code == 404


def test_parks_and_zones_per_province_by_kind_and_ownership(
    anonymous, client_for, seeded, parks
) -> None:
    client = client_for(anonymous)
    url = reverse("park_counts")
    html = page(client.get(url, as_of(PAST)))
    qom = re.search(r'<tr data-testid="park-counts-line">(?:(?!</tr>).)*قم(.*?)</tr>', html, re.S)
    assert qom is not None
    cells = re.findall(
        r'<a class="num" href="([^"]+)" data-testid="park-count">([^<]+)</a>'
        r'|<td class="text-center num">(\S+?)</td>',
        qom.group(1),
    )
    assert parks["young"].name not in qom.group(1)  # established after the date
    assert parks["private_zone"].name in qom.group(1)
    for link, number, _plain in cells:
        if link:  # the list of those parks states the same count
            listed = page(client.get(unescape(link)))
            count = re.search(r'data-testid="rows-count">([^<]*)<', listed)
            assert count is not None and number in count.group(1), (link, number)
    today = page(client.get(url))
    assert parks["young"].name in today
    counts = client.get(url, {**as_of(PAST), "export": "csv"}).content.decode()
    qom_line = next(line for line in counts.splitlines() if line.startswith("قم,"))
    # State parks (P, P2 and the reference's others in Qom), private parks, state zones,
    # private zones: as the page shows them.
    shown = [number for _link, number, _plain in cells if number]
    assert qom_line.split(",")[2:5] == [to_latin_digits(n) for n in shown[1:4]] or (
        qom_line.split(",")[2:5] == shown[1:4]
    )
    names = client.get(url, {**as_of(PAST), "export": "xlsx"})
    assert names.status_code == 200 and "attachment" in names["Content-Disposition"]


def test_the_park_list_as_of_a_date_names_the_parks_that_existed(
    anonymous, client_for, parks
) -> None:
    client = client_for(anonymous)
    html = page(client.get(reverse("park_list"), {**as_of(PAST), "province": "IR-25"}))
    assert parks["private_zone"].name in html
    assert parks["young"].name not in html
    assert 'data-testid="parks-as-of"' in html


def test_an_officer_reads_their_provinces_units_from_history_and_the_others_as_today(
    client_for, seeded
) -> None:
    """On the country's rows of a past date narrowed by park kind and ownership, an officer
    reads the units of their own province where they stood that day (the unit that has
    since left a private zone for a state park is listed under the private zones) and
    every other unit they see as it is today (the same unit, published, under the state
    parks for an officer of another province); each page states the rows it lists."""
    Enterprise.objects.filter(name="واحد جابه‌جا").update(published=True)
    url = reverse("indicator_rows", args=["units"])
    private_zones = {"park_kind": "zone", "ownership": "private", **as_of(PAST)}
    state_parks = {"park_kind": "park", "ownership": "state", **as_of(PAST)}
    qom, tehran = client_for(make_officer(QOM)), client_for(make_officer(TEHRAN))
    for client, listed_in, not_in in (
        (qom, private_zones, state_parks),
        (tehran, state_parks, private_zones),
    ):
        there, elsewhere = page(client.get(url, listed_in)), page(client.get(url, not_in))
        assert "واحد جابه‌جا" in there
        assert "واحد جابه‌جا" not in elsewhere
        for html in (there, elsewhere):
            assert stated_count(html) == html.count('data-testid="drill-row"')
