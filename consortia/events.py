"""What the consortia's services tell the layers above (``pishran.events``); listed in
``docs/architecture.md``. The indicators start a new figures version on each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from pishran.events import Event


@dataclass(frozen=True)
class ConsortiumEvent(Event):
    """Something happened to one consortium (every event below but the cap)."""

    consortium_id: int


@dataclass(frozen=True)
class ConsortiumFormed(ConsortiumEvent):
    name: ClassVar[str] = "consortium.formed"
    province_id: int
    member_ids: tuple[int, ...]  # the units
    date: dt.date


@dataclass(frozen=True)
class MemberJoined(ConsortiumEvent):
    name: ClassVar[str] = "consortium.member_joined"
    member_id: int
    enterprise_id: int
    date: dt.date


@dataclass(frozen=True)
class MemberLeft(ConsortiumEvent):
    name: ClassVar[str] = "consortium.member_left"
    member_id: int
    enterprise_id: int
    date: dt.date


@dataclass(frozen=True)
class ReadinessRecorded(ConsortiumEvent):
    name: ClassVar[str] = "consortium.readiness_recorded"
    member_id: int
    readiness_id: int
    kind: str
    date: dt.date


@dataclass(frozen=True)
class ExportsRecorded(ConsortiumEvent):
    name: ClassVar[str] = "consortium.exports_recorded"
    member_id: int
    year: int
    amount_usd: tuple[int | None, int]  # before, after


@dataclass(frozen=True)
class SupportRecorded(ConsortiumEvent):
    name: ClassVar[str] = "consortium.support_recorded"
    entry_id: int
    kind: str
    amount: int
    date: dt.date


@dataclass(frozen=True)
class CapSet(Event):
    name: ClassVar[str] = "consortium.cap_set"
    year: int
    amount: tuple[int | None, int]  # before, after
