"""The cluster development method as data: the ten stages, in order, with the supervision
cadence each one expects.

To add a stage, add a ``StageDef`` here in its place (see docs/clusters.md, "Add a stage");
the order is the position in ``STAGES``, so nothing else numbers them. Counting milestones
(identified, in development, completed) name stages by code, not by position.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class StageDef:
    code: str
    label: Promise
    # Days between supervisor visits and between progress reports while a cluster is in
    # this stage; None: nothing is expected.
    visit_every_days: int | None = None
    report_every_days: int | None = None


STAGES: tuple[StageDef, ...] = (
    StageDef("committee", _("provincial committee formed")),
    StageDef("identified", _("identified and prioritised")),
    StageDef("feasibility", _("feasibility study")),
    StageDef("agent_selected", _("development agent selected")),
    StageDef("diagnosis", _("diagnostic study"), visit_every_days=31, report_every_days=31),
    StageDef("trust_building", _("trust building"), visit_every_days=31, report_every_days=62),
    StageDef("action_plan", _("action plan"), visit_every_days=31, report_every_days=62),
    StageDef("implementation", _("implementation"), visit_every_days=62, report_every_days=92),
    StageDef("evaluation", _("evaluation and exit of the agent"), visit_every_days=62),
    StageDef("completed", _("completion licence issued")),
)

BY_CODE: dict[str, StageDef] = {s.code: s for s in STAGES}
ORDER: dict[str, int] = {s.code: i + 1 for i, s in enumerate(STAGES)}
CHOICES: list[tuple[str, Promise]] = [(s.code, s.label) for s in STAGES]

# The milestones officials count ("N identified, M completed").
IDENTIFIED = "identified"
DEVELOPMENT = "agent_selected"  # a development project exists once an agent is contracted
IMPLEMENTATION = "implementation"
COMPLETED = "completed"
IMPLEMENTATION_YEARS = (1, 2, 3)


def order(code: str) -> int:
    return ORDER[code]


def next_stage(code: str) -> str | None:
    i = ORDER[code]
    return STAGES[i].code if i < len(STAGES) else None


def label(code: str) -> str:
    return str(BY_CODE[code].label) if code in BY_CODE else code
