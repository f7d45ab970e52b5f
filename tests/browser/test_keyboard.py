"""Journeys by keyboard alone, in a real browser: what a rule engine cannot check (where the
focus goes, what a key does). See also test_accessibility.py (axe-core on every page)."""

from __future__ import annotations

import re

import pytest

from accounts.models import Role
from tests.factories import make_enterprise, make_user

from .test_journeys_registry import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = "() => document.activeElement"
PICKER_SHOWN = "() => { const c = document.querySelector('jdp-container'); return !!c && getComputedStyle(c).display !== 'none' && getComputedStyle(c).visibility !== 'hidden'; }"


def focused(page, attribute: str) -> str | None:  # type: ignore[no-untyped-def]
    return page.evaluate(f"() => document.activeElement.getAttribute({attribute!r})")


def test_the_skip_link_is_the_first_tab_stop_and_moves_the_focus_to_the_content(
    page, reference
) -> None:
    page.goto(page.base + "/")
    page.keyboard.press("Tab")
    assert focused(page, "data-testid") == "skip-link"
    assert page.get_by_test_id("skip-link").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    # An indicator's definition opens by keyboard (and touch): a disclosure, not a title.
    definition = page.locator("details.indicator-definition").first
    definition.locator("summary").focus()
    page.keyboard.press("Enter")
    assert definition.get_attribute("open") is not None
    assert definition.locator("p").is_visible()
    # The menu says where we are.
    assert page.locator("nav [aria-current=page]").inner_text() == "کل کشور"
    page.goto(page.base + "/enterprises/")
    assert page.locator("nav [aria-current=page]").inner_text() == "واحدهای صنعتی"


def test_after_a_failed_save_tab_reaches_the_error_summary_whose_link_puts_the_focus_in_the_field(
    page, reference
) -> None:
    unit = make_enterprise(park=reference.park_p, name="صنایع غذایی بهار", published=True)
    admin = make_user(Role.NATIONAL_ADMIN)
    log_in(page, admin.username)
    page.goto(page.base + f"/enterprises/{unit.pk}/edit/")
    page.fill("#id_name", "")
    page.focus("#id_name")
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_selector("[data-error-summary]")

    assert page.evaluate(FOCUSED + ".hasAttribute('data-error-summary')") is True
    page.keyboard.press("Tab")
    assert focused(page, "data-error-link") == "name"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_name"
    # The field says it is invalid and why: its description is the error under it.
    field = page.locator("#id_name")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby") or ""
    assert "id_name_error" in described.split()
    assert page.locator("#id_name_error").inner_text().strip()
    border = page.evaluate("getComputedStyle(document.querySelector('#id_name')).borderTopColor")
    assert border == "rgb(176, 42, 55)"  # red


def test_the_date_is_typed_and_the_calendar_opens_only_from_its_button_and_closes_on_escape_and_tab(
    page, reference
) -> None:
    unit = make_enterprise(park=reference.park_p, name="صنایع غذایی بهار")
    admin = make_user(Role.NATIONAL_ADMIN)
    log_in(page, admin.username)
    page.goto(page.base + f"/enterprises/{unit.pk}/status/")

    page.focus("#id_date")
    assert not page.evaluate(PICKER_SHOWN)  # focus never opens it (it would cover the form)
    hint = page.locator("#id_date_helptext")
    assert "۱۴۰۳/۰۱/۱۵" in hint.inner_text()  # the format, shown…
    assert "id_date_helptext" in (page.get_attribute("#id_date", "aria-describedby") or "")
    page.keyboard.type("1404/01/15")  # …and typed
    assert page.input_value("#id_date") == "1404/01/15"

    page.keyboard.press("Tab")
    assert focused(page, "data-jdp-button") == ""  # the calendar's button comes next
    button = page.locator("#id_date ~ [data-jdp-button]")
    assert button.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert page.evaluate(PICKER_SHOWN)
    assert button.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "id_date"  # not covered: above it
    page.keyboard.press("Escape")
    assert not page.evaluate(PICKER_SHOWN)
    assert page.evaluate("document.activeElement.id") == "id_date"
    assert page.input_value("#id_date") == "1404/01/15"

    button.focus()
    page.keyboard.press("Enter")
    assert page.evaluate(PICKER_SHOWN)
    page.keyboard.press("Tab")
    assert not page.evaluate(PICKER_SHOWN)  # closed before the next field takes the focus
    assert button.get_attribute("aria-expanded") == "false"

    # The dashboards' "as of" date: typed, its format read with it, sent by Enter.
    page.goto(page.base + "/")
    page.focus("#as-of-input")
    assert not page.evaluate(PICKER_SHOWN)
    assert page.get_attribute("#as-of-input", "aria-describedby") == "as-of-format"
    page.fill("#as-of-input", "")
    page.keyboard.type("1403/06/31")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"as_of=1403%2F06%2F31"))
    assert "۱۴۰۳" in page.get_by_test_id("as-of").inner_text()


def test_a_filter_select_acts_on_enter_not_on_arrow_keys_and_the_new_count_is_announced(
    page, reference
) -> None:
    for i in range(2):
        make_enterprise(park=reference.park_p, name=f"صنایع فلزی {i}", published=True)
    make_enterprise(province=reference.tehran, name="صنایع غذایی تهران", published=True)
    page.goto(page.base + "/enterprises/")
    url = page.url

    province = page.locator("select[name=province]")
    province.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(600)
    assert page.url == url  # browsing the options changes nothing yet
    assert province.input_value() != ""
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"province="))
    page.wait_for_function(
        "() => document.getElementById('live-announce').textContent.trim() !== ''"
    )
    count = page.get_by_test_id("result-count").inner_text().strip()
    assert page.get_by_test_id("live-announce").inner_text().strip() == count
    assert page.evaluate("document.activeElement.name") == "province"  # the focus stays

    # The language select too: arrows browse, the button changes the language.
    page.goto(page.base + "/")
    page.focus("select[name=language]")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(600)
    assert page.evaluate("document.documentElement.lang") == "fa"
    assert page.input_value("select[name=language]") == "en"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.documentElement.lang === 'en'")


def test_english_pages_mark_persian_data_and_wide_tables_scroll_by_keyboard(
    page, reference
) -> None:
    make_enterprise(park=reference.park_p, name="صنایع غذایی بهار", published=True)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base}])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/enterprises/")

    name = page.locator("[data-testid=directory-row] a").first
    assert name.locator("[lang=fa]").inner_text() == "صنایع غذایی بهار"
    region = page.locator("#directory-results .table-responsive")
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("aria-label")
