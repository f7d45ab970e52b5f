"""Reads of the cluster programme, always starting from the person's ``Scope``; and the
programme's figures as of any date, computed from the dated stage history.

``programme_counts``, ``counts_by_province`` and ``counts_by_year`` are pure reads (no
writes, no cache, no request): the indicators module may call them for any date.

Definitions (each figure states both its date and its definition):

- **identified**: the cluster had reached the stage "identified and prioritised" (or a
  later one) on or before the date;
- **in development**: it had a development project on the date — it had reached "development
  agent selected" and had not yet been completed (suspended clusters included);
- **completed**: its completion licence had been issued on or before the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import Max, Min, Q, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scope import Scope
from persian import jalali
from persian.text import search_terms, to_latin_digits
from places.models import Province
from sectors.models import IndustryGroup

from . import stages
from .access import RULES as CLUSTER_RULES
from .models import ActionItem, Cluster, StageEvent, Visit

StrOrPromise = str | Promise

# --- single clusters ------------------------------------------------------------------------


def cluster_get_visible(user: Any, pk: int) -> tuple[Cluster, bool]:
    """The cluster and whether this person sees all of it; 404 outside their view."""
    scope = Scope.of(user)
    cluster = (
        Cluster.objects.filter(scope.visible_q(Cluster))
        .select_related("province", "isic_division", "industry_group", "agent")
        .filter(pk=pk)
        .first()
    )
    if cluster is None:
        raise Http404
    full = Cluster.objects.filter(scope.full_q(Cluster), pk=pk).exists()
    return cluster, full


def cluster_get_editable(user: Any, pk: int) -> Cluster:
    cluster = (
        Cluster.objects.filter(Scope.of(user).full_q(Cluster), pk=pk)
        .select_related("province", "agent")
        .first()
    )
    if cluster is None:
        raise Http404
    return cluster


# --- directory ---------------------------------------------------------------------------------


@dataclass
class ClusterQuery:
    q: str = ""
    province: str = ""
    group: str = ""
    stage: str = ""
    agent: str = ""
    # The day whose stages are asked (the stage filter and the stage shown are those at the
    # end of that day; clusters recorded later are left out); None: today's.
    as_of: dt.date | None = None

    errors: dict[str, str] = field(default_factory=dict)
    """Filters given a value that names nothing: parameter name -> the value given, which
    is ignored (the filter left out) and said on the page (``ignored``)."""

    LABELS: ClassVar[dict[str, StrOrPromise]] = {
        "province": _("Province"),
        "group": _("Industry group"),
        "stage": _("Stage"),
        "agent": _("Development agent"),
        "as_of": _("Stages as of"),
    }

    @classmethod
    def from_params(cls, params: Any, user: Any = None) -> ClusterQuery:
        """The filters of ``params``; a value that names nothing (an unknown province,
        sector or stage, or someone who is not the agent of a cluster ``user`` may find)
        is left out and kept in ``errors``."""

        def get(name: str) -> str:
            return (params.get(name) or "").replace("\x00", "").strip()

        query = cls(
            q=get("q")[:100],
            province=get("province")[:5],
            group=get("group")[:20],
            stage=get("stage")[:30],
            agent=to_latin_digits(get("agent"))[:10],
        )
        known = {
            "province": lambda v: Province.objects.filter(code=v).exists(),
            "group": lambda v: IndustryGroup.objects.filter(key=v).exists(),
            "stage": lambda v: v in stages.ORDER or v == "suspended",
            "agent": lambda v: (
                v.isascii() and v.isdecimal() and directory_agents(user).filter(pk=int(v)).exists()
            ),
        }
        for name, is_known in known.items():
            value = getattr(query, name)
            if value and not is_known(value):
                query.errors[name] = get(name)
                setattr(query, name, "")
        if text := get("as_of")[:20]:
            try:  # a day to come is read as today, as on the programme's figures
                query.as_of = min(jalali.parse(text), jalali.today())
            except jalali.JalaliDateError:
                query.errors["as_of"] = text
        return query

    @property
    def as_of_text(self) -> str:
        return jalali.format_date(self.as_of, persian_digits=False) if self.as_of else ""

    def params(self) -> dict[str, str]:
        params = {
            k: getattr(self, k)
            for k in ("q", "province", "group", "stage", "agent")
            if getattr(self, k)
        }
        if self.as_of:
            params["as_of"] = self.as_of_text
        return params

    @property
    def ignored(self) -> list[tuple[StrOrPromise, str]]:
        """(filter label, value given) for each filter left out, in the order of the form."""
        return [(label, self.errors[n]) for n, label in self.LABELS.items() if n in self.errors]


def directory_agents(user: Any) -> QuerySet[User]:
    """The development agents the directory may name to ``user``: those of the clusters
    they may find (``ClusterRules.agents_q``)."""
    return (
        User.objects.filter(CLUSTER_RULES.agents_q(Scope.of(user)))
        .distinct()
        .order_by("last_name", "username")
    )


def directory(user: Any, query: ClusterQuery) -> QuerySet[Cluster]:
    qs = Cluster.objects.filter(Scope.of(user).visible_q(Cluster))
    if query.province:
        qs = qs.filter(province__code=query.province)
    if query.group:
        qs = qs.filter(industry_group__key=query.group)
    if query.as_of:
        qs = qs.filter(pk__in=recorded_by(query.as_of))
        if query.stage == "suspended":
            qs = qs.filter(pk__in=suspended_on(query.as_of))
        elif query.stage:
            qs = qs.filter(pk__in=at_stage_on(query.as_of, query.stage))
    elif query.stage == "suspended":
        qs = qs.filter(suspended=True)
    elif query.stage:
        qs = qs.filter(stage=query.stage)
    if query.agent:
        qs = qs.filter(agent_id=int(query.agent))
    for term in search_terms(query.q):
        qs = qs.filter(search_text__contains=term)
    return qs.select_related("province", "industry_group", "agent")


# --- figures as of a date -------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestones:
    """When one cluster reached each counted milestone (None: not yet)."""

    cluster_id: int
    province_code: str
    identified: dt.date | None
    development: dt.date | None
    completed: dt.date | None

    def state_on(self, day: dt.date) -> dict[str, bool]:
        completed = self.completed is not None and self.completed <= day
        return {
            "identified": self.identified is not None and self.identified <= day,
            "in_development": (
                self.development is not None and self.development <= day and not completed
            ),
            "completed": completed,
        }


def milestones(province: Province | None = None) -> list[Milestones]:
    """Every cluster's milestone dates, read from its stage events (one query)."""
    ident, dev, done = (
        stages.order(c) for c in (stages.IDENTIFIED, stages.DEVELOPMENT, stages.COMPLETED)
    )
    events = StageEvent.objects.exclude(
        kind__in=[StageEvent.Kind.SUSPEND, StageEvent.Kind.RESUME, StageEvent.Kind.YEAR]
    )
    if province is not None:
        events = events.filter(cluster__province=province)
    rows = (
        events.values("cluster_id", "cluster__province__code")
        .annotate(
            identified=Min("date", filter=Q(to_order__gte=ident)),
            development=Min("date", filter=Q(to_order__gte=dev)),
            completed=Min("date", filter=Q(to_order__gte=done)),
        )
        .order_by()
    )
    return [
        Milestones(
            r["cluster_id"],
            r["cluster__province__code"],
            r["identified"],
            r["development"],
            r["completed"],
        )
        for r in rows
    ]


def _empty() -> dict[str, int]:
    return {"identified": 0, "in_development": 0, "completed": 0}


def _count(rows: list[Milestones], day: dt.date) -> dict[str, int]:
    counts = _empty()
    for row in rows:
        for key, yes in row.state_on(day).items():
            counts[key] += yes
    return counts


def programme_counts(as_of: dt.date, province: Province | None = None) -> dict[str, int]:
    """{"identified": n, "in_development": n, "completed": n} at the end of ``as_of``
    (nationally, or in ``province``). Definitions in this module's docstring."""
    return _count(milestones(province), as_of)


def counts_by_province(as_of: dt.date) -> dict[str, dict[str, int]]:
    """Province code → programme counts at the end of ``as_of`` (every province listed)."""
    table = {code: _empty() for code in Province.objects.values_list("code", flat=True)}
    for row in milestones():
        for key, yes in row.state_on(as_of).items():
            table[row.province_code][key] += yes
    return table


# The events that move a cluster along the stages (suspension, resumption and the start of an
# implementation year leave its stage as it was).
_NOT_STAGES = [StageEvent.Kind.SUSPEND, StageEvent.Kind.RESUME, StageEvent.Kind.YEAR]


def _orders_on(as_of: dt.date, *by: str) -> QuerySet[Any]:
    """(cluster id, ``by``…, ``top``: the order of the stage it stood at at the end of
    ``as_of``) for every cluster recorded by then: stages are taken in order, so the highest
    reached is the one it stands at."""
    return (
        StageEvent.objects.filter(date__lte=as_of)
        .exclude(kind__in=_NOT_STAGES)
        .values("cluster_id", *by)
        .annotate(top=Max("to_order"))
        .order_by()
    )


def stages_on(as_of: dt.date, ids: Iterable[int] | None = None) -> dict[int, str]:
    """Cluster id → the code of the stage it stood at at the end of ``as_of`` (clusters
    recorded later are absent); only ``ids`` when given (a page's clusters)."""
    rows = _orders_on(as_of)
    if ids is not None:
        rows = rows.filter(cluster_id__in=list(ids))
    return {r["cluster_id"]: stages.STAGES[r["top"] - 1].code for r in rows}


def at_stage_on(as_of: dt.date, stage: str) -> QuerySet[Any]:
    """The ids of the clusters that stood at ``stage`` at the end of ``as_of`` (a subquery)."""
    return _orders_on(as_of).filter(top=stages.order(stage)).values("cluster_id")


def suspended_on(as_of: dt.date) -> list[int]:
    """The ids of the clusters suspended at the end of ``as_of``: their last suspension or
    resumption by then was a suspension."""
    last: dict[int, str] = {}
    events = (
        StageEvent.objects.filter(
            date__lte=as_of, kind__in=[StageEvent.Kind.SUSPEND, StageEvent.Kind.RESUME]
        )
        .order_by("date", "id")
        .values_list("cluster_id", "kind")
    )
    for cluster_id, kind in events:
        last[cluster_id] = kind
    return [pk for pk, kind in last.items() if kind == StageEvent.Kind.SUSPEND]


def recorded_by(as_of: dt.date) -> QuerySet[Any]:
    """The ids of the clusters recorded by the end of ``as_of`` (a subquery)."""
    return StageEvent.objects.filter(date__lte=as_of).values("cluster_id")


def counts_by_stage(as_of: dt.date) -> dict[str, dict[str, int]]:
    """Province code → stage code → how many clusters stood at that stage at the end of
    ``as_of`` (every province and stage listed; suspended clusters at the stage they were
    suspended in). One query."""
    table = {
        code: dict.fromkeys(stages.ORDER, 0)
        for code in Province.objects.values_list("code", flat=True)
    }
    for r in _orders_on(as_of, "cluster__province__code"):
        table[r["cluster__province__code"]][stages.STAGES[r["top"] - 1].code] += 1
    return table


@dataclass(frozen=True)
class YearRow:
    year: int
    end: dt.date  # the last day counted: end of Esfand, or ``as_of`` for its own year
    counts: dict[str, int]
    new: dict[str, int] = field(default_factory=dict)  # identified / completed in the year


def counts_by_year(
    as_of: dt.date, province: Province | None = None, first_year: int | None = None
) -> list[YearRow]:
    """One row per Jalali year up to ``as_of``'s year: counts at the end of the year (or on
    ``as_of`` in its own year) and how many were identified and completed during it."""
    rows = milestones(province)
    last_year = jalali.year_of(as_of)
    dates = [r.identified for r in rows if r.identified] or [as_of]
    start = first_year or jalali.year_of(min(dates))
    table = []
    for year in range(start, last_year + 1):
        first, last = jalali.year_bounds(year)
        end = min(last, as_of)
        new = {
            "identified": sum(1 for r in rows if r.identified and first <= r.identified <= end),
            "completed": sum(1 for r in rows if r.completed and first <= r.completed <= end),
        }
        table.append(YearRow(year, end, _count(rows, end), new))
    return table


# --- supervision -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    cluster: Cluster
    visit_due: dt.date | None  # the day a visit was due (None: none overdue)
    report_due: dt.date | None
    actions: list[ActionItem]

    @property
    def any(self) -> bool:
        return bool(self.visit_due or self.report_due or self.actions)


def _due(since: dt.date, last: dt.date | None, every: int | None, day: dt.date) -> dt.date | None:
    if every is None:
        return None
    due = max(since, last or since) + dt.timedelta(days=every)
    return due if due < day else None


def overdue_in(clusters: QuerySet[Cluster], day: dt.date | None = None) -> list[Overdue]:
    """What is overdue on ``day`` for each of ``clusters`` that has something overdue.

    A visit (or a report) is due ``visit_every_days`` after the later of the last one and
    the day the cluster entered its stage; suspended and completed clusters owe nothing."""
    day = day or jalali.today()
    live = list(
        clusters.filter(suspended=False)
        .exclude(stage=stages.COMPLETED)
        .select_related("province", "agent")
    )
    if not live:
        return []
    ids = [c.pk for c in live]
    last: dict[tuple[int, str], dt.date] = {
        (r["cluster_id"], r["kind"]): r["last"]
        for r in Visit.objects.filter(cluster_id__in=ids)
        .values("cluster_id", "kind")
        .annotate(last=Max("date"))
        .order_by()
    }
    late_actions: dict[int, list[ActionItem]] = {}
    for action in ActionItem.objects.filter(
        cluster_id__in=ids,
        due_date__lt=day,
        status__in=[ActionItem.Status.PLANNED, ActionItem.Status.IN_PROGRESS],
    ):
        late_actions.setdefault(action.cluster_id, []).append(action)
    found = []
    for cluster in live:
        stage = stages.BY_CODE[cluster.stage]
        item = Overdue(
            cluster,
            _due(
                cluster.stage_since,
                last.get((cluster.pk, Visit.Kind.VISIT)),
                stage.visit_every_days,
                day,
            ),
            _due(
                cluster.stage_since,
                last.get((cluster.pk, Visit.Kind.REPORT)),
                stage.report_every_days,
                day,
            ),
            late_actions.get(cluster.pk, []),
        )
        if item.any:
            found.append(item)
    return found


def cluster_overdue(cluster: Cluster, day: dt.date | None = None) -> Overdue | None:
    found = overdue_in(Cluster.objects.filter(pk=cluster.pk), day)
    return found[0] if found else None


def overdue_for(user: Any, day: dt.date | None = None) -> list[Overdue]:
    """The overdue visits, reports and actions a person answers for: an agent's clusters,
    an officer's province. National staff and others get none here (the national view
    shows the country)."""
    scope = Scope.of(user)
    if not scope.can("clusters.follow_overdue"):
        return []
    return overdue_in(Cluster.objects.filter(scope.full_q(Cluster)), day)


def province_clusters(province: Any, user: Any, limit: int = 15) -> dict[str, Any]:
    """The clusters of ``province`` this person may find (``limit`` of them, the overdue
    ones first, marked for the people who keep them) and how many there are: the block of
    the province page (kept per figures version by the indicators' ``province_clusters``
    tag)."""
    scope = Scope.of(user)
    visible = Cluster.objects.filter(scope.visible_q(Cluster), province=province)
    overdue_ids = {
        o.cluster.pk
        for o in overdue_in(Cluster.objects.filter(scope.full_q(Cluster), province=province))
    }
    clusters = sorted(visible[:500], key=lambda c: (c.pk not in overdue_ids, c.sort_key))
    return {"clusters": clusters[:limit], "total": visible.count(), "overdue_ids": overdue_ids}


def plan_progress(cluster: Cluster) -> int | None:
    """The action plan's overall progress: the mean progress of its live actions, weighted
    by budget when budgets are given (None: no actions)."""
    items = list(
        cluster.actions.exclude(status=ActionItem.Status.CANCELLED).values_list(
            "progress", "budget_rials"
        )
    )
    if not items:
        return None
    total = sum(b for _, b in items)
    if total:
        return round(sum(p * b for p, b in items) / total)
    return round(sum(p for p, _ in items) / len(items))
