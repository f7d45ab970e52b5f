"""The read router without a replica configured (the suite's own databases): everything
reads and writes the primary and no pin cookie is set. The router with a real streaming
replica is proven by ``bench/replica.py`` (docs/benchmarks.md, "Read replica")."""

from __future__ import annotations

import time

import pytest
from django.test import RequestFactory

from pishran import replicas

pytestmark = pytest.mark.django_db


def test_without_a_replica_every_read_goes_to_the_primary(client) -> None:
    assert not replicas.configured()
    response = client.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    assert replicas.PIN_COOKIE not in response.cookies
    assert replicas.alias_for_read() == "default"


def test_a_pin_cookie_holds_until_its_time_and_a_forged_one_is_ignored() -> None:
    factory = RequestFactory()
    future = factory.get("/", HTTP_COOKIE=f"{replicas.PIN_COOKIE}={int(time.time()) + 5}")
    past = factory.get("/", HTTP_COOKIE=f"{replicas.PIN_COOKIE}={int(time.time()) - 5}")
    forged = factory.get("/", HTTP_COOKIE=f"{replicas.PIN_COOKIE}=99999999999999999999")
    assert replicas._pinned(future) and not replicas._pinned(past) and not replicas._pinned(forged)


def test_the_router_never_writes_or_migrates_on_the_replica() -> None:
    router = replicas.ReplicaRouter()
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica", "enterprises") is False
    assert router.allow_migrate("default", "enterprises") is True


def test_the_figures_are_computed_on_the_primary_even_when_the_request_may_read_a_replica() -> None:
    from indicators import sources

    seen = []
    token = replicas._choice.set("replica")  # a request that chose the replica
    try:
        sources.memo(("test-on-primary",), lambda: seen.append(replicas._choice.get()) or 1)
        assert replicas._choice.get() == "replica"  # the rest of the request still may
    finally:
        replicas._choice.reset(token)
    assert seen == [None]  # None: every read of the computation goes to the primary
