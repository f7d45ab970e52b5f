"""Reads of the export consortia, from the person's ``Scope``: the list with its filters,
and one consortium's page (members with readiness and flags, the ledger against the cap,
exports per year)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.scope import Scope
from enterprises.models import Status
from persian import jalali
from persian.text import search_key

from . import countries
from .models import MIN_ACTIVE_MEMBERS, Consortium, ExportYear, Member, Readiness
from .services import cap_for, support_used


def consortia_visible(user: Any) -> QuerySet[Consortium]:
    scope = Scope.of(user)
    return Consortium.objects.filter(scope.visible_q(Consortium)).select_related(
        "province", "cluster"
    )


def consortium_get_visible(user: Any, pk: int) -> Consortium:
    found = consortia_visible(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@dataclass
class ListQuery:
    province: str = ""
    cluster: int | None = None
    market: str = ""
    q: str = ""
    as_of: dt.date | None = None

    @classmethod
    def from_params(cls, params: Any) -> ListQuery:
        def text(name: str) -> str:
            return (params.get(name) or "").replace("\x00", "").strip()

        cluster = text("cluster")
        as_of = None
        if raw := text("as_of"):
            try:
                as_of = jalali.parse(raw)
            except jalali.JalaliDateError:
                as_of = None
        return cls(
            province=text("province")[:10],
            cluster=int(cluster)
            if cluster.isascii() and cluster.isdigit() and len(cluster) < 12
            else None,
            market=text("market")[:2].upper(),
            q=text("q")[:100],
            as_of=as_of,
        )


def consortia_listed(user: Any, query: ListQuery) -> QuerySet[Consortium]:
    """The consortia the person may see, narrowed by province, cluster, market and name
    (Persian-insensitive); with ``as_of``, those formed by that day, with their members that
    day (what the figures count)."""
    rows = consortia_visible(user)
    if query.province:
        rows = rows.filter(province__code=query.province)
    if query.cluster is not None:
        rows = rows.filter(cluster_id=query.cluster)
    if query.market:
        rows = rows.filter(markets__country=query.market)
    if query.q and (key := search_key(query.q)):
        rows = rows.filter(name_key__contains=key)
    day = query.as_of or jalali.today()
    if query.as_of is not None:
        rows = rows.filter(formed_on__lte=day)
    in_then = Q(members__joined_on__lte=day) & (
        Q(members__left_on__isnull=True) | Q(members__left_on__gt=day)
    )
    return rows.annotate(member_count=Count("members", filter=in_then, distinct=True)).order_by(
        "name_key", "pk"
    )


@dataclass
class MemberRow:
    member: Member
    readiness: list[Readiness] = field(default_factory=list)
    exports: dict[int, int] = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        """Still a member, but no longer active in the registry."""
        return self.member.left_on is None and self.member.enterprise.status != Status.ACTIVE


@dataclass
class Ledger:
    year: int
    cap: int
    used: int

    @property
    def remaining(self) -> int:
        return max(self.cap - self.used, 0)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used / self.cap)) if self.cap else 0


@dataclass
class Page:
    consortium: Consortium
    members: list[MemberRow]
    former: list[MemberRow]
    active_count: int
    ledger: Ledger
    entries: list[Any]
    years: list[int]
    totals: dict[int, int]
    markets: list[str]

    @property
    def below_minimum(self) -> bool:
        return self.active_count < MIN_ACTIVE_MEMBERS


def consortium_page(consortium: Consortium, year: int | None = None) -> Page:
    members = list(
        consortium.members.select_related("enterprise", "enterprise__province").order_by(
            "left_on", "joined_on", "pk"
        )
    )
    rows = {m.pk: MemberRow(m) for m in members}
    for readiness in Readiness.objects.filter(member__consortium=consortium):
        rows[readiness.member_id].readiness.append(readiness)
    totals: dict[int, int] = defaultdict(int)
    for row in ExportYear.objects.filter(member__consortium=consortium):
        rows[row.member_id].exports[row.year] = row.amount_usd
        totals[row.year] += row.amount_usd
    current = [rows[m.pk] for m in members if m.left_on is None]
    year = year or jalali.year_of(jalali.today())
    return Page(
        consortium=consortium,
        members=current,
        former=[rows[m.pk] for m in members if m.left_on is not None],
        active_count=sum(1 for r in current if not r.flagged),
        ledger=Ledger(year, cap_for(year), support_used(consortium, year)),
        entries=list(consortium.support.all()),
        years=sorted(totals, reverse=True),
        totals=dict(totals),
        markets=sorted(
            countries.name(c) for c in consortium.markets.values_list("country", flat=True)
        ),
    )


def unit_section(user: Any, enterprise: Any) -> Any:
    """The unit page's section of the export consortia it is or was a member of that the
    person may see, or None (``enterprises.sections``)."""
    from django.utils.translation import gettext as _

    from enterprises.sections import Section

    memberships = list(
        Member.objects.filter(enterprise=enterprise, consortium__in=consortia_visible(user))
        .select_related("consortium")
        .order_by("left_on", "-joined_on", "-id")
    )
    if not memberships:
        return None
    return Section(
        _("Export consortia"), "consortia/_unit_consortia.html", {"memberships": memberships}, 30
    )
