"""The targets page: any Jalali year's targets — past years included — beside what was
reached and the gap, by province; national administrators set them there.

``ACCESS`` is the page's policy (``tests/access_tables.py``): everyone reads the targets
(the dashboards show them to everyone); only national administrators set them — anyone
else's POST is not found (the public is sent to log in), and changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditRecord
from enterprises import services
from enterprises.models import Status
from indicators import facts
from indicators.catalogue import load_indicators
from indicators.models import Indicator, Target
from indicators.services import target_set
from persian.jalali import format_date, today, year_bounds, year_of
from tests.access_tables import ROLES, cases, with_two_grants
from tests.factories import make_enterprise
from tests.views_helpers import is_login_redirect, page

ACCESS = with_two_grants(
    {
        "targets": {
            "GET": {who: {"-": "page"} for who in ROLES},
            "POST": {
                who: {
                    "-": "done"
                    if who == "national_admin"
                    else ("login" if who == "anonymous" else "404")
                }
                for who in ROLES
            },
        }
    }
)


@pytest.fixture(autouse=True)
def _fresh_figures():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def last_year(reference):
    """Last Jalali year: two of Qom's three idle units revived in it, and one new active
    unit in Tehran; the facts built."""
    load_indicators()
    year = year_of(today()) - 1
    start, _end = year_bounds(year)
    idle = [
        make_enterprise(
            province=reference.qom,
            status=Status.IDLE,
            status_date=start - dt.timedelta(days=200),
        )
        for _ in range(3)
    ]
    for unit in idle[:2]:
        services.enterprise_change_status(
            actor=None,
            enterprise=unit,
            to_status=Status.ACTIVE,
            date=start + dt.timedelta(days=20),
            reason="احیا",
        )
    make_enterprise(province=reference.tehran, status_date=start + dt.timedelta(days=40))
    facts.rebuild()
    return year


def _row(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), cases(ACCESS, pytest))
def test_everyone_reads_the_targets_and_only_national_administrators_set_them(
    route, method, who, target, outcome, user_of, client_for, reference, last_year
) -> None:
    revived = Indicator.objects.get(key="revived")
    target_set(actor=None, indicator=revived, year=last_year, value=5, province=reference.qom)
    url = reverse(route) + f"?year={last_year}&indicator=revived"
    client = client_for(user_of(who))

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, {"year": last_year, "country": "", f"p{reference.qom.pk}": "8"})

    kept = Target.objects.get(indicator=revived, year=last_year, province=reference.qom).value
    if outcome == "page":
        assert response.status_code == 200
        assert "IR-25" in page(response)  # the province table
        assert kept == 5
    elif outcome == "done":
        assert response.status_code == 302
        assert kept == 8
    elif outcome == "login":
        assert is_login_redirect(response, url)
        assert kept == 5
    else:
        assert response.status_code == 404
        assert kept == 5


def test_a_past_year_shows_what_was_reached_against_its_target_with_the_gap_and_the_rows(
    anonymous, client_for, reference, last_year
) -> None:
    revived = Indicator.objects.get(key="revived")
    target_set(actor=None, indicator=revived, year=last_year, value=5, province=reference.qom)
    target_set(actor=None, indicator=revived, year=last_year, value=1, province=reference.tehran)

    html = page(client_for(anonymous).get(reverse("targets") + f"?year={last_year}"))

    _start, end = year_bounds(last_year)
    assert "Reached as of the end of the year" not in html  # Persian by default
    country = _row(html, "target-row-revived")
    # the country's target is the sum of the provinces' (6); two were revived; gap 4
    assert ">۲</a>" in country and "۶" in country and "۴" in country and "۳۳٪" in country
    # the figure opens its rows, as of the year's last day
    assert f"as_of={format_date(end, persian_digits=False).replace('/', '%2F')}" in country
    qom = _row(html, "province-IR-25")
    assert ">۲</a>" in qom and "۵" in qom and "۴۰٪" in qom and "۳" in qom
    tehran = _row(html, "province-IR-23")
    assert ">۰</a>" in tehran and "۱" in tehran


def test_a_year_without_targets_says_so_and_a_year_not_begun_reaches_nothing(
    anonymous, client_for, reference, last_year
) -> None:
    client = client_for(anonymous)
    earlier = page(client.get(reverse("targets") + f"?year={last_year - 3}"))
    assert 'data-testid="no-targets"' in earlier

    next_year = year_of(today()) + 1
    target_set(actor=None, indicator=Indicator.objects.get(key="permits"), year=next_year, value=40)
    html = page(client.get(reverse("targets") + f"?year={next_year}&indicator=permits"))
    row = _row(html, "target-row-permits")
    assert "۴۰" in row and "</a>" not in row.split("</th>", 1)[1]  # nothing reached, no rows
    assert "The year has not begun" in html or "هنوز آغاز نشده" in html


@pytest.mark.parametrize("typed", ["۱۴۰۳۳", "abc", "2024", "0"])
def test_a_year_that_is_not_a_jalali_year_is_explained_and_this_year_is_shown(
    typed, anonymous, client_for, reference, last_year
) -> None:
    response = client_for(anonymous).get(reverse("targets"), {"year": typed})

    assert response.status_code == 200
    html = page(response)
    assert 'data-testid="year-error"' in html
    assert response.context["year"] == year_of(today())


def test_a_year_typed_in_persian_digits_is_read(anonymous, client_for, reference, last_year):
    typed = str(last_year).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client_for(anonymous).get(reverse("targets"), {"year": typed})
    assert response.context["year"] == last_year


def test_the_national_administrator_sets_a_years_targets_in_persian_digits_audited(
    national_admin, client_for, reference, last_year
) -> None:
    client = client_for(national_admin)
    url = reverse("targets") + f"?year={last_year}&indicator=revived"

    response = client.post(
        url,
        {
            "year": last_year,
            "country": "۱۲",
            f"p{reference.qom.pk}": "۷",
            f"p{reference.tehran.pk}": "3٬000",
        },
    )

    assert response.status_code == 302
    saved = {
        (t.province.code if t.province else "country"): t.value
        for t in Target.objects.filter(year=last_year, indicator__key="revived").select_related(
            "province"
        )
    }
    assert saved == {"country": Decimal(12), "IR-25": Decimal(7), "IR-23": Decimal(3000)}
    assert (
        AuditRecord.objects.filter(
            target_type__model="target", action="create", actor=national_admin
        ).count()
        == 3
    )
    shown = page(client.get(response["Location"]))
    assert "۳ مورد تغییر کرد" in shown or "3 changed" in shown

    # an emptied field removes its target (audited); the others are kept
    client.post(url, {"year": last_year, "country": "۱۲", f"p{reference.qom.pk}": "۷"})
    assert not Target.objects.filter(year=last_year, province=reference.tehran).exists()
    assert AuditRecord.objects.filter(target_type__model="target", action="delete").count() == 1


@pytest.mark.parametrize("bad", ["-5", "دو", "1.005", "۱۲abc"])
def test_one_wrong_target_saves_none_of_them_and_says_which(
    bad, national_admin, client_for, reference, last_year
) -> None:
    url = reverse("targets") + f"?year={last_year}&indicator=revived"

    response = client_for(national_admin).post(
        url, {"year": last_year, "country": "۱۰", f"p{reference.qom.pk}": bad}
    )

    assert response.status_code == 200
    html = page(response)
    assert 'data-testid="targets-errors"' in html
    assert response.context["form"].errors.keys() == {f"p{reference.qom.pk}"}
    assert not Target.objects.exists()
    assert not AuditRecord.objects.filter(target_type__model="target").exists()


def test_the_page_downloads_with_its_year_and_date(
    anonymous, client_for, reference, last_year
) -> None:
    target_set(actor=None, indicator=Indicator.objects.get(key="revived"), year=last_year, value=5)

    response = client_for(anonymous).get(
        reverse("targets"), {"year": last_year, "indicator": "revived", "export": "csv"}
    )

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    flat = "\n".join(",".join(r) for r in rows)
    assert (
        str(last_year) in flat
        or str(last_year).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in flat
    )
    revived_row = next(r for r in rows if len(r) >= 6 and r[2] == "2")
    assert revived_row[3] in ("5", "5.00") and revived_row[5] in ("3", "3.00")


def test_the_demo_sets_this_years_targets_and_the_years_before(reference, last_year) -> None:
    call_command("seed_targets", past=1)

    years = set(Target.objects.values_list("year", flat=True))
    assert years == {last_year, last_year + 1}


def test_the_english_page_has_english_digits_and_percent_signs(
    anonymous, client_for, reference, last_year
) -> None:
    target_set(actor=None, indicator=Indicator.objects.get(key="revived"), year=last_year, value=5)
    client = client_for(anonymous)
    client.cookies["django_language"] = "en"

    html = page(client.get(reverse("targets"), {"year": last_year}))

    row = _row(html, "target-row-revived")
    assert "40%" in row and "٪" not in row  # 2 of 5
    assert not any("\u06f0" <= ch <= "\u06f9" for ch in row)
    assert f"Targets for {last_year}" in html
