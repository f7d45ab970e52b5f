"""``/health/``: for load balancers and monitoring.

``ACCESS`` is its policy for a caller from another machine, read like
``tests/enterprises/test_views_access.py``: ``details`` (200, JSON naming each check),
``bare`` (200, the plain word ``ok`` and nothing of the checks: monitors need no more, and the
public should learn nothing of the database or the queue), both never cached and with no login
needed, and ``405`` (it changes nothing, so it takes no POST). Callers on the machine itself
(loopback, no ``X-Forwarded-For``) get the details too; the test client calls from 127.0.0.1,
so the tests of the figures below are such callers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ops.tasks import backup_task
from ops.workers import WorkerLost
from tests.access_tables import ROLES, with_two_grants

HEALTH = reverse("health")
OUTSIDE = "203.0.113.7"  # a caller from another machine

# fmt: off
ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants({
    "health": {
        "GET": {
            "national_admin": {"-": "details"},
            "officer_a":      {"-": "bare"},
            "officer_b":      {"-": "bare"},
            "park_manager":   {"-": "bare"},
            "owner":          {"-": "bare"},
            "cluster_agent":  {"-": "bare"},
            "anonymous":      {"-": "bare"},
        },
        "POST": {role: {"-": "405"} for role in ROLES},
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


@pytest.mark.parametrize(("route", "method", "who", "outcome"), CASES)
def test_every_role_gets_what_the_policy_table_says_on_the_health_page(
    route, method, who, outcome, user_of, client_for, db
) -> None:
    client = client_for(user_of(who))
    url = reverse(route)

    if method == "GET":
        response = client.get(url, REMOTE_ADDR=OUTSIDE)
    else:
        response = client.post(url, REMOTE_ADDR=OUTSIDE)

    if outcome == "details":
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content)["checks"]["database"]["status"] == "ok"
        assert "no-store" in response["Cache-Control"]
    elif outcome == "bare":
        assert response.status_code == 200
        assert response.content == b"ok"
        assert "no-store" in response["Cache-Control"]
    else:
        assert response.status_code == 405


def test_health_reports_the_database_and_the_task_queue(client, db) -> None:
    body = json.loads(client.get(HEALTH).content)

    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["tasks"] == {
        "status": "ok", "ready": 0, "oldest_ready_seconds": 0, "running": 0,
        "lost_with_worker": 0,
    }  # fmt: skip


def test_health_counts_waiting_jobs_and_the_age_of_the_oldest(client, db) -> None:
    backup_task.enqueue()
    old = backup_task.enqueue()
    DBTaskResult.objects.filter(pk=old.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=10)
    )

    tasks = json.loads(client.get(HEALTH).content)["checks"]["tasks"]

    assert tasks["ready"] == 2
    assert 600 <= tasks["oldest_ready_seconds"] < 660


def test_health_counts_jobs_lost_with_their_worker(client, db) -> None:
    job = DBTaskResult.objects.get(pk=backup_task.enqueue().id)
    job.claim("gone-host:1")
    job.set_failed(WorkerLost("worker gone-host:1 stopped"))

    tasks = json.loads(client.get(HEALTH).content)["checks"]["tasks"]

    assert (tasks["lost_with_worker"], tasks["running"]) == (1, 0)
    assert DBTaskResult.objects.get(pk=job.pk).status == TaskResultStatus.FAILED


def test_a_database_that_does_not_answer_is_a_503_naming_it_without_its_address(
    client, db, monkeypatch
) -> None:
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError('connection to server at "10.1.2.3", user "pishran" failed')

    with monkeypatch.context() as patch:  # undone before the test database is torn down
        patch.setattr(BaseDatabaseWrapper, "cursor", refuse)
        response = client.get(HEALTH)

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["checks"]["database"] == {"status": "error", "error": "OperationalError"}
    assert "10.1.2.3" not in response.content.decode()
    assert "pishran" not in response.content.decode()


def test_with_redis_configured_health_checks_the_cache_too(client, db, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"  # the cache backend itself stays local

    checks = json.loads(client.get(HEALTH).content)["checks"]

    assert checks["cache"]["status"] == "ok"


def test_a_redis_that_does_not_answer_is_a_503_naming_the_cache(client, db, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    response = client.get(HEALTH)

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["cache"] == {"status": "error", "error": "ConnectionError"}
    assert body["checks"]["database"]["status"] == "ok"
    assert "127.0.0.1" not in response.content.decode()


def test_the_public_never_sees_which_check_failed(client, db, monkeypatch) -> None:
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError('connection to server at "10.1.2.3", user "pishran" failed')

    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "cursor", refuse)
        response = client.get(HEALTH, REMOTE_ADDR=OUTSIDE)

    assert response.status_code == 503
    assert response.content == b"unavailable"


@pytest.mark.parametrize("forwarded", ["203.0.113.7", "127.0.0.1"])
def test_the_public_through_the_proxy_on_this_machine_gets_the_bare_word(
    client, db, forwarded
) -> None:
    # nginx connects from 127.0.0.1 and always says for whom (docs/deploy.md, section 6).
    response = client.get(HEALTH, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_a_caller_on_this_machine_gets_the_details(client, db, address) -> None:
    response = client.get(HEALTH, REMOTE_ADDR=address)

    assert json.loads(response.content)["checks"]["database"]["status"] == "ok"
