"""Case types: each one a state machine declared in code by the app that owns it.

A case type names its stages (in order), the transitions allowed between them, what a stage
requires before a case may leave it, which stages close a case, and what happens when a
case enters a stage (``on_enter``: a clinic case entering "revived" writes the registry's
revival in the same transaction). The ``cases`` app keeps the history, assignment,
transfers, follow-ups, notes and documents of every type alike; the type's own app keeps
what is particular to it (a clinic's diagnosis and remedy plan) and registers the type from
its ``AppConfig.ready`` with ``register``. See docs/where-things-go.md, "Add a case type".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .models import Case


@dataclass(frozen=True)
class Requirement:
    """Something a case must have before it may leave a stage. ``field`` names the form
    field (or the part of the case page) the message is shown beside."""

    field: str
    message: str | Promise
    met: Callable[[Case], bool]
    # The stages this guards the way to (None: every way out of the stage).
    towards: frozenset[str] | None = None


@dataclass(frozen=True)
class Stage:
    code: str
    label: str | Promise
    # A case in a closing stage is closed (``Case.closed_on``); it can be reopened only by
    # a transition the type declares from that stage.
    closes: bool = False
    requires: tuple[Requirement, ...] = ()
    # Days a case may stay in this stage before it is overdue (None: no limit).
    due_days: int | None = None


@dataclass(frozen=True)
class CaseType:
    code: str
    label: str | Promise
    stages: tuple[Stage, ...]
    transitions: Mapping[str, frozenset[str]]
    # The role a person needs (over the case's province) to be assigned the case.
    assignee_role: str
    # Whether a unit may have only one open case of this type (a clinic: yes; finance
    # referrals: a unit may be at several banks at once).
    one_open_per_unit: bool = True
    # stage code → called inside the transition's transaction, after the stage moved:
    # ``(case, event, actor)``; what it raises (a ValidationError) rolls everything back.
    on_enter: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # Called with the unit and the opening date before a case is opened for it; raises
    # ValidationError (naming the field "enterprise") when the unit may not have a case of
    # this type. A case may be recorded after the fact (work kept on paper until then): the
    # unit is judged as it stood on the opening date.
    check_unit: Callable[[Any, Any], None] | None = None
    # Others who see the type's cases (not their notes) and act on them through the type's
    # own pages: ``(scope, prefix) -> Q`` over ``cases.Case`` (a bank officer, their bank's
    # referrals). ``cases.access`` adds it to ``visible_q``.
    parties_q: Callable[[Any, str], Any] | None = None
    # Run once a day before the digests (``cases.tasks.daily_case_work``) with the day:
    # a clinic checks whether its revivals held.
    daily: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        codes = [s.code for s in self.stages]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.code}: stage codes repeat")
        for source, targets in self.transitions.items():
            unknown = ({source} | set(targets)) - set(codes)
            if unknown:
                raise ValueError(f"{self.code}: unknown stages {sorted(unknown)}")

    @property
    def initial(self) -> str:
        return self.stages[0].code

    def stage(self, code: str) -> Stage:
        for s in self.stages:
            if s.code == code:
                return s
        raise KeyError(code)

    def stage_label(self, code: str) -> str:
        try:
            return str(self.stage(code).label)
        except KeyError:
            return code

    def allowed(self, code: str) -> frozenset[str]:
        return self.transitions.get(code, frozenset())

    @property
    def closing(self) -> frozenset[str]:
        return frozenset(s.code for s in self.stages if s.closes)

    @property
    def open_stages(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.stages if not s.closes)

    def choices(self) -> list[tuple[str, str | Promise]]:
        return [(s.code, s.label) for s in self.stages]


_TYPES: dict[str, CaseType] = {}


def register(case_type: CaseType) -> CaseType:
    _TYPES[case_type.code] = case_type
    return case_type


def get(code: str) -> CaseType:
    return _TYPES[code]


def all_types() -> list[CaseType]:
    return list(_TYPES.values())


def type_label(code: str) -> str:
    """A type's name for people (the code itself for a type no longer registered)."""
    return str(_TYPES[code].label) if code in _TYPES else code


def any_stage_label(code: str) -> str:
    """A stage's name for people, looked up in every type (a change history shows a stage
    without its case's type); the code itself when no type has it."""
    for case_type in _TYPES.values():
        if any(stage.code == code for stage in case_type.stages):
            return case_type.stage_label(code)
    return code
