"""The change feed: status events, moves, cluster stages and case transitions after a
cursor, oldest first, only what the caller may see; following it never repeats or skips."""

from __future__ import annotations

import pytest

from enterprises.models import Status
from enterprises.services import enterprise_change_status
from tests.api.conftest import make_token
from tests.factories import days_ago, make_cluster, make_enterprise
from tests.finance.conftest import introduce


@pytest.fixture(autouse=True)
def no_lag(settings):  # type: ignore[no-untyped-def]
    settings.PISHRAN_API_FEED_LAG_SECONDS = 0


def _all(call, token=None, **params):  # type: ignore[no-untyped-def]
    """Every event of the feed, page by page, and the last cursor."""
    events, cursor = [], None
    for _ in range(100):
        body = call("/changes", token, **({"cursor": cursor} if cursor else {}), **params).json()
        if not body["results"]:
            return events, body["next_cursor"]
        events += body["results"]
        cursor = body["next_cursor"]
    raise AssertionError("the feed never ended")


def test_a_follower_gets_each_change_once_and_then_only_the_new_ones(
    call, reference, officer_a
) -> None:
    token = make_token(officer_a)
    unit = make_enterprise(name="کاشی قم", status_date=days_ago(100))
    enterprise_change_status(
        actor=None, enterprise=unit, to_status=Status.IDLE, date=days_ago(10), reason="بازدید"
    )

    events, cursor = _all(call, token, limit=1)  # one a page: the cursor does the work

    mine = [e for e in events if e.get("enterprise") == unit.pk]
    assert [(e["kind"], e["after"]) for e in mine if e["kind"] == "status"] == [
        ("status", Status.ACTIVE),
        ("status", Status.IDLE),
    ]
    assert len({(e["kind"], e["id"]) for e in events}) == len(events)  # nothing twice
    assert call("/changes", token, cursor=cursor).json()["results"] == []
    enterprise_change_status(
        actor=None, enterprise=unit, to_status=Status.ACTIVE, date=days_ago(1), reason="احیا"
    )
    (new,) = call("/changes", token, cursor=cursor).json()["results"]
    assert (new["kind"], new["before"], new["after"]) == ("status", Status.IDLE, Status.ACTIVE)
    assert new["date_jalali"] and new["date"] == days_ago(1).isoformat()


def test_each_caller_follows_only_what_they_may_see(call, reference, officer_a, officer_b) -> None:
    unit = make_enterprise(name="واحد قم", status_date=days_ago(100), published=True)
    referral = introduce(unit, "melli", days=20)
    cluster = make_cluster(name="خوشه فرش قم", published=True)

    qom = {
        (e["kind"], e.get("enterprise"), e.get("case"))
        for e in _all(call, make_token(officer_a))[0]
    }
    tehran = _all(call, make_token(officer_b))[0]
    public = _all(call)[0]

    assert ("status", unit.pk, None) in qom and ("case", unit.pk, referral.case_id) in qom
    assert not [e for e in tehran if e.get("enterprise") == unit.pk]
    assert not [e for e in public if e["kind"] in ("status", "move", "case")]  # no history
    assert {e["cluster"] for e in public if e["kind"] == "cluster_stage"} == {cluster.pk}


def test_kinds_narrow_the_feed_and_recent_events_wait_for_the_lag(
    call, reference, officer_a, settings
) -> None:
    token = make_token(officer_a)
    make_enterprise(name="واحد تازه", status_date=days_ago(5))
    make_cluster(name="خوشه تازه")

    moves = _all(call, token, kinds="move")[0]
    assert moves and {e["kind"] for e in moves} == {"move"}
    settings.PISHRAN_API_FEED_LAG_SECONDS = 3600
    assert call("/changes", token).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"kinds": "status,bogus"}, "invalid_filter"),
        ({"kinds": "STATUS"}, "invalid_input"),
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
        ({"cursor": "eyJzdGF0dXMiOi0xfQ"}, "invalid_cursor"),  # {"status":-1}
        ({"limit": "0"}, "invalid_input"),
    ],
)
def test_a_feed_asked_wrongly_is_refused_with_a_code(call, reference, params, code) -> None:
    response = call("/changes", **params)
    assert response.status_code == 422 and response.json()["code"] == code
