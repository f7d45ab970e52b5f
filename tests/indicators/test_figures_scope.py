"""Figures versions per province (``sources._version``): an edit in one province makes its
own figures and pages new, and its parks', and the national ones; every other province's
and park's figures and kept pages stay as they were. Whatever cannot name its provinces
makes every figure new."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises import services
from enterprises.models import Status
from indicators import facts, pagecache, selectors, sources
from indicators.catalogue import load_indicators
from persian.jalali import today
from tests.clinics.conftest import open_case
from tests.factories import days_ago, make_enterprise
from tests.indicators.test_dashboards import card, make_idle
from tests.views_helpers import page

QOM, TEHRAN = reverse("province_detail", args=["IR-25"]), reverse("province_detail", args=["IR-23"])


@pytest.fixture
def built(registry: Any, reference: Any) -> Any:
    load_indicators()
    make_enterprise(province=reference.qom, status=Status.IDLE, status_date=days_ago(50))
    make_enterprise(park=reference.park_tehran, status=Status.IDLE, status_date=days_ago(50))
    facts.rebuild()
    return registry


def _idle(client: Any, url: str) -> str:
    return card(page(client.get(url)), "units-idle")[1]


def _reads_facts(client: Any, url: str) -> bool:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return any("indicators_fact" in q["sql"] for q in queries)


@pytest.mark.django_db(transaction=True)
def test_an_edit_in_one_province_shows_there_and_nationally_and_leaves_the_others_kept(
    built: Any, reference: Any, anonymous: Any, national_admin: Any, client_for: Any, clock: Any
) -> None:
    public = client_for(anonymous)
    qom_park = reverse("park_detail", args=[reference.park_p.pk])  # the edited unit's park
    tehran_park = reverse("park_detail", args=[reference.park_tehran.pk])
    before = {url: _idle(public, url) for url in (QOM, qom_park, TEHRAN, tehran_park, "/")}
    assert before == {QOM: "۱", qom_park: "۰", TEHRAN: "۱", tehran_park: "۱", "/": "۲"}

    make_idle(national_admin, built.e, days_ago(1))  # a unit of Qom, in its park p

    # Staff at once, the public once its kept pages are older than their bound
    # (``pagecache``): the province, its park, the country.
    clock.advance(pagecache.FRESH_FOR)
    for who in (anonymous, national_admin):
        client = client_for(who)
        assert (_idle(client, QOM), _idle(client, qom_park), _idle(client, "/")) == ("۲", "۱", "۳")
    idle = selectors.indicator("units-idle")
    assert selectors.value_of(idle, sources.Place("p", reference.qom.pk), today()) == 2
    assert selectors.by_province(idle, today())[reference.qom.pk] == 2  # the ranking
    # Tehran's page and its park's are still the kept ones: no figure computed again.
    assert not _reads_facts(public, TEHRAN) and not _reads_facts(public, tehran_park)
    assert (_idle(public, TEHRAN), _idle(public, tehran_park)) == ("۱", "۱")


@pytest.mark.django_db(transaction=True)
def test_a_unit_moved_to_another_province_shows_in_both_at_once(
    built: Any, reference: Any, anonymous: Any, national_admin: Any, client_for: Any, clock: Any
) -> None:
    public, staff = client_for(anonymous), client_for(national_admin)
    make_idle(national_admin, built.e, days_ago(2))
    assert (_idle(public, QOM), _idle(public, TEHRAN)) == ("۲", "۱")

    services.enterprise_move(
        actor=national_admin,
        enterprise=built.e,
        province=reference.tehran,
        park=reference.park_tehran,
        date=days_ago(1),
        reason="انتقال",
    )

    tehran_park = reverse("park_detail", args=[reference.park_tehran.pk])
    assert (_idle(staff, QOM), _idle(staff, TEHRAN), _idle(staff, tehran_park)) == ("۱", "۲", "۲")
    clock.advance(pagecache.FRESH_FOR)  # the public's kept pages within their bound
    assert (_idle(public, QOM), _idle(public, TEHRAN)) == ("۱", "۲")
    assert _idle(public, tehran_park) == "۲"


def test_what_names_no_province_makes_every_figure_new(reference: Any) -> None:
    qom, tehran = reference.qom.pk, reference.tehran.pk
    versions = lambda: (sources._version(qom), sources._version(tehran), sources._version())  # noqa: E731

    first = versions()
    sources.bump_version({qom})  # a registry change in Qom
    second = versions()
    assert second[0] != first[0] and second[1] == first[1] and second[2] != first[2]

    sources.bump_version()  # a rebuild, a park, a target, the catalogue, a case…
    third = versions()
    assert all(t != s for t, s in zip(third, second, strict=True))


@pytest.mark.django_db(transaction=True)
def test_an_edit_of_a_unit_with_cases_makes_every_figure_new(reference: Any) -> None:
    unit = make_enterprise(province=reference.qom, status=Status.IDLE, status_date=days_ago(50))
    open_case(unit, days=20)  # its cases' figures are recomputed with it, wherever they count
    tehran = sources._version(reference.tehran.pk)

    services.enterprise_update(
        actor=None, enterprise=unit, data={"employees": 90}, fields=("employees",)
    )

    assert sources._version(reference.tehran.pk) != tehran
