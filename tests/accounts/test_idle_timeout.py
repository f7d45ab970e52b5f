"""Staff sessions end after ``PISHRAN_STAFF_IDLE_MINUTES`` without a request; the time is
moved by setting the session's last-seen value back."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.middleware import LAST_SEEN
from tests.views_helpers import page

HOME = reverse("home")
STAFF = ("national_admin", "officer_a", "park_manager")
OTHERS = ("owner", "cluster_agent")


def _idle(client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN] = session.get(LAST_SEEN, 0) - minutes * 60
    session.save()


def _logged_in(client) -> bool:
    return 'data-testid="whoami"' in page(client.get(HOME))


@pytest.mark.parametrize("who", STAFF)
def test_a_staff_session_idle_too_long_is_logged_out_and_sent_to_log_in(
    who, user_of, client_for, db
):
    client = client_for(user_of(who))
    assert _logged_in(client)

    _idle(client, settings.PISHRAN_STAFF_IDLE_MINUTES + 1)
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={HOME}"
    assert not _logged_in(client)


@pytest.mark.parametrize("who", STAFF)
def test_a_staff_session_used_within_the_limit_stays(who, user_of, client_for, db):
    client = client_for(user_of(who))
    assert _logged_in(client)

    _idle(client, settings.PISHRAN_STAFF_IDLE_MINUTES - 1)

    assert _logged_in(client)


@pytest.mark.parametrize("who", OTHERS)
def test_other_people_keep_djangos_session_age(who, user_of, client_for, db):
    client = client_for(user_of(who))
    assert _logged_in(client)
    assert LAST_SEEN not in client.session

    _idle(client, settings.PISHRAN_STAFF_IDLE_MINUTES + 1)

    assert _logged_in(client)
