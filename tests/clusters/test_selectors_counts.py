"""Figures as of any date, from the dated stage history, across Jalali year boundaries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from clusters import services
from clusters.selectors import counts_by_province, counts_by_year, programme_counts
from persian import jalali
from tests.factories import advance_cluster, make_cluster
from tests.views_helpers import page


def j(text: str) -> dt.date:
    return jalali.parse(text)


def _completed_on(reference, last_day: dt.date, province=None):
    """A cluster identified in 1395 whose completion licence is dated ``last_day``."""
    cluster = make_cluster(
        province=province or reference.qom, stage="evaluation", start=j("1395/01/10")
    )
    services.action_add(
        actor=None,
        cluster=cluster,
        data={"title": "آموزش", "kind": "training", "due_date": j("1396/01/01")},
    )
    services.plan_approve(actor=None, cluster=cluster, date=j("1396/01/01"))
    services.evaluation_record(actor=None, cluster=cluster, date=j("1397/01/01"), summary="خوب")
    services.cluster_advance(
        actor=None, cluster=cluster, to_stage="completed", date=last_day, licence_number="۱"
    )
    return cluster


def test_a_licence_dated_on_the_last_day_of_1398_counts_in_1398(reference) -> None:
    _completed_on(reference, j("1398/12/29"))

    assert programme_counts(j("1398/12/28"))["completed"] == 0
    assert programme_counts(j("1398/12/29"))["completed"] == 1
    years = {row.year: row for row in counts_by_year(j("1399/06/01"))}
    assert years[1398].counts["completed"] == 1 and years[1398].new["completed"] == 1
    assert years[1399].new["completed"] == 0


def test_a_licence_dated_1399_01_01_is_not_completed_at_the_end_of_1398(reference) -> None:
    _completed_on(reference, j("1399/01/01"))

    assert programme_counts(j("1398/12/29")) == {
        "identified": 1,
        "in_development": 1,
        "completed": 0,
    }
    assert programme_counts(j("1399/01/01")) == {
        "identified": 1,
        "in_development": 0,
        "completed": 1,
    }
    years = {row.year: row for row in counts_by_year(j("1399/01/01"))}
    assert years[1398].counts["completed"] == 0
    assert years[1399].counts["completed"] == 1
    assert years[1399].end == j("1399/01/01")


def test_the_leap_esfand_1403_12_30_closes_1403(reference) -> None:
    assert jalali.is_leap(1403)
    _completed_on(reference, j("1403/12/30"))

    years = {row.year: row for row in counts_by_year(j("1404/02/01"))}
    assert years[1403].end == j("1403/12/30")
    assert years[1403].new["completed"] == 1
    assert programme_counts(j("1403/12/29"))["completed"] == 0
    assert programme_counts(j("1403/12/30"))["completed"] == 1


def test_identified_and_in_development_follow_the_history_not_the_current_stage(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="identified", start=j("1398/05/01"))
    advance_cluster(cluster, "diagnosis", start=j("1399/02/01"))  # agent selected 1399/02/03

    assert programme_counts(j("1398/04/31"))["identified"] == 0
    assert programme_counts(j("1398/05/01")) == {
        "identified": 1,
        "in_development": 0,
        "completed": 0,
    }
    assert programme_counts(j("1399/02/03"))["in_development"] == 1


def test_counts_by_province_and_for_one_province(reference) -> None:
    make_cluster(province=reference.qom, stage="identified", start=j("1400/01/05"))
    make_cluster(province=reference.tehran, stage="agent_selected", start=j("1400/01/05"))

    table = counts_by_province(j("1401/01/01"))
    assert table["IR-25"] == {"identified": 1, "in_development": 0, "completed": 0}
    assert table["IR-23"] == {"identified": 1, "in_development": 1, "completed": 0}
    assert table["IR-30"] == {"identified": 0, "in_development": 0, "completed": 0}
    assert programme_counts(j("1401/01/01"), reference.tehran)["in_development"] == 1


def test_a_cluster_still_at_the_committee_is_not_identified(reference) -> None:
    services.cluster_create(
        actor=None,
        data={"name": "خوشه در کمیته"},
        province=reference.qom,
        stage="committee",
        date=j("1400/01/05"),
    )
    assert programme_counts(j("1401/01/01"))["identified"] == 0


@pytest.mark.parametrize("text", ["1401/12/30", "1398/13/01", "دیروز", "1398-1-1-1"])
def test_the_national_view_explains_a_date_it_cannot_read(client, reference, text) -> None:
    response = client.get(reverse("cluster_national"), {"as_of": text})

    assert response.status_code == 200
    assert 'data-field-error="as_of"' in page(response)


def test_the_national_view_counts_as_of_the_date_asked(client, reference) -> None:
    _completed_on(reference, j("1399/01/01"))

    before = page(client.get(reverse("cluster_national"), {"as_of": "۱۳۹۸/۱۲/۲۹"}))
    after = page(client.get(reverse("cluster_national"), {"as_of": "1399/01/01"}))

    def completed(html: str) -> str:
        found = re.search(r'data-testid="total-completed"[^>]*>([^<]+)<', html)
        assert found, "no completed total"
        return found.group(1)

    assert completed(before) == "۰"
    assert completed(after) == "۱"
    assert 'id="clusters-map"' in after  # the map's data, for the province map component
