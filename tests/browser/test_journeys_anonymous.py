"""An anonymous visitor in a real browser: browses the directory and the public figures,
and is sent to log in from every staff page.

The staff pages are not a hand list: they are every route of the URL configuration whose
access table (``tests/test_every_route_is_covered.py``) says an anonymous visitor gets
``login`` on GET, so a new staff page is walked as soon as it has its line in a table."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

import pishran.urls
from tests.access_tables import access_tables, routes
from tests.factories import make_enterprise

from .conftest import assert_persian_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def staff_routes() -> list[tuple[str, str]]:
    """(route, name) of every page that sends an anonymous visitor to log in."""
    policy = {
        name: methods for table in access_tables().values() for name, methods in table.items()
    }
    found = []
    for route, name in routes(pishran.urls.urlpatterns):
        outcomes = policy.get(name, {}).get("GET", {}).get("anonymous", {})
        if outcomes and set(outcomes.values()) == {"login"}:
            found.append((route, name))
    return found


def fill(route: str, values: dict[str, str]) -> str:
    """The route with its parameters filled: the objects of its own noun where known (the
    first word of the path), else 1 — the login redirect comes before any lookup."""
    noun = route.split("/", 1)[0]

    def value(match: re.Match[str]) -> str:
        converter = match.group(1) or "str"
        return values.get(f"{noun}:{converter}", "1" if converter in ("int", "path") else "x")

    return "/" + PARAM.sub(value, route)


def test_the_walk_reaches_the_staff_pages_of_every_app() -> None:
    names = {name for _, name in staff_routes()}

    assert {"enterprise_create", "enterprise_edit", "park_create", "park_edit"} <= names


def test_an_anonymous_visitor_browses_the_directory_and_is_sent_to_log_in_from_every_staff_page(
    page, reference
) -> None:
    unit = make_enterprise(name="صنایع غذایی بهار", park=reference.park_p, published=True)
    make_enterprise(name="کاشی ژاله", province=reference.qom, published=False)

    page.goto(page.base + "/")
    assert_persian_page(page)
    page.goto(page.base + "/enterprises/")
    assert_persian_page(page)
    rows = page.locator("[data-testid=directory-row]")
    assert rows.count() == 1  # the unpublished unit is not in the public directory
    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(rf"/enterprises/{unit.pk}/$"))
    assert_persian_page(page)
    assert unit.legal_id not in page.content()  # public fields only
    page.goto(page.base + f"/provinces/{reference.qom.code}/")
    assert_persian_page(page)
    page.goto(page.base + f"/parks/{reference.park_p.pk}/")
    assert_persian_page(page)
    screenshot(page, "anonymous-park")

    values = {
        "enterprises:int": str(unit.pk),
        "parks:int": str(reference.park_p.pk),
        "provinces:str": reference.qom.code,
    }
    walked = []
    for route, name in staff_routes():
        path = fill(route, values)
        response = page.goto(page.base + path)
        assert response is not None and response.ok, f"{name} {path}: {response}"
        landed = urlsplit(page.url)
        assert landed.path == "/accounts/login/", f"{name} {path} did not ask to log in"
        assert parse_qs(landed.query).get("next") == [path], f"{name}: not sent back after login"
        assert page.locator("#id_password").is_visible()
        assert_persian_page(page)
        walked.append(name)
    screenshot(page, "anonymous-sent-to-login")

    assert len(walked) == len(staff_routes()) >= 4


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ("el.style.direction = 'ltr'", "left-to-right"),
        ("el.style.fontFamily = 'DejaVu Serif, serif'", "another font"),
        ("document.documentElement.dir = 'ltr'", "dir=rtl"),
    ],
)
def test_the_persian_page_check_fails_on_left_to_right_or_another_font(
    page, reference, change, complaint
) -> None:
    page.goto(page.base + "/")
    assert_persian_page(page)  # as served: passes
    page.evaluate(f"() => {{ const el = document.querySelector('main h1, main p'); {change}; }}")

    with pytest.raises(AssertionError, match=complaint):
        assert_persian_page(page)


def test_a_missing_page_is_the_persian_404_page(page, reference) -> None:
    response = page.goto(page.base + "/no-such-page/")

    assert response is not None and response.status == 404
    assert page.locator("[data-testid=not-found]").is_visible()
    assert_persian_page(page)
    # The browser reports the 404 itself; nothing else (no style or font refused by the CSP).
    assert not [e for e in page.console_errors if "404" not in e]
    screenshot(page, "anonymous-not-found")
