"""The cluster programme's figures as indicators (source ``clusters``): the same counts as
``clusters.selectors`` through ``indicators.selectors``, across the Jalali year boundary,
the completions of a period, the cache refresh on commit and the national dashboard."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse

from clusters import services
from clusters.models import Cluster
from indicators import selectors, sources
from indicators.catalogue import load_indicators
from indicators.clusters import ClusterSource
from indicators.facts import month_index
from indicators.models import Indicator
from indicators.sources import COUNTRY, Place, source_for
from persian import jalali
from persian.text import to_persian_digits
from tests.factories import make_cluster
from tests.views_helpers import page

KEYS = (
    "clusters-identified",
    "clusters-in-development",
    "clusters-completed",
    "clusters-completed-in-period",
)


def j(text: str) -> dt.date:
    return jalali.parse(text)


def indicator(key: str) -> Indicator:
    return Indicator.objects.get(key=key)


def figures(place: Place, as_of: dt.date) -> dict[str, object]:
    """The four cluster indicators' values at ``place`` on ``as_of``, by key."""
    return {key: selectors.value_of(indicator(key), place, as_of) for key in KEYS}


def _completed_on(reference, day: dt.date, province=None) -> Cluster:
    """A cluster identified in 1395 whose completion licence is dated ``day``."""
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
        actor=None, cluster=cluster, to_stage="completed", date=day, licence_number="۱"
    )
    return cluster


@dataclass(frozen=True)
class Boundary:
    completed: Cluster  # Qom: identified 1395, completion licence 1399/01/01
    developing: Cluster  # Qom: identified 1398/12/27, agent selected 1398/12/29
    new: Cluster  # Tehran: identified 1399/01/01


@pytest.fixture
def boundary(reference) -> Boundary:
    return Boundary(
        completed=_completed_on(reference, j("1399/01/01")),
        developing=make_cluster(
            province=reference.qom, stage="agent_selected", start=j("1398/12/27")
        ),
        new=make_cluster(province=reference.tehran, stage="identified", start=j("1399/01/01")),
    )


def test_the_four_indicators_are_shipped_public_and_loaded_once(reference) -> None:
    Indicator.objects.filter(key__in=KEYS).delete()

    assert load_indicators() == 4
    assert load_indicators() == 0
    shipped = {i.key: i for i in Indicator.objects.filter(key__in=KEYS)}
    assert set(shipped) == set(KEYS)
    assert all(
        i.source == "clusters" and i.is_public and i.kind == "count" for i in shipped.values()
    )
    assert [shipped[k].measure for k in KEYS] == [
        "identified",
        "in_development",
        "completed",
        "completed_in_period",
    ]
    assert [k for k in KEYS if shipped[k].is_flow] == ["clusters-completed-in-period"]
    assert isinstance(source_for("clusters"), ClusterSource)


def test_the_country_figures_across_the_end_of_1398(boundary) -> None:
    assert figures(COUNTRY, j("1398/12/28")) == {
        "clusters-identified": 2,
        "clusters-in-development": 1,
        "clusters-completed": 0,
        "clusters-completed-in-period": 0,
    }
    assert figures(COUNTRY, j("1398/12/29")) == {
        "clusters-identified": 2,
        "clusters-in-development": 2,
        "clusters-completed": 0,
        "clusters-completed-in-period": 0,
    }
    assert figures(COUNTRY, j("1399/01/01")) == {
        "clusters-identified": 3,
        "clusters-in-development": 1,
        "clusters-completed": 1,
        "clusters-completed-in-period": 1,
    }


def test_a_province_counts_only_its_clusters(boundary, reference) -> None:
    qom, tehran = Place("p", reference.qom.pk), Place("p", reference.tehran.pk)

    assert figures(qom, j("1398/12/29")) == {
        "clusters-identified": 2,
        "clusters-in-development": 2,
        "clusters-completed": 0,
        "clusters-completed-in-period": 0,
    }
    assert figures(qom, j("1399/01/01")) == {
        "clusters-identified": 2,
        "clusters-in-development": 1,
        "clusters-completed": 1,
        "clusters-completed-in-period": 1,
    }
    assert figures(tehran, j("1398/12/29"))["clusters-identified"] == 0
    assert figures(tehran, j("1399/01/01"))["clusters-identified"] == 1
    assert figures(Place("p", reference.alborz.pk), j("1399/01/01")) == dict.fromkeys(KEYS, 0)
    # The same as the programme's own counts.
    from clusters.selectors import programme_counts

    assert programme_counts(j("1399/01/01"), reference.qom) == {
        "identified": 2,
        "in_development": 1,
        "completed": 1,
    }


def test_the_ranking_by_province(boundary, reference) -> None:
    completed = selectors.by_province(indicator("clusters-completed"), j("1399/01/01"))
    identified = selectors.by_province(indicator("clusters-identified"), j("1398/12/29"))
    period = selectors.by_province(indicator("clusters-completed-in-period"), j("1399/01/01"))

    assert completed[reference.qom.pk] == 1 and completed[reference.tehran.pk] == 0
    assert identified[reference.qom.pk] == 2 and identified[reference.tehran.pk] == 0
    assert period[reference.qom.pk] == 1 and period[reference.alborz.pk] == 0
    assert len(completed) == len(period) == 31  # every province, as the map wants


def test_completions_are_counted_from_1_farvardin_of_the_report_year(reference) -> None:
    _completed_on(reference, j("1398/06/15"))
    _completed_on(reference, j("1399/01/01"), province=reference.tehran)
    _completed_on(reference, j("1399/07/20"))
    period = indicator("clusters-completed-in-period")

    def value(text: str, place: Place = COUNTRY) -> object:
        return selectors.value_of(period, place, j(text))

    assert value("1398/06/14") == 0
    assert value("1398/06/15") == 1
    assert value("1398/12/29") == 1
    assert value("1399/01/01") == 1  # a new year: 1398's completion no longer counts
    assert value("1399/07/19") == 1
    assert value("1399/07/20") == 2
    assert value("1399/12/30") == 2  # 1399 is a leap year
    assert value("1400/01/01") == 0
    assert value("1399/12/30", Place("p", reference.qom.pk)) == 1
    # The stock keeps them all.
    assert selectors.value_of(indicator("clusters-completed"), COUNTRY, j("1400/01/01")) == 3


def test_the_monthly_series_uses_the_jalali_month_index(reference) -> None:
    _completed_on(reference, j("1398/12/29"))
    _completed_on(reference, j("1399/01/01"))
    _completed_on(reference, j("1399/02/10"))
    as_of = j("1399/02/05")

    period = selectors.monthly(indicator("clusters-completed-in-period"), COUNTRY, as_of)
    stock = selectors.monthly(indicator("clusters-completed"), COUNTRY, as_of)
    identified = selectors.monthly(indicator("clusters-identified"), COUNTRY, as_of)

    esfand_1398 = 1398 * 12 + 11
    assert month_index(j("1398/12/29")) == esfand_1398
    assert period == [(esfand_1398, 1), (esfand_1398 + 1, 1), (esfand_1398 + 2, 0)]
    assert stock == [(esfand_1398, 1), (esfand_1398 + 1, 2), (esfand_1398 + 2, 2)]
    assert identified[0] == (month_index(j("1395/01/10")), 3)
    assert identified[-1] == (month_index(as_of), 3)
    assert selectors.monthly(indicator("clusters-completed"), COUNTRY, j("1398/12/28")) == []


def test_in_development_leaves_the_series_in_the_month_it_completes(boundary) -> None:
    series = dict(selectors.monthly(indicator("clusters-in-development"), COUNTRY, j("1399/01/15")))

    assert series[month_index(j("1398/12/01"))] == 2
    assert series[month_index(j("1399/01/01"))] == 1


def test_clusters_are_not_offered_or_counted_by_park(boundary, reference) -> None:
    park = Place("k", reference.park_p.pk)

    assert figures(park, j("1399/01/01")) == dict.fromkeys(KEYS, 0)
    assert not {i.key for i in selectors.indicators_for(park)} & set(KEYS)
    assert set(KEYS) <= {i.key for i in selectors.indicators_for(Place("p", 0))}
    assert set(KEYS) <= {i.key for i in selectors.indicators_for(COUNTRY, public_only=True)}


def test_a_stage_recorded_refreshes_the_cached_figures_on_commit(
    reference, django_capture_on_commit_callbacks
) -> None:
    cluster = make_cluster(province=reference.qom, stage="identified", start=j("1400/01/05"))
    developing = indicator("clusters-in-development")
    day = jalali.today()
    assert selectors.value_of(developing, COUNTRY, day) == 0  # now kept in memory
    version = sources._version()

    with django_capture_on_commit_callbacks(execute=True) as hooks:
        services.cluster_advance(
            actor=None, cluster=cluster, to_stage="feasibility", date=j("1400/02/01")
        )
        services.cluster_advance(
            actor=None,
            cluster=Cluster.objects.get(pk=cluster.pk),
            to_stage="agent_selected",
            date=j("1400/03/01"),
        )
        assert sources._version() == version  # not before the commit

    assert any(getattr(hook, "func", None) is sources.figures_changed for hook in hooks)
    assert sources._version() != version
    assert selectors.value_of(developing, COUNTRY, day) == 1


def test_a_refused_stage_bumps_nothing(reference, django_capture_on_commit_callbacks) -> None:
    from django.core.exceptions import ValidationError

    cluster = make_cluster(province=reference.qom, stage="identified", start=j("1400/01/05"))

    with django_capture_on_commit_callbacks(execute=True) as hooks, pytest.raises(ValidationError):
        services.cluster_advance(
            actor=None, cluster=cluster, to_stage="identified", date=j("1400/02/01")
        )

    assert hooks == []


def _ranking_cell(html: str, province: str) -> str:
    match = re.search(
        rf">{re.escape(province)}</a></td><td class=\"text-end num\">"
        r"(?:<a href=\"[^\"]*\">)?([^<]+)<",
        html,
    )
    assert match, f"no ranking row for {province}"
    return match.group(1)


@pytest.mark.parametrize(("as_of", "qom"), [("1398/12/29", 0), ("1399/01/01", 1)])
def test_the_national_dashboard_shows_the_cluster_figure_chosen(
    as_of, qom, boundary, reference, anonymous, client_for
) -> None:
    response = client_for(anonymous).get(
        reverse("home"), {"indicator": "clusters-completed", "as_of": as_of}
    )

    assert response.status_code == 200
    html = page(response)
    name = indicator("clusters-completed").name
    assert name in html
    assert _ranking_cell(html, str(reference.qom)) == to_persian_digits(str(qom))
    assert _ranking_cell(html, str(reference.tehran)) == "۰"
    map_data = json.loads(
        re.search(r'<script id="national-map" type="application/json">(.+?)</script>', html).group(
            1
        )
    )
    assert map_data["label"] == name
    assert map_data["values"][reference.qom.code] == qom
    series = json.loads(
        re.search(r'<script id="series-data" type="application/json">(.+?)</script>', html).group(1)
    )
    assert series["label"] == name
    assert series["y"][-1:] == ([qom] if qom else [])  # no series before the first licence


def test_the_public_statistics_rank_provinces_by_a_cluster_indicator(
    boundary, reference, anonymous, client_for
) -> None:
    html = page(
        client_for(anonymous).get(
            reverse("stats"), {"indicator": "clusters-identified", "as_of": "1399/01/01"}
        )
    )

    assert indicator("clusters-identified").name in html
    assert _ranking_cell(html, str(reference.qom)) == "۲"
    assert _ranking_cell(html, str(reference.tehran)) == "۱"


def _cluster_card(html: str, key: str) -> tuple[str, str]:
    match = re.search(rf'href="([^"]*)" data-testid="card-{key}">([^<]+)<', html)
    assert match, f"no card {key}"
    return match.group(1).replace("&amp;", "&"), match.group(2)


def test_the_headline_cards_carry_the_cluster_figures_linked_to_the_clusters(
    boundary, reference, anonymous, client_for
) -> None:
    national = page(client_for(anonymous).get(reverse("home"), {"as_of": "1399/01/01"}))
    qom = page(
        client_for(anonymous).get(
            reverse("province_detail", args=[reference.qom.code]), {"as_of": "1399/01/01"}
        )
    )

    assert 'data-testid="cluster-cards"' in national
    assert [_cluster_card(national, key)[1] for key in KEYS] == ["۳", "۱", "۱", "۱"]
    assert [_cluster_card(qom, key)[1] for key in KEYS] == ["۲", "۱", "۱", "۱"]
    link, _ = _cluster_card(qom, "clusters-completed")
    # It opens the clusters the figure counted, in the province, on the date.
    assert link == (
        f"{reverse('cluster_rows', args=['clusters-completed'])}"
        f"?as_of=1399%2F01%2F01&province={reference.qom.code}"
    )
    park = page(client_for(anonymous).get(reverse("park_detail", args=[reference.park_p.pk])))
    assert 'data-testid="cluster-cards"' not in park  # clusters are not counted by park
