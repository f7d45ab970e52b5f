"""Recording the domain events (``pishran.events``) a piece of code publishes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pishran.events import Event, Topic, subscribe, unsubscribe


@contextmanager
def recording(topic: Topic = Event, *, in_transaction: bool = False) -> Iterator[list[Event]]:
    """The events of ``topic`` delivered while the block runs (after commit by default)."""
    seen: list[Event] = []

    def record(event: Event) -> None:
        seen.append(event)

    subscribe(topic, record, in_transaction=in_transaction)
    try:
        yield seen
    finally:
        unsubscribe(record)


def announced[T](
    capture: Any, write: Callable[[], T], topic: Topic = Event
) -> tuple[list[Event], T]:
    """Run ``write`` in the test's transaction and "commit" it (``capture`` is pytest-django's
    ``django_capture_on_commit_callbacks``): the events of ``topic`` delivered, which must be
    none before the commit, and what ``write`` returned."""
    with recording(topic) as seen:
        with capture(execute=True):
            result = write()
            assert seen == [], "delivered before the commit"
    return seen, result
