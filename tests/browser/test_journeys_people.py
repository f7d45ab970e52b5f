"""A provincial officer gives a role on their province's people page, in a real browser, by
keyboard and through the controls' labels (as a screen reader user would find them)."""

from __future__ import annotations

import re

import pytest

from accounts.models import Role
from tests.factories import make_user

from .conftest import assert_persian_page, screenshot
from .test_journeys_registry import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_gives_a_park_manager_role_on_their_province_page(page, reference):
    officer = make_user(Role.PROVINCIAL_OFFICER, province=reference.qom, first_name="مریم")
    person = make_user(
        Role.PARK_MANAGER, first_name="نرگس", last_name="پارسا", parks=[reference.park_p2]
    )

    log_in(page, officer.username)
    page.get_by_role("link", name="افراد", exact=True).click()  # the menu
    page.wait_for_url(re.compile(r"/people/IR-25/$"))
    assert_persian_page(page)
    row = page.locator("[data-testid=person-row]", has_text="نرگس پارسا")
    assert "الغدیر" in row.inner_text()

    give = page.get_by_role("link", name=f"دادن نقش به {person.display_name}")
    give.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/people/person/\d+/grants/new/"))
    assert_persian_page(page)
    park = page.get_by_label("شهرک یا ناحیه صنعتی")
    assert not park.is_visible()  # no role chosen yet: no place asked for
    page.get_by_label("نقش").select_option(Role.PARK_MANAGER)
    assert park.is_visible()
    assert not page.get_by_label("واحد صنعتی").is_visible()  # only the place this role takes
    park.focus()
    park.select_option(label=reference.park_p.name)
    page.get_by_label("یادداشت").fill("حکم شماره ۱۲۳")
    screenshot(page, "people-grant-form")
    page.keyboard.press("Enter")  # submits the form from its last field

    page.wait_for_url(re.compile(r"/people/IR-25/"))
    assert "اکنون نقش «مدیر شهرک» را دارد" in page.inner_text("[role=alert]")
    grants = row.locator("[data-testid=grant]")
    assert grants.count() == 2
    assert "مدیر شهرک — شکوهیه" in row.inner_text()
    assert re.search(r"از [۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}", row.inner_text())  # since, in Jalali
    screenshot(page, "people-province")

    # A phone's width: nothing overflows sideways, and the new role is still listed.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "مدیر شهرک — شکوهیه" in row.inner_text()
    screenshot(page, "people-province-390")
    assert not page.console_errors
