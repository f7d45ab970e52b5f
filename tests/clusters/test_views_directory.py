"""The cluster directory: filters as GET parameters and a search that finds a name however
it was typed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import make_cluster
from tests.views_helpers import page

ROW = re.compile(r'data-testid="cluster-row"><td><a href="/clusters/(\d+)/">')


def ids(response) -> set[int]:
    return {int(pk) for pk in ROW.findall(page(response))}


@pytest.fixture
def listed(reference, cluster_agent):
    return {
        "tiles": make_cluster(
            name="خوشه کاشی‌سازان ۱۴۰۲",
            province=reference.qom,
            agent=cluster_agent,
            stage="diagnosis",
        ),
        "shoes": make_cluster(name="خوشه کفش قم", province=reference.qom, stage="identified"),
        "tehran": make_cluster(
            name="خوشه پوشاک تهران", province=reference.tehran, stage="identified"
        ),
        "hidden": make_cluster(name="خوشه کاشی پنهان", province=reference.qom, published=False),
    }


@pytest.mark.parametrize("typed", ["كاشيسازان", "کاشی سازان", "کاشی‌سازان 1402", "كاشي‌سازان ۱۴۰۲"])
def test_a_name_is_found_however_it_was_typed(client, listed, typed) -> None:
    assert ids(client.get(reverse("cluster_directory"), {"q": typed})) == {listed["tiles"].pk}


def test_the_filters_are_get_parameters(client, listed, reference, cluster_agent) -> None:
    url = reverse("cluster_directory")

    assert ids(client.get(url, {"province": "IR-23"})) == {listed["tehran"].pk}
    assert ids(client.get(url, {"stage": "diagnosis"})) == {listed["tiles"].pk}
    assert ids(client.get(url, {"agent": str(cluster_agent.pk)})) == {listed["tiles"].pk}
    assert ids(client.get(url, {"stage": "nonsense"})) == {
        listed["tiles"].pk,
        listed["shoes"].pk,
        listed["tehran"].pk,
    }


def test_unpublished_clusters_are_listed_only_for_those_who_keep_them(
    client, client_for, listed, officer_a
) -> None:
    url = reverse("cluster_directory")

    assert listed["hidden"].pk not in ids(client.get(url))
    assert listed["hidden"].pk in ids(client_for(officer_a).get(url))


def test_htmx_gets_only_the_results(client, listed) -> None:
    response = client.get(reverse("cluster_directory"), {"q": "کفش"}, HTTP_HX_REQUEST="true")

    assert ids(response) == {listed["shoes"].pk}
    assert "<html" not in page(response)


@pytest.mark.parametrize("agent", ["¹", "１", "٣"], ids=["superscript", "fullwidth", "arabic"])
def test_an_agent_in_digits_of_another_script_is_ignored_not_a_server_error(
    client, listed, agent
) -> None:
    """Issue 18: str.isdigit takes these, int() and the database lookup did not (a 500)."""
    url = reverse("cluster_directory")
    assert client.get(url, {"agent": agent}).status_code == 200
