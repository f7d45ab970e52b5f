"""The language of every page: Persian unless the person chose another with the switcher."""

from __future__ import annotations

import pytest

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture
def signed_in(client, officer_a):
    client.force_login(officer_a)
    return client


def test_a_browser_set_to_english_still_gets_persian_pages(signed_in) -> None:
    response = signed_in.get("/", **ENGLISH_BROWSER)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    assert response["Content-Language"] == "fa"
    # The page does not depend on the header, so a shared cache may keep one copy.
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_login_page_is_persian_for_an_english_browser(client, db) -> None:
    html = client.get("/accounts/login/", **ENGLISH_BROWSER).content.decode()

    assert '<html lang="fa" dir="rtl">' in html
    assert "گذرواژه" in html


def test_english_chosen_with_the_switcher_is_kept_on_the_next_pages(signed_in) -> None:
    chosen = signed_in.post("/i18n/setlang/", {"language": "en", "next": "/provinces/"})
    assert chosen.status_code == 302 and chosen["Location"] == "/provinces/"

    html = signed_in.get("/provinces/").content.decode()
    assert '<html lang="en" dir="ltr">' in html

    signed_in.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    html = signed_in.get("/", **ENGLISH_BROWSER).content.decode()
    assert '<html lang="fa" dir="rtl">' in html


@pytest.mark.parametrize("cookie", ["de", "xx-evil", ""])
def test_a_language_the_site_does_not_offer_falls_back_to_persian(signed_in, cookie) -> None:
    signed_in.cookies["django_language"] = cookie

    response = signed_in.get("/", **ENGLISH_BROWSER)

    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in response.content.decode()
