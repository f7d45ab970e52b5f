"""What the case services announce after each write (``pishran.events``). Every name starts
with ``case.``; each event names the case's type, so a type's own app (or the indicators)
can listen to its cases only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from pishran.events import Event


@dataclass(frozen=True)
class CaseEvent(Event):
    """Something happened to one case (every event below)."""

    case_id: int
    type: str


@dataclass(frozen=True)
class CaseOpened(CaseEvent):
    name: ClassVar[str] = "case.opened"
    enterprise_id: int
    province_id: int
    stage: str
    date: dt.date


@dataclass(frozen=True)
class CaseStageChanged(CaseEvent):
    name: ClassVar[str] = "case.stage_changed"
    from_stage: str
    to_stage: str
    date: dt.date
    closed: bool


@dataclass(frozen=True)
class CaseAssigned(CaseEvent):
    name: ClassVar[str] = "case.assigned"
    assignee_id: int | None


@dataclass(frozen=True)
class CaseTransferred(CaseEvent):
    name: ClassVar[str] = "case.transferred"
    from_province_id: int
    to_province_id: int
    date: dt.date


@dataclass(frozen=True)
class CaseChanged(CaseEvent):
    """A note, a follow-up, a document or a due date: nothing any figure counts."""

    name: ClassVar[str] = "case.changed"
    what: str
