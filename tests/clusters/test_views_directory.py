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


IGNORED = "فیلتر «{label}» نادیده گرفته شد: مقدار «{value}» معتبر نیست."


@pytest.mark.parametrize(
    ("name", "value", "label"),
    [
        ("stage", "nonsense", "مرحله"),
        ("province", "IR-99", "استان"),
        ("group", "no-such-group", "رشته صنعتی"),
        ("agent", "abc", "عامل توسعه"),
        ("agent", "987654", "عامل توسعه"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_an_ignored_filter_is_named_on_the_page_with_its_value(
    name, value, label, htmx, client, listed
) -> None:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.get(reverse("cluster_directory"), {name: value}, **headers)

    assert response.status_code == 200
    assert IGNORED.format(label=label, value=value) in page(response)
    assert ids(response) == {listed[n].pk for n in ("tiles", "shoes", "tehran")}


def test_valid_cluster_filters_say_nothing_was_ignored(client, listed) -> None:
    html = page(client.get(reverse("cluster_directory"), {"province": "IR-25"}))

    assert "نادیده گرفته شد" not in html


# --- the agents the directory names -----------------------------------------------------------

# Who is named as an agent in the filter: the agents of the clusters the person may find.
# ``clusters.mine`` (Qom, agent ``cluster_agent``) is unpublished; ``clusters.qom_other``
# (agent ``other_agent``) is published.
AGENTS_NAMED = {
    "national_admin": {"cluster_agent", "other_agent"},
    "officer_a": {"cluster_agent", "other_agent"},
    "officer_b": {"other_agent"},
    "park_manager": {"other_agent"},
    "owner": {"other_agent"},
    "cluster_agent": {"cluster_agent", "other_agent"},
    "anonymous": {"other_agent"},
    "officer_b_and_park_manager": {"other_agent"},
}

AGENT_OPTION = re.compile(r'<option value="(\d+)"')


@pytest.mark.parametrize("who", list(AGENTS_NAMED))
def test_the_agent_filter_names_only_agents_of_clusters_the_person_may_find(
    who, user_of, client_for, clusters, cluster_agent, other_agent
) -> None:
    html = page(client_for(user_of(who)).get(reverse("cluster_directory")))
    agent_select = html.split('name="agent"', 1)[1].split("</select>", 1)[0]

    named = {int(pk) for pk in AGENT_OPTION.findall(agent_select)}
    by_name = {"cluster_agent": cluster_agent.pk, "other_agent": other_agent.pk}
    assert named == {by_name[name] for name in AGENTS_NAMED[who]}


def test_a_hidden_clusters_agent_is_not_a_filter_for_the_public(
    client, clusters, cluster_agent
) -> None:
    response = client.get(reverse("cluster_directory"), {"agent": str(cluster_agent.pk)})

    assert "نادیده گرفته شد" in page(response)
    assert ids(response) == {clusters.qom_other.pk, clusters.tehran.pk}
