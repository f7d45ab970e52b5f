"""Reads of the business clinics, always starting from the person's ``Scope``.

Candidates come from the registry: idle and semi-active units and semi-finished projects
(``enterprises.models.CLINIC_CANDIDATE``) with no open clinic case, longest in that state
first, then the most jobs at stake, then (for projects) the most built. The order follows
the indexes ``ent_cand_prov`` / ``ent_cand`` so a page stops after its rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from accounts.scope import Scope
from cases.models import Case
from enterprises.models import CLINIC_CANDIDATE, Enterprise, Status
from persian import jalali

from . import casetype
from .models import Diagnosis, RemedyAction, Revival


def candidates(user: Any, province_id: int | None = None) -> QuerySet[Enterprise]:
    """The units the person's clinic office may take on (their full registry scope),
    without an open clinic case, in rank order."""
    scope = Scope.of(user)
    open_case = Case.objects.filter(
        enterprise=OuterRef("pk"), type=casetype.TYPE, closed_on__isnull=True
    )
    units = Enterprise.objects.filter(CLINIC_CANDIDATE).filter(scope.full_q(Enterprise))
    if province_id is not None:
        units = units.filter(province_id=province_id)
    return (
        units.filter(~Exists(open_case))
        .select_related("province", "park")
        .order_by("status_since", "id")
    )


def months_between(start: dt.date, end: dt.date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day))


@dataclass
class Candidate:
    rank: int
    unit: Enterprise
    months: int
    reason: str


def ranked(units: list[Enterprise], first_rank: int, day: dt.date | None = None) -> list[Candidate]:
    """Each unit with its rank and the reason for it, as the officer reads it:
    «راکد از ۲۶ ماه پیش · ۴۵ شغل در خطر · ۸۵٪ ساخته‌شده»."""
    day = day or jalali.today()
    out = []
    for i, unit in enumerate(units):
        months = months_between(unit.status_since, day)
        parts = [
            _("%(status)s for %(n)s months") % {"status": Status(unit.status).label, "n": months}
        ]
        parts.append(_("%(n)s jobs at stake") % {"n": unit.employees})
        if unit.status == Status.UNDER_CONSTRUCTION:
            parts.append(_("%(n)s%% built") % {"n": unit.construction_progress})
        out.append(Candidate(first_rank + i, unit, months, " · ".join(parts)))
    return out


def case_parts(case: Case) -> dict[str, Any]:
    """What a clinic case holds besides its history: diagnosis, plan, revivals."""
    diagnosis = Diagnosis.objects.filter(case=case).prefetch_related("causes").first()
    return {
        "diagnosis": diagnosis,
        "actions": list(RemedyAction.objects.filter(case=case)),
        "revivals": list(Revival.objects.filter(case=case).select_related("status_event")),
    }


def cases_list(user: Any, params: dict[str, str]) -> tuple[QuerySet[Case], list[str]]:
    """The clinic cases the person may see, filtered by the list's parameters (stage,
    province code, assignee id, open/closed/overdue); returns the ignored filters too."""
    from cases.selectors import cases_visible, overdue_q
    from places.models import Province

    cases = cases_visible(user, casetype.TYPE)
    ignored: list[str] = []
    stage = params.get("stage", "").replace("\x00", "")
    if stage:
        if stage in {s.code for s in casetype.CLINIC.stages}:
            cases = cases.filter(stage=stage)
        else:
            ignored.append("stage")
    code = params.get("province", "").replace("\x00", "").strip().upper()
    if code:
        province = Province.objects.filter(code=code).first()
        if province is None:
            ignored.append("province")
        else:
            cases = cases.filter(province=province)
    assignee = params.get("assignee", "").replace("\x00", "")
    if assignee:
        if assignee.isascii() and assignee.isdigit() and len(assignee) < 18:
            cases = cases.filter(assignee_id=int(assignee))
        else:
            ignored.append("assignee")
    state = params.get("state", "open").replace("\x00", "")
    if state == "open":
        cases = cases.filter(closed_on__isnull=True)
    elif state == "closed":
        cases = cases.filter(closed_on__isnull=False)
    elif state == "overdue":
        cases = cases.filter(overdue_q(jalali.today()))
    elif state != "all":
        ignored.append("state")
        cases = cases.filter(closed_on__isnull=True)
    return (
        cases.select_related("enterprise", "province", "assignee").order_by("-opened_on", "-id"),
        ignored,
    )


class _Capped:
    """A queryset counted no further than ``ahead`` rows past the page asked for: the
    total of hundreds of thousands of candidates without an open case costs a probe of
    every one of them, and a person reading page 3 needs to know only that more follow.
    Within ``ahead`` of the end the count is exact."""

    def __init__(self, ids: QuerySet[Any], ahead: int, offset: int) -> None:
        self.ids, self.ahead, self.offset = ids, ahead, offset
        self._count: int | None = None
        self.capped = False

    def count(self) -> int:
        if self._count is None:
            found = self.ids[self.offset : self.offset + self.ahead + 1].count()
            if found or not self.offset:
                self._count, self.capped = self.offset + found, found > self.ahead
            else:  # a page past the end: the exact total, which is below its first row
                self._count = self.ids[: self.offset].count()
        return self._count

    def __getitem__(self, index: slice) -> list[Any]:
        return list(self.ids[index])

    def __len__(self) -> int:
        return self.count()


def paged(queryset: QuerySet[Any], number: int, size: int, ahead: int | None = None) -> Any:
    """A page of ``queryset`` read in two steps: the page's ids from the ordered index (a deep
    page skips ids, not joined rows), then those rows with their joins, in order. With
    ``ahead`` the total is counted no further than ``ahead`` rows past the page's first
    (``page.paginator.capped``: more follow; ``page.paginator.count``: at least that many)."""
    from django.core.paginator import Paginator

    ids = queryset.values_list("pk", flat=True)
    source: Any = ids
    if ahead is not None:
        source = _Capped(ids, ahead, max(number - 1, 0) * size)
    paginator = Paginator(source, size)
    page = paginator.get_page(number)
    page_ids = list(page.object_list)
    rows = queryset.model._default_manager.filter(pk__in=page_ids)
    related = queryset.query.select_related
    if related:
        rows = rows.select_related(*_related_names(related))
    found = {row.pk: row for row in rows}
    page.object_list = [found[pk] for pk in page_ids if pk in found]
    paginator.capped = ahead is not None and source.capped  # type: ignore[attr-defined]
    return page


def _related_names(tree: Any, prefix: str = "") -> list[str]:
    if tree is True or not isinstance(tree, dict):
        return []
    names = []
    for name, sub in tree.items():
        names.append(prefix + name)
        names.extend(_related_names(sub, f"{prefix}{name}__"))
    return names
