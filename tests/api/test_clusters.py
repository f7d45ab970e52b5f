"""Clusters through the API: the programme's scope (404 outside it), the stage on a past
date read from the stage history, the keepers' reasons, the directory's search."""

from __future__ import annotations

from clusters.services import cluster_suspend
from tests.api.conftest import make_token
from tests.factories import days_ago
from tests.views_helpers import jalali_text


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_each_caller_finds_the_clusters_the_directory_shows_them(
    call, clusters, officer_b, cluster_agent
) -> None:
    public = _ids(call("/clusters"))
    officer = _ids(call("/clusters", make_token(officer_b)))
    agent = make_token(cluster_agent)

    assert public == {clusters.qom_other.pk, clusters.tehran.pk}
    assert officer == {clusters.qom_other.pk, clusters.tehran.pk}
    assert clusters.mine.pk in _ids(call("/clusters", agent))
    assert call(f"/clusters/{clusters.mine.pk}").status_code == 404
    assert call(f"/clusters/{clusters.mine.pk}", make_token(officer_b)).status_code == 404
    assert call(f"/clusters/{clusters.mine.pk}", agent).json()["full"] is True


def test_the_stage_on_a_past_date_comes_from_the_stage_history(
    call, clusters, national_admin
) -> None:
    secret = make_token(national_admin)
    mine = clusters.mine.pk  # identified 400 days ago, then a stage a day up to diagnosis

    then = call(f"/clusters/{mine}", secret, as_of=days_ago(399).isoformat()).json()
    jalali_day = jalali_text(days_ago(398)).replace("/", "-")
    later = call(f"/clusters/{mine}", secret, as_of=jalali_day).json()
    today = call(f"/clusters/{mine}", secret).json()

    assert (then["stage"], then["stage_order"]) == ("feasibility", 3)
    assert then["stage_since"] == days_ago(399).isoformat()
    assert [e["to_stage"] for e in then["stage_history"]] == ["identified", "feasibility"]
    assert later["stage"] == "agent_selected" and later["as_of_jalali"] == jalali_day
    assert today["stage"] == "diagnosis" and len(today["stage_history"]) == 4
    assert mine in _ids(
        call("/clusters", secret, as_of=days_ago(399).isoformat(), stage="feasibility")
    )
    assert mine not in _ids(call("/clusters", secret, stage="feasibility"))
    assert mine in _ids(call("/clusters", secret, stage="diagnosis", province="ir-25"))


def test_before_it_was_recorded_a_cluster_is_not_there(call, clusters, national_admin) -> None:
    secret = make_token(national_admin)
    before = days_ago(500).isoformat()

    assert _ids(call("/clusters", secret, as_of=before)) == set()
    assert call(f"/clusters/{clusters.tehran.pk}", secret, as_of=before).status_code == 404


def test_a_suspension_is_dated_and_its_reason_is_the_keepers(call, clusters, officer_a) -> None:
    cluster = clusters.qom_other
    cluster_suspend(actor=None, cluster=cluster, date=days_ago(30), reason="پایان قرارداد عامل")

    kept = call(f"/clusters/{cluster.pk}", make_token(officer_a)).json()
    public = call(f"/clusters/{cluster.pk}").json()
    before = call(f"/clusters/{cluster.pk}", as_of=days_ago(40).isoformat()).json()

    assert kept["suspended"] and public["suspended"] and not before["suspended"]
    assert kept["stage_history"][-1]["kind"] == "suspend"
    assert kept["stage_history"][-1]["reason"] == "پایان قرارداد عامل"
    assert public["stage_history"][-1]["reason"] is None and public["full"] is False


def test_arabic_letters_typed_find_the_persian_name(call, clusters, national_admin) -> None:
    secret = make_token(national_admin)

    assert _ids(call("/clusters", secret, q="كفش قم")) == {clusters.mine.pk}  # Arabic kaf
    assert _ids(call("/clusters", secret, q="فرش دست باف")) == {clusters.qom_other.pk}


def test_an_unknown_stage_or_province_is_refused_by_name(call, clusters) -> None:
    stage = call("/clusters", stage="launch")
    province = call("/clusters", province="IR-99")

    assert stage.status_code == 422 and stage.json()["detail"][0]["field"] == "stage"
    assert province.status_code == 422 and province.json()["code"] == "invalid_filter"


def test_cursor_pages_give_every_cluster_once(call, clusters, national_admin) -> None:
    secret = make_token(national_admin)
    first = call("/clusters", secret, limit=2).json()
    second = call("/clusters", secret, limit=2, cursor=first["next_cursor"]).json()

    seen = [r["id"] for r in first["results"] + second["results"]]
    assert seen == sorted(c.pk for c in clusters.all()) and second["next_cursor"] is None
