"""Logging in and out, and the throttle on failed logins (django-axes: 5 failures for a
username from one address → locked out for 15 minutes, answered with 429 and the lockout
page).

Logins go through the login page (``client.post``): ``client.login`` bypasses the request
that django-axes needs. Axes keeps its attempts in the database, so each test starts with
none (the test's transaction is rolled back).

``ACCESS`` is the policy of the two pages, read like the enterprise table in
``tests/enterprises/test_views_access.py``: ``page`` (200, the login form), ``home`` (302 to
the country page), ``logged_out`` (302 to the country page, the session ended), ``405``.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.access_tables import ROLES, with_two_grants
from tests.factories import PASSWORD, make_user
from tests.views_helpers import page

LOGIN = reverse("login")
LOGOUT = reverse("logout")
HOME = reverse("home")
STAFF_PAGE = reverse("enterprise_create")

# fmt: off
ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants({
    "login": {
        "GET": {
            "national_admin": {"-": "home"},
            "officer_a":      {"-": "home"},
            "officer_b":      {"-": "home"},
            "park_manager":   {"-": "home"},
            "owner":          {"-": "home"},
            "cluster_agent":  {"-": "home"},
            "anonymous":      {"-": "page"},
        },
    },
    # Logging out changes state: a POST (the button in the menu); a GET is refused.
    "logout": {
        "GET": {role: {"-": "405"} for role in ROLES},
        "POST": {role: {"-": "logged_out"} for role in ROLES},
    },
    # One's own password: anyone logged in; the anonymous are sent to log in.
    "password_change": {
        "GET": {role: {"-": "to_login" if role == "anonymous" else "change_form"} for role in ROLES},
    },
    "password_change_done": {
        "GET": {role: {"-": "to_login" if role == "anonymous" else "changed"} for role in ROLES},
    },
    # A forgotten password: open to everyone (the link is on the login page).
    "password_reset": {
        "GET": {role: {"-": "reset_form"} for role in ROLES},
    },
    "password_reset_done": {
        "GET": {role: {"-": "reset_sent"} for role in ROLES},
    },
    # "-" is a link with a made-up token: refused, for everyone.
    "password_reset_confirm": {
        "GET": {role: {"-": "reset_invalid"} for role in ROLES},
    },
    "password_reset_complete": {
        "GET": {role: {"-": "reset_complete"} for role in ROLES},
    },
})
# fmt: on

CASES = [
    pytest.param(route, method, who, outcome, id=f"{route}-{method}-{who}")
    for route, methods in ACCESS.items()
    for method, table in methods.items()
    for who, row in table.items()
    for outcome in row.values()
]


# What each password page shows, by outcome.
PASSWORD_PAGES = {
    "change_form": 'name="old_password"',
    "changed": 'data-testid="password-changed"',
    "reset_form": 'name="email"',
    "reset_sent": 'data-testid="reset-sent"',
    "reset_invalid": 'data-testid="reset-invalid"',
    "reset_complete": 'data-testid="reset-complete"',
}


def _logged_in(client) -> bool:
    return 'data-testid="whoami"' in page(client.get(HOME))


@pytest.mark.parametrize(("route", "method", "who", "outcome"), CASES)
def test_every_role_gets_what_the_policy_table_says_on_the_login_pages(
    route, method, who, outcome, user_of, client_for, db
) -> None:
    client = client_for(user_of(who))
    kwargs = {"uidb64": "MTIzNDU", "token": "made-up"} if route == "password_reset_confirm" else {}
    url = reverse(route, kwargs=kwargs)

    response = client.get(url) if method == "GET" else client.post(url)

    if outcome == "page":
        assert response.status_code == 200
        assert 'name="password"' in page(response)
    elif outcome == "home":
        assert (response.status_code, response["Location"]) == (302, HOME)
    elif outcome == "logged_out":
        assert (response.status_code, response["Location"]) == (302, HOME)
        assert not _logged_in(client)
    elif outcome == "405":
        assert response.status_code == 405
        assert _logged_in(client) == (who != "anonymous")
    elif outcome == "to_login":
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")
    elif outcome in PASSWORD_PAGES:
        assert response.status_code == 200
        assert PASSWORD_PAGES[outcome] in page(response)
    else:  # pragma: no cover
        raise AssertionError(f"unknown outcome {outcome!r}")


@pytest.fixture
def demo_officer(reference):
    """A demo account as ``make demo`` creates them: a provincial officer of Qom."""
    return make_user(Role.PROVINCIAL_OFFICER, username="demo_officer_qom", province="IR-25")


def log_in(client, username: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_a_demo_user_logs_in_with_the_right_password(client, demo_officer) -> None:
    response = log_in(client, "demo_officer_qom", PASSWORD)

    assert (response.status_code, response["Location"]) == (302, HOME)
    assert "demo_officer_qom" in page(client.get(HOME))
    assert client.get(STAFF_PAGE).status_code == 200


def test_logging_in_returns_to_the_page_that_asked_for_it(client, demo_officer) -> None:
    asked = client.get(STAFF_PAGE)
    assert asked.status_code == 302 and asked["Location"].startswith(LOGIN)

    response = log_in(client, "demo_officer_qom", PASSWORD, next=STAFF_PAGE)

    assert (response.status_code, response["Location"]) == (302, STAFF_PAGE)


def test_a_login_page_does_not_send_people_to_another_site(client, demo_officer) -> None:
    response = log_in(client, "demo_officer_qom", PASSWORD, next="https://evil.example/")

    assert (response.status_code, response["Location"]) == (302, HOME)


def test_a_wrong_password_shows_the_form_again_without_logging_in(client, demo_officer):
    response = log_in(client, "demo_officer_qom", "not-the-password")

    assert response.status_code == 200
    assert 'class="alert alert-danger"' in page(response)
    assert 'value="demo_officer_qom"' in page(response)  # the username is kept
    assert not _logged_in(client)


def test_an_inactive_account_cannot_log_in(client, reference) -> None:
    make_user(Role.PROVINCIAL_OFFICER, username="retired", province="IR-25", is_active=False)

    response = log_in(client, "retired", PASSWORD)

    assert response.status_code == 200
    assert not _logged_in(client)


def test_after_five_failures_even_the_right_password_is_refused_with_the_lockout_page(
    client, demo_officer
) -> None:
    for attempt in range(1, 5):
        assert log_in(client, "demo_officer_qom", f"guess-{attempt}").status_code == 200
    fifth = log_in(client, "demo_officer_qom", "guess-5")
    assert fifth.status_code == 429  # the fifth failure already shows the lockout

    client.cookies["django_language"] = "en"
    sixth = log_in(client, "demo_officer_qom", PASSWORD)

    assert sixth.status_code == 429
    assert "Too many failed logins" in page(sixth)
    assert 'name="password"' not in page(sixth)
    assert not _logged_in(client)


def test_the_lockout_holds_for_that_username_only(client, demo_officer, reference) -> None:
    make_user(Role.PROVINCIAL_OFFICER, username="demo_officer_tehran", province="IR-23")
    for attempt in range(5):
        log_in(client, "demo_officer_qom", f"guess-{attempt}")

    response = log_in(client, "demo_officer_tehran", PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


def test_a_successful_login_forgets_the_earlier_failures(client, demo_officer) -> None:
    for attempt in range(4):
        log_in(client, "demo_officer_qom", f"guess-{attempt}")
    assert log_in(client, "demo_officer_qom", PASSWORD).status_code == 302
    client.post(LOGOUT)

    for attempt in range(4):
        assert log_in(client, "demo_officer_qom", f"again-{attempt}").status_code == 200

    assert log_in(client, "demo_officer_qom", PASSWORD).status_code == 302


def test_logging_out_by_post_ends_the_session(client, demo_officer) -> None:
    log_in(client, "demo_officer_qom", PASSWORD)
    assert _logged_in(client)

    response = client.post(LOGOUT)

    assert (response.status_code, response["Location"]) == (302, HOME)
    assert not _logged_in(client)
    assert client.get(STAFF_PAGE)["Location"].startswith(LOGIN)


# --- behind the reverse proxy (docs/deploy.md): the client's address, not the proxy's -------

PROXY = "10.0.0.5"


def _post_login(client, username: str, password: str, remote: str, forwarded: str = ""):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def test_behind_the_trusted_proxy_a_lockout_holds_for_the_failing_clients_address_only(
    client, demo_officer, settings
) -> None:
    settings.PISHRAN_TRUSTED_PROXIES = [PROXY]
    for attempt in range(5):
        _post_login(client, "demo_officer_qom", f"guess-{attempt}", PROXY, "203.0.113.7")
    assert (
        _post_login(client, "demo_officer_qom", PASSWORD, PROXY, "203.0.113.7").status_code == 429
    )

    other = Client()
    response = _post_login(other, "demo_officer_qom", PASSWORD, PROXY, "198.51.100.9")

    assert response.status_code == 302
    assert _logged_in(other)


def test_the_right_most_address_not_a_trusted_proxy_is_the_client(
    client, demo_officer, settings
) -> None:
    settings.PISHRAN_TRUSTED_PROXIES = [PROXY, "10.0.0.6"]
    # The client wrote a first address itself; the proxies appended what they saw.
    for attempt in range(5):
        _post_login(
            client, "demo_officer_qom", f"guess-{attempt}", PROXY, "1.2.3.4, 203.0.113.7, 10.0.0.6"
        )

    other = Client()
    forged = _post_login(other, "demo_officer_qom", PASSWORD, PROXY, "198.51.100.9, 10.0.0.6")
    locked = _post_login(Client(), "demo_officer_qom", PASSWORD, PROXY, "9.9.9.9, 203.0.113.7")

    assert forged.status_code == 302
    assert locked.status_code == 429


def test_a_forwarded_for_header_from_an_untrusted_address_is_ignored(
    client, demo_officer, settings
) -> None:
    settings.PISHRAN_TRUSTED_PROXIES = [PROXY]
    # A client that talks to the app directly cannot escape its lockout by naming another address.
    for attempt in range(5):
        _post_login(
            client, "demo_officer_qom", f"guess-{attempt}", "192.0.2.1", f"198.51.100.{attempt}"
        )

    response = _post_login(client, "demo_officer_qom", PASSWORD, "192.0.2.1", "198.51.100.77")

    assert response.status_code == 429
