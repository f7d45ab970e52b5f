"""Reads of cases, always starting from the person's ``Scope``; and counts by stage as of
any date, read from the dated history (every ``CaseEvent`` holds the case's whole state
after it, so a case's state on a date is its latest event on or before that date)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts.scope import Scope
from persian import jalali

from . import types
from .models import Case, CaseEvent, FollowUp


def office_on(case: str, day: str) -> Subquery:
    """The office (province id) that held the case ``case`` refers to on the day ``day``
    refers to (both outer references): its latest history step on or before that day."""
    steps = CaseEvent.objects.filter(case=OuterRef(case), date__lte=OuterRef(day)).order_by(
        "-date", "-id"
    )
    return Subquery(steps.values("province_id")[:1])


def case_get_visible(user: Any, pk: int) -> Case:
    """The case, if the person may see it at all (404 otherwise)."""
    case = (
        Case.objects.filter(Scope.of(user).visible_q(Case), pk=pk)
        .select_related("enterprise", "enterprise__park", "province", "assignee")
        .first()
    )
    if case is None:
        raise Http404
    return case


def cases_visible(user: Any, type: str | None = None) -> QuerySet[Case]:
    cases = Case.objects.filter(Scope.of(user).visible_q(Case))
    if type:
        cases = cases.filter(type=type)
    return cases


def cases_kept(user: Any, type: str | None = None) -> QuerySet[Case]:
    """The cases the person keeps (staff scope: never an owner's view)."""
    cases = Case.objects.filter(Scope.of(user).full_q(Case))
    if type:
        cases = cases.filter(type=type)
    return cases


def stage_overdue_q(case_type: types.CaseType, day: dt.date) -> Q:
    """Open cases of the type that stayed in a stage longer than it allows."""
    q = Q(pk__in=[])
    for stage in case_type.stages:
        if stage.due_days is not None and not stage.closes:
            q |= Q(stage=stage.code, stage_since__lt=day - dt.timedelta(days=stage.due_days))
    return Q(type=case_type.code) & q


def overdue_q(day: dt.date) -> Q:
    """Open cases that are late on ``day``: past their due date, past their stage's time,
    or with a follow-up due before ``day`` and not done."""
    late_follow_up = FollowUp.objects.filter(
        case=OuterRef("pk"), done_on__isnull=True, due_on__lt=day
    )
    q = Q(due_on__lt=day)
    for case_type in types.all_types():
        q |= stage_overdue_q(case_type, day)
    from django.db.models import Exists

    return Q(closed_on__isnull=True) & (q | Q(Exists(late_follow_up)))


@dataclass
class Caseload:
    person: Any
    open: int = 0
    overdue: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)


def caseload(cases: QuerySet[Case], day: dt.date | None = None) -> list[Caseload]:
    """Open cases per assignee (and per stage), with how many are overdue."""
    day = day or jalali.today()
    open_cases = cases.filter(closed_on__isnull=True, assignee__isnull=False)
    loads: dict[int, Caseload] = {}
    for row in open_cases.values("assignee_id", "stage").annotate(n=Count("id")).order_by():
        load = loads.setdefault(row["assignee_id"], Caseload(None))
        load.open += row["n"]
        load.by_stage[row["stage"]] = load.by_stage.get(row["stage"], 0) + row["n"]
    for late in (
        open_cases.filter(overdue_q(day)).values("assignee_id").annotate(n=Count("id")).order_by()
    ):
        loads[late["assignee_id"]].overdue = late["n"]
    from accounts.models import User

    people = User.objects.in_bulk(list(loads))
    for pk, load in loads.items():
        load.person = people.get(pk)
    return sorted(loads.values(), key=lambda x: (-x.open, x.person.sort_key if x.person else ""))


def counts_by_stage(
    type: str, as_of: dt.date, province_id: int | None = None, park_id: int | None = None
) -> dict[str, int]:
    """How many cases of ``type`` stood at each stage at the end of ``as_of``, held by
    ``province_id``'s office (a transfer counts from its date), or of units in ``park_id``
    (where the unit stands today)."""
    latest = CaseEvent.objects.filter(case=OuterRef("case"), date__lte=as_of).order_by(
        "-date", "-id"
    )
    events = CaseEvent.objects.filter(case__type=type, date__lte=as_of).filter(
        pk=Subquery(latest.values("pk")[:1])
    )
    if province_id is not None:
        events = events.filter(province_id=province_id)
    if park_id is not None:
        events = events.filter(case__enterprise__park_id=park_id)
    counts: dict[str, int] = defaultdict(int)
    for row in events.values("stage").annotate(n=Count("id")).order_by():
        counts[row["stage"]] += row["n"]
    return dict(counts)


def cases_at_stage(type: str, as_of: dt.date, stages: list[str]) -> QuerySet[Case]:
    """The cases of ``type`` that stood at one of ``stages`` at the end of ``as_of`` (the
    rows behind ``counts_by_stage``), annotated with the office that held them then."""
    latest = CaseEvent.objects.filter(case=OuterRef("pk"), date__lte=as_of).order_by("-date", "-id")
    return (
        Case.objects.filter(type=type, opened_on__lte=as_of)
        .annotate(
            stage_then=Subquery(latest.values("stage")[:1]),
            province_then=Subquery(latest.values("province_id")[:1]),
        )
        .filter(stage_then__in=stages)
    )


def follow_ups_due(cases: QuerySet[Case], day: dt.date) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(case__in=cases, done_on__isnull=True, due_on__lte=day)
        .select_related("case", "case__enterprise")
        .order_by("due_on", "id")
    )


UNIT_CASES_SHOWN = 10


def unit_section(user: Any, enterprise: Any) -> Any:
    """The unit page's section of its cases of every type the person may see (newest
    first), or None (``enterprises.sections``)."""
    from django.utils.translation import gettext as _

    from enterprises.sections import Section

    cases = list(
        cases_visible(user)
        .filter(enterprise=enterprise)
        .select_related("province")
        .order_by("-opened_on", "-id")[: UNIT_CASES_SHOWN + 1]
    )
    if not cases:
        return None
    more = 0
    if len(cases) > UNIT_CASES_SHOWN:
        cases = cases[:UNIT_CASES_SHOWN]
        more = cases_visible(user).filter(enterprise=enterprise).count() - UNIT_CASES_SHOWN
    return Section(
        _("Support cases"), "cases/_unit_cases.html", {"cases": cases, "more": more}, order=10
    )
