"""The rows behind a figure never show a unit's past to someone who may not see its history
(``EnterpriseRules.history_q`` / ``can_see_history``): outside a person's full scope, the
public included, a published unit is judged and shown by what it is today."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.scope import Scope
from enterprises import services
from enterprises.models import Status
from indicators.catalogue import load_indicators
from persian.jalali import format_date
from tests.access_tables import PEOPLE
from tests.factories import days_ago, make_enterprise
from tests.views_helpers import page

NAME = "ریسندگی کویر"

# Whether the person sees the unit's history: it lies in park P of Qom and is published.
SEES_HISTORY = {
    "national_admin": True,
    "officer_a": True,  # Qom
    "officer_b": False,  # Tehran
    "park_manager": True,  # park P
    "owner": False,  # owns another unit
    "cluster_agent": False,
    "anonymous": False,
    "officer_b_and_park_manager": True,  # park P, through the second grant
}
assert set(SEES_HISTORY) == set(PEOPLE)


@pytest.fixture
def revived(reference, enterprise_e):
    """A published unit of park P, idle from 100 days ago, active again from 30 days ago."""
    load_indicators()
    unit = make_enterprise(
        name=NAME,
        park=reference.park_p,
        status=Status.IDLE,
        status_date=days_ago(100),
        published=True,
    )
    services.enterprise_change_status(
        actor=None, enterprise=unit, to_status=Status.ACTIVE, date=days_ago(30), reason="احیا"
    )
    return unit


def rows(client, status: str) -> str:
    as_of = format_date(days_ago(60), persian_digits=False)
    url = reverse("indicator_rows", args=["units"])
    response = client.get(url, {"as_of": as_of, "status": status})
    assert response.status_code == 200
    return page(response)


@pytest.mark.parametrize("who", list(SEES_HISTORY))
def test_the_rule_says_who_sees_a_units_history(who, user_of, revived) -> None:
    assert Scope.of(user_of(who)).can("enterprises.see_history", revived) is SEES_HISTORY[who]


@pytest.mark.parametrize("who", list(SEES_HISTORY))
def test_a_past_status_is_shown_only_to_those_who_see_the_history(
    who, user_of, client_for, revived
) -> None:
    client = client_for(user_of(who))

    listed_as_idle_then = NAME in rows(client, Status.IDLE)
    listed_as_active = NAME in rows(client, Status.ACTIVE)

    assert listed_as_idle_then is SEES_HISTORY[who]
    assert listed_as_active is not SEES_HISTORY[who]


@pytest.mark.parametrize("who", list(SEES_HISTORY))
def test_the_units_page_tells_since_when_only_to_those_who_see_the_history(
    who, user_of, client_for, revived
) -> None:
    response = client_for(user_of(who)).get(revived.get_absolute_url())

    assert response.status_code == 200
    assert ('data-testid="status-since"' in page(response)) is SEES_HISTORY[who]
