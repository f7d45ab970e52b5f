"""Indicators through the API: the catalogue and each figure, the dashboards' own numbers
for the country, a province or a park as of a date, with breakdowns and the rows page."""

from __future__ import annotations

import pytest

from enterprises.models import Status
from indicators import facts
from indicators.catalogue import load_indicators
from indicators.models import Indicator
from persian.jalali import parse
from tests.api.conftest import make_token
from tests.factories import days_ago, make_enterprise


@pytest.fixture
def built(registry, reference):  # type: ignore[no-untyped-def]
    """The registry fixture plus an idle unit in Qom, its facts built (8 units, 6 in Qom,
    as the dashboards' tests count them)."""
    load_indicators()
    make_enterprise(province=reference.qom, status=Status.IDLE, status_date=days_ago(50))
    make_enterprise(park=reference.park_p2, status=Status.CLOSED, status_date=days_ago(50))
    facts.rebuild()
    return registry


def test_the_catalogue_lists_what_the_caller_may_see(call, built, officer_a) -> None:
    Indicator.objects.filter(key="units-idle").update(is_public=False)

    public = {row["key"] for row in call("/indicators").json()}
    staff = {row["key"] for row in call("/indicators", make_token(officer_a)).json()}

    assert "units" in public and "units-idle" not in public
    assert staff > public | {"units-idle"}  # and the others kept from the public
    assert staff - public == set(
        Indicator.objects.filter(is_public=False).values_list("key", flat=True)
    )
    assert call("/indicators/units-idle/figure").status_code == 404
    assert call("/indicators/units-idle/figure", make_token(officer_a)).status_code == 200


def test_a_figure_is_the_dashboards_number_with_its_definition_and_rows(call, built) -> None:
    body = call("/indicators/units/figure", province="IR-25").json()

    assert (body["indicator"], body["place"], body["value"]) == ("units", "IR-25", 6)
    assert body["definition"] == Indicator.objects.get(key="units").definition
    assert body["rows_url"].startswith("http://testserver/") and "IR-25" in body["rows_url"]
    country = call("/indicators/units-active/figure").json()
    assert (country["place"], country["value"]) == ("country", 6)


def test_a_figure_as_of_a_past_date_reads_the_history(call, reference) -> None:
    load_indicators()
    make_enterprise(name="ریسندگی یزد", province=reference.qom, status_date=parse("1398/01/10"))
    make_enterprise(name="واحد تازه", province=reference.qom, status_date=parse("1402/01/10"))
    facts.rebuild()

    then = call("/indicators/units/figure", province="IR-25", as_of="1400-01-01").json()
    iso = call("/indicators/units/figure", province="IR-25", as_of="2021-03-21").json()

    assert then["value"] == 1 and then["as_of_jalali"] == "1400-01-01"
    assert iso["value"] == 1 and iso["as_of"] == "2021-03-21"
    assert call("/indicators/units/figure", province="IR-25").json()["value"] == 2


def test_breakdowns_and_every_province(call, built) -> None:
    body = call("/indicators/units/figure", province="IR-25", breakdown="status").json()
    assert body["breakdown"]["idle"] == 1 and sum(body["breakdown"].values()) == 6

    every = call("/indicators/units/figure", by_province="true").json()["by_province"]
    assert every["IR-25"] == 6 and every["IR-23"] == 2


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"province": "IR-99"}, "invalid_filter", "province"),
        ({"park": "999999"}, "invalid_filter", "park"),
        ({"breakdown": "colour"}, "invalid_breakdown", "breakdown"),
        ({"as_of": "1403-13-01"}, "invalid_date", "as_of"),
        ({"as_of": "2999-01-01"}, "invalid_date", "as_of"),
    ],
)
def test_a_figure_asked_wrongly_is_refused_with_a_code(call, built, params, code, field) -> None:
    response = call("/indicators/units/figure", **params)

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == code and body["detail"][0]["field"] == field
    assert body["message_fa"]


def test_an_unknown_indicator_is_not_found(call, built) -> None:
    response = call("/indicators/no-such-figure/figure")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
