"""Journeys through the registry in a real browser."""

from __future__ import annotations

import re

import pytest

from enterprises.models import Status
from tests.factories import PASSWORD, make_enterprise, make_user

from .conftest import assert_persian_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSIAN_DIGIT = re.compile(r"[۰-۹]")
LATIN_DIGIT = re.compile(r"[0-9]")


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button")
    page.wait_for_selector("[data-testid=whoami]")


def test_an_officer_finds_a_unit_typed_with_arabic_letters_and_marks_it_idle(page, reference):
    officer = make_user("provincial_officer", province=reference.qom, first_name="مریم")
    unit = make_enterprise(
        park=reference.park_p, name="صنایع کاشی‌سازان یکتا", products="کاشی و سرامیک"
    )
    make_enterprise(park=reference.park_p, name="تولیدی پوشاک نگین")

    log_in(page, officer.username)
    page.goto(page.base + "/provinces/IR-25/")
    assert page.inner_text("[data-testid=card-units-idle]") == "۰"
    page.goto(page.base + "/enterprises/")
    assert_persian_page(page)
    # Arabic yeh and kaf, no ZWNJ: «كاشيسازان يكتا»
    page.fill("[data-testid=directory-search]", "كاشيسازان يكتا")
    page.wait_for_url(re.compile(r"q="))
    rows = page.locator("[data-testid=directory-row]")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "کاشی‌سازان" in rows.first.inner_text()
    assert "/enterprises/?" in page.url  # the search is a URL that can be shared
    screenshot(page, "directory-search")

    page.click("text=صنایع کاشی‌سازان یکتا")
    page.click("[data-testid=change-status]")
    page.select_option("#id_to_status", Status.IDLE)
    page.click("#id_date ~ [data-jdp-button]")  # the calendar opens from its button only
    page.locator("jdp-container .jdp-btn-today").click()
    typed = page.input_value("#id_date")
    assert re.fullmatch(r"14\d\d/\d\d/\d\d", typed), typed
    page.fill("#id_reason", "کمبود سرمایه در گردش")
    screenshot(page, "status-form")
    page.click("[data-testid=status-form] button.btn-primary")

    page.wait_for_url(re.compile(rf"/enterprises/{unit.pk}/$"))
    assert page.inner_text("[data-testid=enterprise-status]") == "راکد"
    timeline = page.inner_text("[data-testid=timeline]")
    assert "کمبود سرمایه در گردش" in timeline
    assert PERSIAN_DIGIT.search(timeline) and not LATIN_DIGIT.search(timeline)
    screenshot(page, "enterprise-timeline")
    # The province dashboard counts it at once.
    page.goto(page.base + "/provinces/IR-25/")
    assert page.inner_text("[data-testid=card-units-idle]") == "۱"
    assert not page.console_errors


def test_the_directory_updates_in_place_and_keeps_the_filters_in_the_url(page, reference):
    for i in range(3):
        make_enterprise(park=reference.park_p, name=f"صنایع فلزی البرز {i}", published=True)
    make_enterprise(province=reference.tehran, name="صنایع غذایی تهران", published=True)

    page.goto(page.base + "/enterprises/")
    page.select_option("select[name=province]", reference.qom.code)
    page.wait_for_url(re.compile(r"province=IR-25"))
    page.locator("[data-testid=directory-row]").first.wait_for()
    assert page.locator("[data-testid=directory-row]").count() == 3
    assert "تهران" not in page.inner_text("#directory-results")
    # Reloading the pushed URL gives the same list as a whole page.
    page.reload()
    assert page.locator("[data-testid=directory-row]").count() == 3
    assert page.input_value("select[name=province]") == reference.qom.code
    assert_persian_page(page)


def test_the_home_page_reads_right_to_left_with_persian_digits(page, reference):
    make_enterprise(park=reference.park_p, name="صنایع نمونه", published=True, employees=1234)
    page.goto(page.base + "/")
    assert_persian_page(page)
    total = page.inner_text("[data-testid=card-units]")
    assert PERSIAN_DIGIT.search(total) and not LATIN_DIGIT.search(total)
    screenshot(page, "home")


def test_the_national_dashboard_draws_its_chart_and_province_map(page, reference):
    make_enterprise(park=reference.park_p, name="صنایع نمونه", published=True, employees=4862)
    make_enterprise(province=reference.tehran, name="صنایع تهران", published=True)

    page.goto(page.base + "/?indicator=jobs")  # jobs: the legend's numbers are long

    assert_persian_page(page)
    page.locator("[data-chart][data-drawn] svg").first.wait_for()
    page.locator("[data-choropleth][data-drawn] svg").first.wait_for()
    assert page.locator("[data-choropleth] svg path").count() >= 31
    axis = page.inner_text("[data-chart]")
    assert not LATIN_DIGIT.search(axis.replace("IR-", ""))  # Persian digits in the chart
    # The numbers of the value axis stand beside the plot (on its right, the reading side),
    # not over it: the chart's text is laid out left-to-right inside a mirrored chart.
    over = page.evaluate("""() => {
      const el = document.querySelector('[data-chart][data-drawn]');
      const grid = echarts.getInstanceByDom(el).getModel().getComponent('grid')
        .coordinateSystem.getRect();
      const box = el.getBoundingClientRect();
      const edge = box.left + grid.x + grid.width;
      return [...el.querySelectorAll('svg text')]
        .filter(t => /^[\u06f0-\u06f9\u066c,]+$/.test(t.textContent.trim()))
        .filter(t => t.getBoundingClientRect().left < edge - 1)
        .map(t => t.textContent);
    }""")
    assert over == [], f"axis numbers drawn over the plot: {over}"
    screenshot(page, "national-dashboard")
    assert not page.console_errors


def test_an_anonymous_visitor_is_sent_to_log_in_from_a_staff_page(page, reference):
    unit = make_enterprise(park=reference.park_p, name="صنایع نمونه", published=True)
    page.goto(page.base + f"/enterprises/{unit.pk}/status/")
    assert "/accounts/login/" in page.url
    assert page.locator("#id_username").is_visible()
