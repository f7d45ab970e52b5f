"""Figures shared by every process through Redis (``CACHES["figures"]``, set when
``REDIS_URL`` is), and the site serving on when Redis is down (``pishran.cache``).

Against the real Redis on 127.0.0.1:6379, database 13, under a key prefix of this run's
own (removed afterwards). "Another process" is this one with its in-memory figures dropped
(``sources._MEMO``): what it still finds, it found in Redis.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from indicators import sources
from pishran import cache as forgiving

REDIS = "redis://127.0.0.1:6379/13"


def _redis_cache(location: str, prefix: str) -> dict[str, Any]:
    return {
        "BACKEND": "pishran.cache.ForgivingRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": prefix,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }


@pytest.fixture(autouse=True)
def _no_outage_remembered() -> Iterator[None]:
    forgiving._down_until.clear()
    yield
    forgiving._down_until.clear()


@pytest.fixture
def shared(settings: Any, db: None) -> Iterator[Any]:
    prefix = f"pishran-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {**settings.CACHES, "figures": _redis_cache(REDIS, prefix)}
    yield caches["figures"]
    server = redis.Redis.from_url(REDIS)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def _another_process() -> None:
    sources._MEMO.clear()


def _never() -> Any:
    raise AssertionError("computed again: the shared copy was not used")


def test_a_figure_computed_by_one_process_is_read_by_the_others(shared: Any) -> None:
    computed = []

    assert sources.memo(("test", 1), lambda: computed.append(1) or {"units": 42}) == {"units": 42}
    _another_process()

    assert sources.memo(("test", 1), _never) == {"units": 42}
    assert computed == [1]


def test_one_edit_makes_one_process_compute_again_and_the_others_read_its_result(
    shared: Any,
) -> None:
    sources.memo(("test", 2), lambda: "before the edit")

    sources.bump_version()  # what a committed edit's event does
    _another_process()
    assert sources.memo(("test", 2), lambda: "after the edit") == "after the edit"
    _another_process()

    assert sources.memo(("test", 2), _never) == "after the edit"


def test_a_dashboard_drawn_by_one_process_is_drawn_by_another_without_reading_the_facts(
    shared: Any, registry: Any
) -> None:
    first = Client().get("/provinces/IR-25/")
    _another_process()

    with CaptureQueriesContext(connection) as queries:
        second = Client().get("/provinces/IR-25/")

    assert first.status_code == second.status_code == 200
    assert not [q["sql"] for q in queries if "indicators_fact" in q["sql"]]


def test_keys_are_the_same_text_in_every_process_or_not_shared() -> None:
    one = sources._shared_key(
        7, ("x", frozenset({"officer", "park", "nation"}), sources.Place("p", 3))
    )
    two = sources._shared_key(
        7, ("x", frozenset({"nation", "park", "officer"}), sources.Place("p", 3))
    )

    assert one == two and one is not None and one.startswith("7:")
    assert sources._shared_key(7, ("x", object())) is None  # repr with an address


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_with_redis_stopped_the_site_serves_and_says_so_in_the_log(
    settings: Any, registry: Any, national_admin: Any, caplog: Any
) -> None:
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.REDIS_URL = down
    settings.CACHES = {
        "default": _redis_cache(down, "pishran-test"),
        "figures": _redis_cache(down, "pishran-test:figures"),
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    staff = Client()
    staff.force_login(national_admin)
    caplog.set_level(logging.WARNING, logger="pishran.cache")

    for client, url in (
        (Client(), "/"),
        (Client(), "/provinces/IR-25/"),
        (Client(), "/?export=csv"),
        (Client(), "/indicators/units-active/rows/"),
        (staff, "/enterprises/"),
        (staff, "/enterprises/?q=پیشران"),
        (staff, f"/enterprises/{registry.e.pk}/"),
    ):
        assert client.get(url).status_code == 200, url

    assert "cache unavailable (ConnectionError)" in caplog.text
    # /health/ still tells the operator (from the machine itself: the details).
    health = Client().get("/health/")
    assert health.status_code == 503
    assert health.json()["checks"]["cache"] == {"status": "error", "error": "ConnectionError"}


def test_the_forgiving_cache_answers_as_an_empty_one_while_redis_is_down(settings: Any) -> None:
    settings.CACHES = {"default": _redis_cache(f"redis://127.0.0.1:{_closed_port()}/0", "t")}
    cache = caches["default"]

    cache.set("k", 1)
    assert cache.get("k", "missing") == "missing"
    assert cache.add("k", 1) is False
    assert cache.get_many(["k"]) == {}
    with pytest.raises(ValueError):
        cache.incr("k")
    with pytest.raises(redis.exceptions.ConnectionError):
        cache.ping()


def test_the_forgiving_cache_is_a_cache_when_redis_is_up(shared: Any) -> None:
    shared.set("k", 1)
    assert shared.get("k") == 1
    assert shared.add("k", 2) is False
    assert shared.incr("k") == 2
    shared.ping()
