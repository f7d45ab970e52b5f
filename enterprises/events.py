"""What the registry's services announce after each write (``pishran.events``).

Each event names the enterprise (``enterprise_id``) and carries what a subscriber needs to
know what changed without reading the history twice: the ids of the events written or
removed, and the values before and after. The indicators' facts subscribe to all of them
(``indicators.facts.registry_changed``, inside the transaction): a new writer of the
registry goes through ``enterprises.services``, or publishes the same events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pishran.events import Event


@dataclass(frozen=True)
class EnterpriseEvent(Event):
    """Something happened to one enterprise (every event below)."""

    enterprise_id: int


@dataclass(frozen=True)
class UnitCreated(EnterpriseEvent):
    """Registered with its first status and location (both dated ``date``)."""

    name: ClassVar[str] = "enterprise.created"
    status_event_id: int
    location_event_id: int
    status: str
    province_id: int
    park_id: int | None
    date: dt.date


@dataclass(frozen=True)
class UnitChanged(EnterpriseEvent):
    """Profile fields changed: ``changes`` maps each changed field's attribute name
    (``industry_group_id``, ``employees``, ``size_band``…) to (before, after)."""

    name: ClassVar[str] = "enterprise.changed"
    changes: Mapping[str, tuple[Any, Any]]


@dataclass(frozen=True)
class UnitStatusChanged(EnterpriseEvent):
    """A dated status change (the ``StatusEvent`` written)."""

    name: ClassVar[str] = "enterprise.status_changed"
    status_event_id: int
    from_status: str
    to_status: str
    date: dt.date


@dataclass(frozen=True)
class UnitMoved(EnterpriseEvent):
    """From ``date`` the unit stands in another province or park (the ``LocationEvent``)."""

    name: ClassVar[str] = "enterprise.moved"
    location_event_id: int
    from_province_id: int
    from_park_id: int | None
    province_id: int
    park_id: int | None
    date: dt.date


@dataclass(frozen=True)
class UnitMeasured(EnterpriseEvent):
    """From ``date`` the unit has other employees or construction progress (the
    ``MeasureEvent`` written; None: that value did not change)."""

    name: ClassVar[str] = "enterprise.measured"
    measure_event_id: int
    date: dt.date
    employees: tuple[int, int] | None  # before, after
    construction_progress: tuple[int, int] | None


@dataclass(frozen=True)
class StatusEventCorrected(EnterpriseEvent):
    """A recorded status event's date or reason corrected (a typing mistake)."""

    name: ClassVar[str] = "enterprise.history_corrected"
    status_event_id: int
    date_before: dt.date
    date_after: dt.date
    reason_before: str
    reason_after: str


@dataclass(frozen=True)
class StatusEventWithdrawn(EnterpriseEvent):
    """The latest status event was deleted (recorded by mistake); these were its values."""

    name: ClassVar[str] = "enterprise.status_withdrawn"
    status_event_id: int
    from_status: str
    to_status: str
    date: dt.date


@dataclass(frozen=True)
class OwnersChanged(EnterpriseEvent):
    """The people who keep the unit's profile (user ids, sorted)."""

    name: ClassVar[str] = "enterprise.owners_changed"
    before: tuple[int, ...]
    after: tuple[int, ...]


@dataclass(frozen=True)
class UnitsCreated(Event):
    """Many units registered at once (``enterprises_create_batch``: a bulk import), each
    with its first status and location events, dated. One event for the batch rather than
    a ``UnitCreated`` per unit: the indicators' facts add the batch's contribution at once
    (``indicators.facts.registry_batch_created``). Not an ``EnterpriseEvent`` (it names no
    single unit): a subscriber of every registry change subscribes to both."""

    name: ClassVar[str] = "enterprise.batch_created"
    enterprise_ids: tuple[int, ...]
    province_ids: tuple[int, ...]  # the provinces the units were registered in
    # What the facts read of each unit (``indicators.facts.histories``: its values and its
    # status, location and measure events), as written, so that the batch is not read back:
    # ({id, industry_group_id, permit_date}, [(date, status event id, "", status)],
    #  [(date, location event id, province, park)],
    #  [(date, measure event id, employees, construction progress)]).
    histories: tuple[tuple[Any, ...], ...] = ()


@dataclass(frozen=True)
class UnitsUpdated(Event):
    """Many known units updated at once (``enterprises_update_batch``: a bulk import's rows
    that match a unit by national ID): what ``UnitChanged``, ``UnitMoved`` and
    ``UnitStatusChanged`` would say of each, for the batch. The indicators' facts take the
    units' histories as they are now and undo these changes to find them as they were
    (``indicators.facts.registry_batch_updated``). Not an ``EnterpriseEvent`` (it names no
    single unit): a subscriber of every registry change subscribes to both."""

    name: ClassVar[str] = "enterprise.batch_updated"
    enterprise_ids: tuple[int, ...]
    province_ids: tuple[int, ...]  # the provinces the units stood in, before and after
    # (unit id, {attribute name: (before, after)}) of the units whose profile changed.
    changes: tuple[tuple[int, Mapping[str, tuple[Any, Any]]], ...] = ()
    status_event_ids: tuple[int, ...] = ()  # the new status events
    location_event_ids: tuple[int, ...] = ()  # the new location events
    measure_event_ids: tuple[int, ...] = ()  # the new employees / progress events
