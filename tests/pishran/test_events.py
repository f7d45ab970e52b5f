"""The domain-event mechanism (``pishran.events``): delivered after commit, never after a
rollback (a rolled-back savepoint around the publish included), at once outside a
transaction; in-transaction subscribers inside it; topics by class, name or prefix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
from django.conf import settings
from django.db import transaction

from pishran import events
from pishran.events import Event, publish
from tests.events_helpers import recording


@dataclass(frozen=True)
class Rang(Event):
    name: ClassVar[str] = "bell.rang"
    times: int


@dataclass(frozen=True)
class Cracked(Event):
    name: ClassVar[str] = "bell.cracked"


@dataclass(frozen=True)
class Knocked(Event):
    name: ClassVar[str] = "door.knocked"


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_an_event_is_delivered_at_once() -> None:
    with recording(Rang) as seen:
        publish(Rang(times=1))

        assert seen == [Rang(times=1)]


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_it_is_delivered_once_after_the_commit() -> None:
    with recording(Rang) as seen:
        with transaction.atomic():
            publish(Rang(times=2))
            with transaction.atomic():  # a savepoint released: still delivered
                publish(Rang(times=3))
            assert seen == []

        assert seen == [Rang(times=2), Rang(times=3)]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_delivered_when_the_transaction_rolls_back() -> None:
    with recording(Rang) as seen:
        with pytest.raises(Boom), transaction.atomic():
            publish(Rang(times=1))
            raise Boom

        assert seen == []


@pytest.mark.django_db(transaction=True)
def test_an_event_in_a_rolled_back_savepoint_is_not_delivered_the_others_are() -> None:
    with recording(Rang) as seen:
        with transaction.atomic():
            publish(Rang(times=1))
            with pytest.raises(Boom), transaction.atomic():
                publish(Rang(times=2))
                raise Boom
            publish(Rang(times=3))

        assert seen == [Rang(times=1), Rang(times=3)]


@pytest.mark.django_db(transaction=True)
def test_an_in_transaction_subscriber_runs_inside_and_its_failure_rolls_the_change_back() -> None:
    from django.contrib.auth.models import Group

    calls: list[bool] = []

    def inside(event: Event) -> None:
        calls.append(transaction.get_connection().in_atomic_block)
        raise Boom

    events.subscribe(Cracked, inside, in_transaction=True)
    try:
        with recording(Cracked) as after:
            with pytest.raises(Boom), transaction.atomic():
                Group.objects.create(name="bell ringers")
                publish(Cracked())
    finally:
        events.unsubscribe(inside)

    assert calls == [True]
    assert after == []
    assert not Group.objects.filter(name="bell ringers").exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_after_the_commit_does_not_stop_the_others(caplog) -> None:
    def broken(event: Event) -> None:
        raise Boom

    events.subscribe(Rang, broken)
    try:
        with recording(Rang) as seen, transaction.atomic():
            publish(Rang(times=1))
    finally:
        events.unsubscribe(broken)

    assert seen == [Rang(times=1)]
    assert "Boom" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_topics_are_a_class_a_name_or_a_prefix() -> None:
    with recording("bell.") as bells, recording("bell.cracked") as cracks:
        with recording(Knocked) as knocks:
            publish(Rang(times=1))
            publish(Cracked())
            publish(Knocked())

    assert bells == [Rang(times=1), Cracked()]
    assert cracks == [Cracked()]
    assert knocks == [Knocked()]
    with pytest.raises(ValueError):
        events.subscribe("bell", print)  # neither a name nor a prefix ending in '.'


def test_names_are_stable_and_unique() -> None:
    with pytest.raises(TypeError):

        @dataclass(frozen=True)
        class Again(Event):
            name: ClassVar[str] = "bell.rang"

    with pytest.raises(TypeError):

        @dataclass(frozen=True)
        class Shouting(Event):
            name: ClassVar[str] = "Bell Rang"

    with pytest.raises(TypeError):
        publish("bell.rang")  # type: ignore[arg-type]


def test_every_event_of_the_apps_is_listed_in_the_architecture() -> None:
    """docs/architecture.md names each event, its publisher and its subscribers."""
    text = (Path(settings.BASE_DIR) / "docs" / "architecture.md").read_text(encoding="utf-8")
    names = {
        name
        for name, cls in events.event_names().items()
        if not cls.__module__.startswith("tests.")
    }

    assert len(names) >= 25
    assert sorted(n for n in names if f"`{n}`" not in text) == []
    assert all(re.match(r"^[a-z_]+\.[a-z_]+$", n) for n in names)
