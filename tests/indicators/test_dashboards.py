"""What officials read on the dashboards: the figures, their "as of", targets, and the
rows behind every number (scoped)."""

from __future__ import annotations

import html as html_lib
import json
import re
from decimal import Decimal

import jdatetime
import pytest
from django.urls import reverse

from enterprises import services
from enterprises.models import Status
from indicators import facts
from indicators.catalogue import load_indicators
from indicators.models import Indicator, Target
from persian.jalali import format_date, parse, year_of
from persian.text import to_latin_digits, to_persian_digits
from tests.factories import days_ago, make_enterprise
from tests.views_helpers import page


def _number(text: str) -> int:
    return int(to_latin_digits(text).replace("٬", "").replace(",", ""))


def card(html: str, key: str) -> tuple[str, str]:
    """(link, figure) of a headline card."""
    match = re.search(
        rf'<a class="stat-value" href="([^"]+)" data-testid="card-{key}">([^<]+)</a>', html
    )
    if match:
        return match.group(1).replace("&amp;", "&"), match.group(2)
    match = re.search(rf'data-testid="card-{key}">([^<]+)</div>', html)
    assert match, f"no card {key}"
    return "", match.group(1)


def make_idle(actor, unit, date) -> None:
    """The unit's status changed to idle on ``date``, through the service (committed)."""
    services.enterprise_change_status(
        actor=actor, enterprise=unit, to_status=Status.IDLE, date=date, reason="قطع برق"
    )


@pytest.fixture
def built(registry, reference):
    """The registry fixture plus an idle and a closed unit in Qom, facts rebuilt."""
    load_indicators()
    make_enterprise(province=reference.qom, status=Status.IDLE, status_date=days_ago(50))
    make_enterprise(park=reference.park_p2, status=Status.CLOSED, status_date=days_ago(50))
    facts.rebuild()
    return registry


def test_the_country_page_shows_every_unit_in_persian_digits_and_links_to_them(
    anonymous, national_admin, client_for, built
) -> None:
    html = page(client_for(anonymous).get(reverse("home")))

    link, figure = card(html, "units")
    assert figure == "۸"
    assert 'data-testid="as-of"' in html
    assert 'data-choropleth="national-map"' in html and 'data-chart="series-data"' in html
    listed = page(client_for(national_admin).get(link)).count('data-testid="drill-row"')
    assert listed == 8


def test_each_province_figure_lists_the_same_number_of_rows(
    national_admin, client_for, built
) -> None:
    client = client_for(national_admin)
    html = page(client.get(reverse("province_detail", args=["IR-25"])))

    for key, expected in (("units", 6), ("units-active", 4), ("units-in-parks", 3)):
        link, figure = card(html, key)
        assert _number(figure) == expected, key
        rows = page(client.get(link))
        assert (
            rows.count('data-testid="directory-row"') + rows.count('data-testid="drill-row"')
            == expected
        ), (key, link)


def test_a_past_date_reads_the_history_and_drills_down_to_the_rows_of_that_day(
    national_admin, client_for, reference
) -> None:
    load_indicators()
    unit = make_enterprise(
        name="ریسندگی یزد", province=reference.qom, status_date=parse("1398/01/10")
    )
    services.enterprise_move(
        actor=None,
        enterprise=unit,
        province=reference.tehran,
        park=None,
        date=parse("1400/07/01"),
        reason="جابه‌جایی",
    )
    facts.rebuild()
    client = client_for(national_admin)

    html = page(client.get(reverse("province_detail", args=["IR-25"]), {"as_of": "۱۳۹۸/۱۲/۲۹"}))
    link, figure = card(html, "units-active")
    assert figure == "۱"
    assert "/indicators/units-active/rows/" in link
    assert "ریسندگی یزد" in page(client.get(link))
    today_html = page(client.get(reverse("province_detail", args=["IR-25"])))
    assert card(today_html, "units-active")[1] == "۰"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1401/12/30", "not a date in the calendar"),
        ("hello", "year/month/day"),
        ("1500/01/01", "in the future"),
    ],
)
def test_a_wrong_as_of_date_is_explained_and_today_is_shown(
    typed, message, anonymous, client_for, built
) -> None:
    client = client_for(anonymous)
    client.cookies["django_language"] = "en"

    response = client.get(reverse("home"), {"as_of": typed})

    assert response.status_code == 200
    assert message in page(response)


def test_ratios_over_nothing_show_a_dash(anonymous, client_for, reference) -> None:
    load_indicators()
    facts.rebuild()

    html = page(client_for(anonymous).get(reverse("province_detail", args=["IR-30"])))

    assert card(html, "share-sme-units")[1] == "—"
    assert card(html, "units")[1] == "۰"


def test_targets_show_progress_and_gap_and_a_dash_without_actuals(
    anonymous, client_for, built
) -> None:
    year = year_of(days_ago(0))
    revived = Indicator.objects.get(key="revived")
    Target.objects.create(indicator=revived, province=None, year=year, value=Decimal(2000))
    active = Indicator.objects.get(key="units-active")
    Target.objects.create(indicator=active, province=None, year=year, value=Decimal(10))
    client = client_for(anonymous)
    client.cookies["django_language"] = "en"

    html = page(client.get(reverse("home")))

    active_target = re.search(r'data-testid="target-units-active">(.*?)</div>', html, re.S)
    assert active_target and "Target for" in active_target.group(1)
    assert "60% reached" in active_target.group(1) and "gap 4" in active_target.group(1)
    # the bar is exact (a native <progress>, no inline style under the CSP)
    assert re.search(
        r'<progress class="target-progress[^"]*" max="100" value="60"', active_target.group(1)
    )
    assert "Target for" in re.search(r'data-testid="target-revived">(.*?)<', html, re.S).group(1)


def test_an_officer_drilling_down_sees_only_their_province_and_published_rows(
    officer_a, officer_b, client_for, built
) -> None:
    as_of = format_date(days_ago(10), persian_digits=False)
    url = reverse("indicator_rows", args=["units"]) + f"?as_of={as_of}&province=IR-23"

    seen_by_a = page(client_for(officer_a).get(url))
    seen_by_b = page(client_for(officer_b).get(url))

    assert "گلستان پلاست" in seen_by_a  # Tehran, published
    assert "آهن‌آلات تهران" not in seen_by_a  # Tehran, not published
    assert "آهن‌آلات تهران" in seen_by_b


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("days", [1, 70], ids=["this month", "an earlier month"])
def test_a_status_change_reaches_the_province_page_once_saved(
    days, national_admin, client_for, built
) -> None:
    """Committed for real (no test transaction), as in production: the facts change on
    commit, and the page shows it on the next request."""
    client = client_for(national_admin)
    url = reverse("province_detail", args=["IR-25"])
    assert card(page(client.get(url)), "units-idle")[1] == "۱"

    make_idle(national_admin, built.e, days_ago(days))

    assert card(page(client.get(url)), "units-idle")[1] == "۲"
    assert facts.all_facts() == facts.python_facts()


@pytest.mark.django_db(transaction=True)
def test_a_change_saved_by_another_process_reaches_this_one_within_a_second(
    national_admin, client_for, built, monkeypatch
) -> None:
    """Web processes share only the database: the figures version is a database row, so a
    change another process saved (here: its version written straight to the row, this
    process's memory untouched) shows here once the row is read again and the figure kept
    here is older than ``STALE_OK``."""
    import time

    from django.db import connection

    from indicators import sources

    client = client_for(national_admin)
    url = reverse("province_detail", args=["IR-25"])
    assert card(page(client.get(url)), "units-idle")[1] == "۱"

    def another_process_bumps(provinces: object = None) -> None:  # every figure's part
        with connection.cursor() as cursor:
            cursor.execute("UPDATE indicators_figuresversion SET value = value + 1 WHERE id = 1")

    # The facts applied after the commit start the new version as another process would.
    monkeypatch.setattr(sources, "bump_version", another_process_bumps)
    make_idle(national_admin, built.e, days_ago(1))

    time.sleep(sources.VERSION_TTL + sources.STALE_OK + 0.05)  # under a second
    assert card(page(client.get(url)), "units-idle")[1] == "۲"


def test_the_catalogue_defines_every_indicator_in_plain_persian(anonymous, client_for, reference):
    load_indicators()

    html = page(client_for(anonymous).get(reverse("indicator_catalogue")))

    for indicator in Indicator.objects.all():
        assert indicator.name in html and indicator.stated_definition in html
    # the months without progress that make a project semi-finished, stated
    assert "{months}" not in html and "در ۶ ماه پیش از آن" in html
    # the breakdowns each allows, named in Persian
    units = re.search(r'data-testid="breakdowns-units">([^<]*)<', html).group(1)
    assert units == "استان، شهرک، رشته صنعتی، اندازه، وضعیت"


def test_public_statistics_show_only_public_indicators(anonymous, client_for, built) -> None:
    Indicator.objects.filter(key="jobs").update(is_public=False)

    html = page(client_for(anonymous).get(reverse("stats")))

    assert 'data-testid="card-units"' in html
    assert 'data-testid="card-jobs"' not in html


def test_a_province_page_lists_its_largest_parks_and_links_to_all_of_them(
    anonymous, client_for, reference
) -> None:
    from indicators.views import PARKS_ON_PROVINCE_PAGE
    from tests.factories import make_park

    load_indicators()
    extra = [make_park(province=reference.qom) for _ in range(PARKS_ON_PROVINCE_PAGE)]
    make_enterprise(park=extra[-1], status_date=days_ago(30))
    make_enterprise(park=extra[-1], status_date=days_ago(30))
    facts.rebuild()
    html = page(client_for(anonymous).get(reverse("province_detail", args=["IR-25"])))

    table = html[html.index('data-testid="province-parks"') :]
    table = table[: table.index("</tbody>")]
    assert table.count("<tr>") == PARKS_ON_PROVINCE_PAGE
    assert extra[-1].name in table.split("</tr>")[0]  # the largest first
    assert f'href="{reverse("park_list")}?province=IR-25" data-testid="all-parks"' in html
    assert "همه را ببینید" in html  # in Persian, with Persian digits


@pytest.mark.django_db(transaction=True)
def test_a_park_renamed_shows_under_its_new_name_on_the_province_page(
    anonymous, client_for, reference
) -> None:
    """Province pages keep their park tables per figures version; a park's edit starts a
    new one."""
    from places.services import park_update

    load_indicators()
    client = client_for(anonymous)
    url = reverse("province_detail", args=["IR-25"])
    assert reference.park_p.name in page(client.get(url))

    park_update(
        actor=None, park=reference.park_p, data={"name": "شهرک صنعتی نوساز"}, fields=("name",)
    )

    html = page(client.get(url))
    assert "شهرک صنعتی نوساز" in html and reference.park_p.name not in html


def test_the_chart_names_the_months_in_the_pages_language(anonymous, client_for, built) -> None:
    def last_label(html: str) -> str:
        match = re.search(r'<script id="series-data" type="application/json">(.+?)</script>', html)
        assert match, "no chart data"
        return json.loads(match.group(1))["x"][-1]

    client = client_for(anonymous)
    now = jdatetime.date.fromgregorian(date=days_ago(0))
    persian = last_label(page(client.get(reverse("home"))))
    client.cookies["django_language"] = "en"
    english = last_label(page(client.get(reverse("home"))))

    fa_month = jdatetime.date(now.year, now.month, 1, locale="fa_IR").strftime("%B")
    assert persian == f"{fa_month} {to_persian_digits(str(now.year))}"
    assert english == f"{now.strftime('%B')} {now.year}"


def test_an_english_page_names_the_indicators_and_groups_in_english(
    anonymous, client_for, built
) -> None:
    from sectors.models import IndustryGroup

    client = client_for(anonymous)
    persian = page(client.get(reverse("home")))
    client.cookies["django_language"] = "en"
    english = page(client.get(reverse("home")))

    def label(html: str, key: str) -> str:
        return re.search(
            rf'>([^<>]+)</div>\s*<a class="stat-value"[^>]*data-testid="card-{key}"', html
        ).group(1)

    assert label(persian, "units-active") == "واحدهای فعال"
    assert label(english, "units-active") == "Active units"
    for chart in ("national-map", "series-data"):
        data = json.loads(
            re.search(
                rf'<script id="{chart}" type="application/json">(.+?)</script>', english
            ).group(1)
        )
        assert data["label"] == "Active units", chart
    group = IndustryGroup.objects.order_by("position")[0]
    by_group = re.search(r'data-testid="by-group">(.*?)</table>', english, re.S).group(1)
    assert html_lib.escape(group.name_en) in by_group and group.name_fa not in by_group


def test_loading_the_indicators_again_gives_english_texts_but_keeps_an_administrators(
    reference,
) -> None:
    load_indicators()
    Indicator.objects.filter(key="units").update(name_en="", definition_en="", unit_en="")
    Indicator.objects.filter(key="revived").update(name_en="Units brought back to work")

    assert load_indicators() == 0  # nothing new to create

    units = Indicator.objects.get(key="units")
    assert (units.name_en, units.unit_en) == ("Registered industrial units", "units")
    assert units.definition_en.startswith("Every industrial unit registered")
    assert Indicator.objects.get(key="revived").name_en == "Units brought back to work"
