"""Parks through the API: everyone sees every park, as the park pages show them."""

from __future__ import annotations

from tests.api.conftest import make_token
from tests.factories import days_ago, make_park
from tests.views_helpers import jalali_text


def test_parks_of_a_province(call, reference) -> None:
    rows = call("/parks", province="IR-25", limit=500).json()["results"]

    assert rows and {row["province"] for row in rows} == {"IR-25"}
    assert reference.park_p.pk in {row["id"] for row in rows}


def test_a_park_with_its_dates_as_iso_and_jalali(call, reference, officer_b) -> None:
    park = make_park(name="شهرک نو", established_on=days_ago(30))

    body = call(f"/parks/{park.pk}", make_token(officer_b)).json()

    assert body["name"] == "شهرک نو" and body["province"] == "IR-25"
    assert body["established_on"] == days_ago(30).isoformat()
    assert body["established_on_jalali"] == jalali_text(days_ago(30)).replace("/", "-")


def test_as_of_leaves_out_the_parks_established_after_it(call, reference) -> None:
    park = make_park(name="شهرک تازه", established_on=days_ago(30))
    before = days_ago(60).isoformat()

    assert park.pk not in {
        r["id"] for r in call("/parks", as_of=before, limit=500).json()["results"]
    }
    assert call(f"/parks/{park.pk}", as_of=before).status_code == 404
    assert call(f"/parks/{park.pk}", as_of=days_ago(1).isoformat()).status_code == 200
