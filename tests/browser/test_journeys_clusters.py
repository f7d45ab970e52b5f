"""A cluster development agent's journey in a real browser."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_cluster, make_user

from .conftest import assert_persian_page, screenshot
from .test_journeys_registry import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_advances_their_cluster_and_cannot_open_another_agents(page, reference):
    agent = make_user("cluster_agent", first_name="رضا", last_name="عاملی")
    other = make_user("cluster_agent")
    mine = make_cluster(
        name="خوشه کفش قم", province=reference.qom, agent=agent, published=False, stage="diagnosis"
    )
    theirs = make_cluster(
        name="خوشه سنگ قم", province=reference.qom, agent=other, published=False, stage="diagnosis"
    )

    log_in(page, agent.username)
    page.goto(page.base + "/clusters/")
    assert_persian_page(page)
    assert "خوشه کفش قم" in page.inner_text("#cluster-results")
    assert "خوشه سنگ قم" not in page.inner_text("#cluster-results")

    page.click("text=خوشه کفش قم")
    page.click("[data-testid=record-stage]")
    page.click("#id_date ~ [data-jdp-button]")  # the calendar opens from its button only
    page.locator("jdp-container .jdp-btn-today").click()
    typed = page.input_value("#id_date")
    assert re.fullmatch(r"14\d\d/\d\d/\d\d", typed), typed
    page.fill("#id_reason", "جلسات اعتمادسازی با اعضا آغاز شد")
    screenshot(page, "cluster-stage-form")
    page.click("[data-testid=submit]")

    page.wait_for_url(re.compile(rf"/clusters/{mine.pk}/$"))
    assert page.inner_text("[data-testid=cluster-stage]") == "اعتمادسازی"
    timeline = page.inner_text("[data-testid=cluster-timeline]")
    assert "جلسات اعتمادسازی با اعضا آغاز شد" in timeline
    assert_persian_page(page)
    screenshot(page, "cluster-timeline")

    response = page.goto(page.base + f"/clusters/{theirs.pk}/")
    assert response is not None and response.status == 404
    assert "خوشه سنگ قم" not in page.content()
    assert not [e for e in page.console_errors if "404" not in e]
