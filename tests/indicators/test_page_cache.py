"""The public dashboards kept whole per figures version (``indicators.pagecache``): built
once for many visitors, never one person's page shown to another, never a figure older
than the last change, the visitor's own language and CSRF token."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.models import Status
from exports.responses import CONTENT_TYPES
from indicators import facts, pagecache, sources
from indicators.catalogue import load_indicators
from tests.factories import days_ago, make_enterprise
from tests.indicators.test_dashboards import card, make_idle
from tests.views_helpers import page


@pytest.fixture
def built(registry, reference):
    load_indicators()
    make_enterprise(province=reference.qom, status=Status.IDLE, status_date=days_ago(50))
    facts.rebuild()
    return registry


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _computed_at(html: str) -> str:
    return re.search(r'data-testid="figures-time">([^<]+)<', html).group(1)


def _tehran_times(*moments: dt.datetime) -> set[str]:
    return {
        "(محاسبه‌شده در ساعت {})".format(
            m.astimezone(zoneinfo.ZoneInfo("Asia/Tehran")).strftime("%H:%M").translate(DIGITS)
        )
        for m in moments
    }


DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.mark.django_db(transaction=True)
def test_an_edit_shows_to_staff_at_once_and_to_visitors_within_the_time_the_page_states(
    anonymous, national_admin, client_for, built, clock
) -> None:
    url = reverse("province_detail", args=["IR-25"])
    before = dt.datetime.now(dt.UTC)
    first = page(client_for(anonymous).get(url))
    assert card(first, "units-idle")[1] == "۱"
    assert _computed_at(first) in _tehran_times(before, dt.datetime.now(dt.UTC))
    with CaptureQueriesContext(connection) as kept:
        assert card(page(client_for(anonymous).get(url)), "units-idle")[1] == "۱"
    assert len(kept) <= 3  # the version (and the session): the figures are not read again

    make_idle(national_admin, built.e, days_ago(1))

    assert card(page(client_for(national_admin).get(url)), "units-idle")[1] == "۲"
    clock.advance(pagecache.FRESH_FOR - 1)
    served = page(client_for(anonymous).get(url))  # the page kept before the edit
    assert card(served, "units-idle")[1] == "۱" and _computed_at(served) == _computed_at(first)
    clock.advance(1)
    assert card(page(client_for(anonymous).get(url)), "units-idle")[1] == "۲"


@pytest.mark.django_db(transaction=True)
def test_one_request_builds_the_page_again_the_others_get_the_previous_one_up_to_a_minute(
    anonymous, national_admin, client_for, built, clock, monkeypatch
) -> None:
    url = reverse("home")
    assert card(page(client_for(anonymous).get(url)), "units-idle")[1] == "۱"
    make_idle(national_admin, built.e, days_ago(1))
    clock.advance(pagecache.FRESH_FOR)
    # Another request holds the building mark (``add`` in the shared cache fails):
    monkeypatch.setattr(type(pagecache._store()), "add", lambda *args, **kwargs: False)
    assert card(page(client_for(anonymous).get(url)), "units-idle")[1] == "۱"
    clock.advance(pagecache.STALE_AT_MOST - pagecache.FRESH_FOR)  # never older than this
    assert card(page(client_for(anonymous).get(url)), "units-idle")[1] == "۲"


@pytest.mark.django_db(transaction=True)
def test_a_change_to_every_figure_shows_to_visitors_at_once(
    anonymous, national_admin, client_for, built, clock
) -> None:
    url = reverse("home")
    assert card(page(client_for(anonymous).get(url)), "units-idle")[1] == "۱"
    make_idle(national_admin, built.e, days_ago(1))
    sources.bump_version()  # what a rebuild, the catalogue, a target or a park does
    assert card(page(client_for(anonymous).get(url)), "units-idle")[1] == "۲"


def test_a_logged_in_person_never_gets_the_public_copy_nor_the_public_theirs(
    anonymous, officer_a, client_for, built
) -> None:
    url = reverse("home")
    page(client_for(anonymous).get(url))  # kept for the public
    mine = page(client_for(officer_a).get(url))
    assert 'data-testid="whoami"' in mine and "officer_a" in mine
    public = page(client_for(anonymous).get(url))
    assert 'data-testid="whoami"' not in public and "officer_a" not in public


def test_each_visitor_gets_their_own_language_and_csrf_token(anonymous, client_for, built) -> None:
    url = reverse("province_detail", args=["IR-25"])
    page(client_for(anonymous).get(url))
    english = Client()
    english.cookies["django_language"] = "en"
    assert "Active units" in page(english.get(url))

    second = Client(enforce_csrf_checks=True)
    html = page(second.get(url))  # the kept Persian page
    assert 'lang="fa"' in html
    response = second.post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": _token(html), "language": "en", "next": url},
    )
    assert response.status_code == 302  # the token in the kept page is this visitor's own


def _counted(monkeypatch, name: str) -> list[int]:
    """Calls of ``indicators.views.<name>`` (what writes a download), one item each."""
    from indicators import views

    calls: list[int] = []
    real = getattr(views, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(views, name, counting)
    return calls


def test_the_pdf_report_is_built_once_per_version_for_everyone(
    anonymous, officer_a, client_for, built, monkeypatch
) -> None:
    built_pdfs = _counted(monkeypatch, "pdf_response")
    url = reverse("province_report", args=["IR-25"]) + "?export=pdf"
    first = client_for(officer_a).get(url)
    second = client_for(anonymous).get(url)
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == second["Content-Type"] == "application/pdf"
    assert "attachment" in second["Content-Disposition"]
    assert first.content == second.content and len(built_pdfs) == 1

    sources.bump_version()  # what a committed edit does
    assert client_for(anonymous).get(url).status_code == 200
    assert len(built_pdfs) == 2


@pytest.mark.parametrize("url", ["/?export=xlsx", "/provinces/?export=xlsx"])
def test_a_dashboards_workbook_is_written_once_per_version(
    url, anonymous, client_for, built, monkeypatch
) -> None:
    written = _counted(monkeypatch, "export_response")
    first, second = client_for(anonymous).get(url), client_for(anonymous).get(url)
    assert first.status_code == second.status_code == 200
    assert second["Content-Type"] == first["Content-Type"] == CONTENT_TYPES["xlsx"]
    assert "attachment" in second["Content-Disposition"]
    assert first.content == second.content and second.content.startswith(b"PK")  # a workbook
    assert len(written) == 1

    sources.bump_version()
    assert client_for(anonymous).get(url).status_code == 200
    assert len(written) == 2
    # Keeping the workbook did not end the request early: the database connection of the
    # request (here, the test's transaction) is still open and usable.
    from django.db import connection

    assert connection.is_usable() and connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
def test_the_public_statistics_are_kept_per_version_and_say_when_they_were_computed(
    anonymous, national_admin, client_for, built, clock, monkeypatch
) -> None:
    """/stats/ was built for every visitor (~20 ms of figures and template each time at a
    million units); it is kept like the other public dashboards, with the same bound on
    how long an edit takes to show."""
    from indicators import views

    built_pages: list[str] = []
    real_render = views.render

    def render(request, template, *args, **kwargs):  # type: ignore[no-untyped-def]
        built_pages.append(template)
        return real_render(request, template, *args, **kwargs)

    monkeypatch.setattr(views, "render", render)
    url = reverse("stats")
    first = page(client_for(anonymous).get(url))
    assert card(first, "units-idle")[1] == "۱"
    again = page(client_for(anonymous).get(url))
    assert card(again, "units-idle")[1] == "۱" and _computed_at(again) == _computed_at(first)
    assert built_pages == ["indicators/stats.html"]  # built once for both visitors

    make_idle(national_admin, built.e, days_ago(1))
    clock.advance(pagecache.FRESH_FOR)

    assert card(page(client_for(anonymous).get(url)), "units-idle")[1] == "۲"
