"""What the cluster programme's services announce after each write (``pishran.events``).

Every name starts with ``cluster.``: the indicators subscribe to the prefix and start a new
figures version (the programme's figures and the province pages' cluster blocks are kept
per version). Stage events carry the stage history's facts (kind, stages, date), so a
subscriber need not read the history again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pishran.events import Event


@dataclass(frozen=True)
class ClusterEvent(Event):
    """Something happened to one cluster (every event below)."""

    cluster_id: int


@dataclass(frozen=True)
class ClusterCreated(ClusterEvent):
    """Registered at its first stage (the ``StageEvent`` of kind start)."""

    name: ClassVar[str] = "cluster.created"
    stage_event_id: int
    province_id: int
    stage: str
    date: dt.date


@dataclass(frozen=True)
class ClusterChanged(ClusterEvent):
    """Profile or team fields changed: attribute name → (before, after)."""

    name: ClassVar[str] = "cluster.changed"
    changes: Mapping[str, tuple[Any, Any]]


@dataclass(frozen=True)
class ClusterStageChanged(ClusterEvent):
    """A dated step of the stage history: ``kind`` is advance, skip, year (a new
    implementation year), suspend or resume (``clusters.models.StageEvent.Kind``)."""

    name: ClassVar[str] = "cluster.stage_changed"
    stage_event_id: int
    kind: str
    from_stage: str
    to_stage: str
    date: dt.date
    implementation_year: int | None


@dataclass(frozen=True)
class MemberAdded(ClusterEvent):
    name: ClassVar[str] = "cluster.member_added"
    membership_id: int
    enterprise_id: int
    joined_on: dt.date


@dataclass(frozen=True)
class PlanApproved(ClusterEvent):
    name: ClassVar[str] = "cluster.plan_approved"
    date: dt.date


@dataclass(frozen=True)
class EvaluationRecorded(ClusterEvent):
    name: ClassVar[str] = "cluster.evaluation_recorded"
    date: dt.date


@dataclass(frozen=True)
class DocumentUploaded(ClusterEvent):
    """A document stored (``stage_event_id``: the stage step it documents, if any)."""

    name: ClassVar[str] = "cluster.document_uploaded"
    document_id: int
    kind: str
    stage_event_id: int | None


@dataclass(frozen=True)
class ActionAdded(ClusterEvent):
    """A joint action added to the action plan."""

    name: ClassVar[str] = "cluster.action_added"
    action_id: int


@dataclass(frozen=True)
class ActionUpdated(ClusterEvent):
    """A joint action changed: field → (before, after)."""

    name: ClassVar[str] = "cluster.action_updated"
    action_id: int
    changes: Mapping[str, tuple[Any, Any]]


@dataclass(frozen=True)
class VisitRecorded(ClusterEvent):
    """A visit or a report recorded (``kind``: ``clusters.models.Visit.Kind``)."""

    name: ClassVar[str] = "cluster.visit_recorded"
    visit_id: int
    kind: str
    date: dt.date
