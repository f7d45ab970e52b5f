"""The 404, 403 and 400 pages (``ops/templates/``): Persian, right-to-left, and the same
bytes for everyone — nothing of the request on them (no path, no exception message, no CSRF
token, no user, no CSP nonce), so that a row hidden from someone cannot be told from one
that does not exist.

The 403 and 404-with-a-message cases need views that raise; they are this module's own
URL configuration (``pytest.mark.urls(__name__)``), so ``pishran.urls`` gains no route."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

SECRET = "zq7xk31secret"  # a token that must never come back in an error page


def _denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(f"no access to {SECRET}")


def _not_found(request: HttpRequest) -> HttpResponse:
    raise Http404(f"No enterprise {SECRET} matches the given query.")


urlpatterns = [
    path("denied/", _denied),
    path("not-found/", _not_found),
]


@pytest.fixture(autouse=True)
def production_errors(settings) -> None:
    """Error pages are the templates only when DEBUG is off (pytest-django's default too)."""
    settings.DEBUG = False


def assert_standalone_persian_page(html: str, testid: str, title: str) -> None:
    assert '<html lang="fa" dir="rtl">' in html
    assert f'data-testid="{testid}"' in html
    assert f"<title>{title} · پیشران</title>" in html
    assert "bootstrap.rtl.min.css" in html and "vazirmatn.css" in html
    assert '<a href="/">بازگشت به صفحهٔ اصلی</a>' in html
    # Nothing a request could make differ, nothing the CSP would refuse.
    assert "csrfmiddlewaretoken" not in html and "nonce" not in html
    assert "<script" not in html and "<style" not in html and "style=" not in html


def test_a_missing_page_answers_the_persian_404_page_without_its_path(client, db) -> None:
    response = client.get(f"/no-such-page-{SECRET}/?q={SECRET}")

    assert response.status_code == 404
    html = response.content.decode()
    assert_standalone_persian_page(html, "not-found", "صفحه پیدا نشد")
    assert "این صفحه پیدا نشد" in html
    assert SECRET not in html and "no-such-page" not in html
    assert "csrftoken" not in response.cookies  # the page never asked for a token


def test_every_404_is_the_same_bytes_whatever_the_path_and_whoever_asks(
    client_for, national_admin, officer_b, registry
) -> None:
    anonymous = client_for(None)
    first = anonymous.get("/no-such-page/")
    second = anonymous.get(f"/enterprises/{SECRET}/nothing/here/")
    logged_in = client_for(national_admin).get("/no-such-page/")
    # A unit outside officer B's scope (Qom, outside any park) answers the same page.
    hidden = client_for(officer_b).get(reverse("enterprise_detail", args=[registry.qom_outside.pk]))

    assert first.status_code == second.status_code == logged_in.status_code == 404
    assert hidden.status_code == 404
    assert first.content == second.content == logged_in.content == hidden.content
    assert registry.qom_outside.name not in hidden.content.decode()


@pytest.mark.urls(__name__)
def test_the_message_of_an_http404_is_not_shown(client, db) -> None:
    response = client.get("/not-found/")

    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="not-found"' in html
    assert SECRET not in html and "enterprise" not in html


@pytest.mark.urls(__name__)
def test_permission_denied_answers_the_persian_403_page_without_its_reason(client, db) -> None:
    response = client.get("/denied/")

    assert response.status_code == 403
    html = response.content.decode()
    assert_standalone_persian_page(html, "forbidden", "دسترسی مجاز نیست")
    assert "شما اجازهٔ باز کردن این صفحه را ندارید" in html
    assert SECRET not in html and "no access" not in html


def test_a_request_django_refuses_answers_the_persian_400_page(db) -> None:
    # An unknown Host header: DisallowedHost, a SuspiciousOperation, answered with 400.
    response = Client().get("/", HTTP_HOST=f"{SECRET}.example")

    assert response.status_code == 400
    html = response.content.decode()
    assert_standalone_persian_page(html, "bad-request", "درخواست نامعتبر")
    assert "این درخواست قابل پردازش نبود" in html
    assert SECRET not in html


def test_the_error_pages_follow_the_chosen_language(client, db) -> None:
    client.cookies["django_language"] = "en"

    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en" dir="ltr">' in html and "bootstrap.min.css" in html
    assert "<title>Page not found · Pishran</title>" in html
