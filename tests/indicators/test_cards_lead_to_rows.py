"""Every number on the country, province, park, cluster programme and public statistics
pages opens the rows behind it: a page that answers 200 and states the card's number —
revivals and permits included, a ratio through its numerator and denominator, a cluster
figure through the clusters it counted (not the whole directory)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from enterprises import services
from enterprises.models import Status
from indicators import facts, sources
from indicators.catalogue import load_indicators
from indicators.models import Indicator
from persian.jalali import format_date
from persian.templatetags.persian import num
from persian.text import to_latin_digits
from tests.factories import days_ago, make_cluster, make_enterprise
from tests.views_helpers import page

# Where each kind of rows page states its number.
STATED = ("rows-figure", "rows-count", "clinic-figure", "finance-figure", "consortium-count")


@pytest.fixture
def programme(registry, reference, clusters):
    """The registry fixture plus a revival and a permit this year in Qom's park P, an idle
    unit, a completed cluster; facts rebuilt."""
    load_indicators()
    revived = make_enterprise(
        name="احیا شده شکوهیه", park=reference.park_p, status=Status.IDLE, employees=12
    )
    services.enterprise_change_status(
        actor=None, enterprise=revived, to_status=Status.ACTIVE, date=days_ago(1), reason="احیا"
    )
    make_enterprise(
        name="پروانه تازه",
        park=reference.park_p,
        permit_date=days_ago(2),
        status_date=days_ago(2),
        employees=60,
    )
    make_cluster(name="خوشه سنگ قم", province=reference.qom, stage="completed")
    facts.rebuild()
    sources.forget()


def links_of(html: str) -> list[tuple[str, str, str]]:
    """(key, link, number) of every card, and of every ratio's two terms."""
    found = [
        (key, link.replace("&amp;", "&"), number)
        for link, key, number in re.findall(
            r'<a class="stat-value" href="([^"]+)" data-testid="card-([\w-]+)">([^<]+)</a>', html
        )
    ]
    found += [
        (key, link.replace("&amp;", "&"), number)
        for link, key, number in re.findall(
            r'<a href="([^"]+)" data-testid="term-([\w-]+)">([^<]+)</a>', html
        )
    ]
    return found


def cards_without_link(html: str) -> list[str]:
    return re.findall(r'<div class="stat-value" data-testid="card-([\w-]+)">', html)


def states(html: str, number: str) -> bool:
    return any(
        re.search(rf'data-testid="{testid}"[^>]*>[^<]*?(?<![۰-۹٬]){number}(?![۰-۹٬])', html)
        for testid in STATED
    )


@pytest.mark.parametrize("days", [0, 40], ids=["today", "a past date"])
@pytest.mark.parametrize("where", ["country", "province", "park", "stats"])
def test_every_card_opens_a_page_that_states_its_number(
    where, days, national_admin, client_for, programme, reference
) -> None:
    client = client_for(national_admin)
    url = {
        "country": reverse("home"),
        "province": reverse("province_detail", args=["IR-25"]),
        "park": reverse("park_detail", args=[reference.park_p.pk]),
        "stats": reverse("stats"),
    }[where]
    html = page(client.get(url, {"as_of": format_date(days_ago(days), persian_digits=False)}))
    cards = links_of(html)
    keys = {key for key, _link, _n in cards}

    # Ratios have no rows of their own: their two terms have.
    ratios = set(Indicator.objects.filter(kind="ratio").values_list("key", flat=True))
    assert set(cards_without_link(html)) <= ratios
    for key in set(cards_without_link(html)):
        assert f'data-testid="terms-{key}"' in html
    assert {"revived", "permits"} <= keys
    if where in ("country", "province"):
        assert {"units-sme", "units-operating", "jobs-sme", "jobs"} <= keys
        assert {"clusters-identified", "clusters-completed-in-period"} <= keys
    for key, link, number in cards:
        response = client.get(link)
        assert response.status_code == 200, (key, link)
        if key in ("jobs", "jobs-sme", "clinic-jobs") or "amount" in key:
            continue  # a sum: the page states the figure in the rows' own words
        assert states(page(response), number), (key, link, number)


def test_the_revivals_page_lists_the_years_revivals_where_they_stood(
    national_admin, anonymous, client_for, programme, reference
) -> None:
    url = reverse("indicator_rows", args=["revived"])
    params = {"park": str(reference.park_p.pk)}

    staff = page(client_for(national_admin).get(url, params))
    public = page(client_for(anonymous).get(url, params))

    assert "احیا شده شکوهیه" in staff
    assert reference.park_p.name in staff and num(12) in staff
    assert re.search(r'data-testid="rows-figure">[^<]*۱', staff)
    # the public gets the figure, not the history of units
    assert "احیا شده شکوهیه" not in public
    assert 'data-testid="not-listed"' in public and 'data-testid="rows-figure"' in public


def test_the_permits_page_lists_the_units_whose_permit_is_dated_this_year(
    national_admin, client_for, programme
) -> None:
    html = page(
        client_for(national_admin).get(
            reverse("indicator_rows", args=["permits"]), {"province": "IR-25"}
        )
    )

    assert "پروانه تازه" in html
    assert num(60) in html


def test_a_cluster_card_lists_the_clusters_it_counted_not_the_whole_directory(
    national_admin, client_for, programme, reference
) -> None:
    html = page(client_for(national_admin).get(reverse("province_detail", args=["IR-25"])))
    link = next(link for key, link, _n in links_of(html) if key == "clusters-completed")

    rows = page(client_for(national_admin).get(link))

    assert "خوشه سنگ قم" in rows
    assert "خوشه کفش قم" not in rows  # in diagnosis: not completed
    assert "خوشه پوشاک تهران" not in rows  # another province


def test_the_cluster_programmes_totals_open_their_clusters(
    national_admin, client_for, programme
) -> None:
    client = client_for(national_admin)
    html = page(client.get(reverse("cluster_national")))

    for testid in ("total-identified", "total-in-development", "total-completed"):
        found = re.search(rf'data-testid="{testid}" href="([^"]+)">([^<]+)</a>', html)
        assert found, testid
        response = client.get(found.group(1).replace("&amp;", "&"))
        assert response.status_code == 200
        assert states(page(response), found.group(2)), testid


def test_a_permit_counts_where_the_unit_stood_that_day_and_its_rows_agree(
    national_admin, client_for, programme, reference
) -> None:
    unit = make_enterprise(
        name="پروانه و رفتن",
        province=reference.qom,
        permit_date=days_ago(5),
        status_date=days_ago(5),
    )
    services.enterprise_move(
        actor=None,
        enterprise=unit,
        province=reference.tehran,
        park=None,
        date=days_ago(3),
        reason="",
    )
    facts.rebuild()
    sources.forget()
    client = client_for(national_admin)
    url = reverse("indicator_rows", args=["permits"])

    qom = page(client.get(url, {"province": "IR-25"}))
    tehran = page(client.get(url, {"province": "IR-23"}))

    assert "پروانه و رفتن" in qom and "پروانه و رفتن" not in tehran
    for html in (qom, tehran):  # the figure (from the facts) is the number of rows listed
        figure = re.search(r'data-testid="rows-figure">[^<]*?: ([۰-۹٬]+)', html)
        assert figure
        assert int(to_latin_digits(figure.group(1).replace("٬", ""))) == html.count(
            'data-testid="drill-row"'
        )
