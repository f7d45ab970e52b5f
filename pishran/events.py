"""Domain events: a write says what it did; whatever depends on it listens.

A service publishes one event after its write (``publish(UnitMoved(...))``). The apps that
keep something derived from the registry subscribe to it from their ``AppConfig.ready``
(the indicators: facts and figures version). A lower layer never imports the layer that
reads it, and a new writer (an import, a batch job) keeps the figures right by going
through the services, which publish.

An event is a frozen dataclass that subclasses ``Event`` and has a stable ``name``,
``"<noun>.<what happened>"`` (``enterprise.status_changed``). It carries ids and plain
values (dates, strings, numbers), never model instances: a subscriber may run after the
transaction, and what it needs must not depend on an object someone changes later.

Delivery, for each subscriber:

- **after commit** (the default). Published inside a transaction, the event is handed to
  ``transaction.on_commit`` (one callback per subscriber, ``robust=True``): it is delivered
  once the transaction commits, and never if it rolls back, a rolled-back savepoint around
  the publish included (Django discards that savepoint's callbacks). Published outside a
  transaction, it is delivered at once. The change is already committed when it arrives,
  so a subscriber that fails is logged and neither stops the others nor fails the request.
- **in the transaction** (``in_transaction=True``): called at once, inside the publisher's
  transaction, before ``publish`` returns; what it writes commits or rolls back with the
  change, and its exception rolls the change back. Only for subscribers that must see the
  database as the change left it *before* anything else commits, and whose own rows must
  commit with it: the indicators' facts (``indicators.facts.registry_changed``) compute the
  unit's contribution before and after the change, and write the ``FactChange`` row a
  rebuild running meanwhile relies on; after the commit, another transaction could already
  have changed the unit again. Keep such subscribers short: they run inside the request.

Subscribers are called in the order they subscribed. A topic is an ``Event`` class
(its subclasses too), an event's name, or a prefix ending in a dot (``"cluster."``: every
event of the cluster programme).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import DEFAULT_DB_ALIAS, transaction

NAME = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")


@dataclass(frozen=True)
class Event:
    """What happened, once it happened. Subclasses are frozen dataclasses with a ``name``."""

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            return  # an abstract base (all the events of one app), published never
        if not NAME.match(cls.name):
            raise TypeError(f"{cls.__qualname__}.name must look like 'noun.what_happened'")
        known = _names.get(cls.name)
        if known is not None and (known.__module__, known.__qualname__) != (
            cls.__module__,
            cls.__qualname__,
        ):
            raise TypeError(f"Two events are named {cls.name!r}: {known} and {cls}")
        _names[cls.name] = cls


_names: dict[str, type[Event]] = {}

Topic = type[Event] | str
Handler = Callable[[Any], None]


@dataclass(frozen=True)
class _Subscription:
    topic: Topic
    handler: Handler
    in_transaction: bool

    def wants(self, event: Event) -> bool:
        if isinstance(self.topic, str):
            return event.name == self.topic or (
                self.topic.endswith(".") and event.name.startswith(self.topic)
            )
        return isinstance(event, self.topic)


_subscriptions: list[_Subscription] = []


def subscribe(topic: Topic, handler: Handler, *, in_transaction: bool = False) -> None:
    """Call ``handler(event)`` for every event of ``topic`` published from now on: after
    the publisher's transaction commits, or, with ``in_transaction``, inside it (see the
    module's docstring). Subscribing the same handler to the same topic twice is a no-op."""
    if isinstance(topic, str) and not (NAME.match(topic) or re.match(r"^[a-z][a-z_]*\.$", topic)):
        raise ValueError(f"Subscribe to an event's name or to a prefix ending in '.': {topic!r}")
    subscription = _Subscription(topic, handler, in_transaction)
    if subscription not in _subscriptions:
        _subscriptions.append(subscription)


def unsubscribe(handler: Handler) -> None:
    """Stop calling ``handler`` (for every topic it subscribed to)."""
    _subscriptions[:] = [s for s in _subscriptions if s.handler != handler]


def publish(event: Event, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Announce ``event``: in-transaction subscribers now, the others once the transaction
    of ``using`` commits (at once outside a transaction)."""
    if not isinstance(event, Event) or not event.name:
        raise TypeError(f"Publish an Event subclass with a name, not {event!r}")
    wanted = [s for s in _subscriptions if s.wants(event)]
    for subscription in wanted:
        if subscription.in_transaction:
            subscription.handler(event)
    for subscription in wanted:
        if not subscription.in_transaction:
            transaction.on_commit(
                functools.partial(subscription.handler, event), using=using, robust=True
            )


def event_names() -> dict[str, type[Event]]:
    """Every event class defined so far, by name (documentation and tests)."""
    return dict(_names)
