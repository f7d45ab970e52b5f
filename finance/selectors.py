"""Reads of the finance referrals, from the person's ``Scope`` (through the cases' rules),
and the ledger's figures: per bank and per instrument, referrals, decisions, approval rate,
days waiting and amounts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Sum

from accounts.roles import Role
from accounts.scope import Scope
from cases.selectors import cases_visible

from . import casetype
from .models import Decision, Referral
from .roles import BANK_OFFICER


def referrals_visible(user: Any) -> QuerySet[Referral]:
    """The referrals whose case the person may see (the cases' rules, asked through the
    referral's own case: no subquery of cases)."""
    from cases.models import Case

    visible = Scope.of(user).visible_q(Case, prefix="case__")
    return (
        Referral.objects.filter(visible, case__type=casetype.TYPE)
        .select_related("case", "case__enterprise", "case__province", "bank")
        .order_by("-case__opened_on", "-pk")
    )


def banks_only(scope: Scope) -> frozenset[int]:
    """The banks of a person who sees referrals only as those banks' officer (no office,
    no unit of their own, not national staff): their referrals are exactly the banks'."""
    if scope.national or scope.holds(Role.PROVINCIAL_OFFICER, Role.ENTERPRISE_OWNER):
        return frozenset()
    return scope.places(BANK_OFFICER)


@dataclass(slots=True)
class ListedReferral:
    """A row of the referral list, as it is shown (read as values: no model instances)."""

    pk: int
    url: str
    unit: str
    province: str
    bank: str
    branch: str
    instrument: str
    amount_requested: int
    stage: str
    opened_on: Any
    status_after: list[Any]


_LISTED = (
    "case_id",
    "case__type",
    "case__enterprise__name",
    "case__province__name_fa",
    "case__province__name_en",
    "bank__name",
    "branch",
    "instrument",
    "amount_requested",
    "case__stage",
    "case__opened_on",
    "decision",
    "paid_on",
    "decided_on",
    "case__enterprise_id",
    "case__enterprise__status",
)


def _listed(ids: list[int]) -> list[ListedReferral]:
    """The referrals of these cases, in this order, as the list shows them, with the
    unit's status after the money (``_status_after``): two queries."""
    from django.utils.translation import get_language

    from cases import types

    from .models import Instrument

    english = get_language() == "en"
    values = {row[0]: row for row in Referral.objects.filter(case_id__in=ids).values_list(*_LISTED)}
    found = [values[pk] for pk in ids if pk in values]
    after = _status_after(
        [(row[0], _money_day(row[11], row[12], row[13]), row[14], row[15]) for row in found]
    )
    instruments = dict(Instrument.choices)
    urls: dict[str, Callable[[int], str]] = {}
    for case_type in {row[1] for row in found}:
        urls[case_type] = _url_maker(f"{case_type}_case")
    return [
        ListedReferral(
            pk=case_id,
            url=urls[case_type](case_id),
            unit=unit,
            province=name_en if english else name_fa,
            bank=bank,
            branch=branch,
            instrument=str(instruments.get(instrument, instrument)),
            amount_requested=requested,
            stage=types.get(case_type).stage_label(stage),
            opened_on=opened_on,
            status_after=after[case_id],
        )
        for (
            case_id, case_type, unit, name_fa, name_en, bank, branch, instrument, requested,
            stage, opened_on, *_rest,
        ) in found
    ]  # fmt: skip


def referrals_page(user: Any, params: Any, size: int, count: int | None = None) -> Any:
    """A page of the referrals the person may see, newest first (a keyset page,
    ``finance.seek``: page 85 reads its own rows, not the 4,200 before it): the page's case
    ids first (from the visible cases, read from the cases' index only; for a bank's
    officer, from the bank's referrals), then those referrals with their joins and the
    unit's status after the money (``with_status_after``). ``count``: the number of the
    referrals the person sees when the caller knows it (the ledgers' total, from the
    facts), else they are counted."""
    from . import seek

    banks = banks_only(Scope.of(user))
    if banks:
        ordered: Any = Referral.objects.filter(bank_id__in=banks).order_by("-opened_on", "-case_id")
        keys = ("opened_on", "case_id")
    else:
        ordered = cases_visible(user, casetype.TYPE).order_by("-opened_on", "-id")
        keys = ("opened_on", "id")
    found, page = seek.seek(
        ordered,
        *keys,
        params,
        size,
        count if count is not None else ordered.order_by().count,
    )
    page.object_list = _listed([pk for _day, pk in found])
    return page


def referral_count_of(user: Any, by_bank: list[LedgerRow]) -> int | None:
    """The number of referrals the person sees, read from the ledger by bank when it is
    theirs exactly: national staff's (every referral) and a bank officer's (their banks');
    None for anyone else (a province's ledger counts a referral where its office was on
    each step's day, its list where the case is now)."""
    scope = Scope.of(user)
    if not (scope.national or banks_only(scope)):
        return None
    return sum(row.referrals for row in by_bank)


@dataclass
class LedgerRow:
    label: str
    referrals: int = 0
    decided: int = 0
    approved: int = 0  # in full or in part
    requested: int = 0
    granted: int = 0
    paid: int = 0
    median_wait: float | None = None  # days from the introduction to the decision

    @property
    def approval_rate(self) -> float | None:
        return round(100 * self.approved / self.decided, 1) if self.decided else None


LEDGER_KEYS = {
    "bank": "bank__name",
    "instrument": "instrument",
    "province": "case__province__name_fa",
}


def _median(histogram: dict[int, int]) -> float | None:
    """The median of a multiset given as {value: how many times}."""
    total = sum(histogram.values())
    if not total:
        return None
    low, high = (total - 1) // 2, total // 2  # the middle one or two, counting from 0
    seen, found = 0, []
    for value in sorted(histogram):
        count = histogram[value]
        for position in (low, high):
            if seen <= position < seen + count:
                found.append(value)
        seen += count
    return (found[0] + found[1]) / 2


def ledgers(referrals: QuerySet[Referral], *by: str) -> dict[str, list[LedgerRow]]:
    """The ledgers of ``referrals`` per each of ``by`` (bank, instrument, province): the
    referrals' counts and amounts, the approval rate among those decided, and the median
    days from introduction to decision — every breakdown from one grouped query (by each
    key and the days waited), folded here."""
    from .models import Instrument

    keys = [LEDGER_KEYS[name] for name in by]
    decided = ~Q(decision="") & Q(decided_on__isnull=False)
    approved = Q(decision__in=(Decision.APPROVED, Decision.PARTLY))
    groups = (
        referrals.order_by()
        .annotate(waited=F("decided_on") - F("case__opened_on"))
        .values(*keys, "waited")
        .annotate(
            n=Count("pk"),
            n_decided=Count("pk", filter=decided),
            n_approved=Count("pk", filter=approved),
            requested=Sum("amount_requested"),
            granted=Sum("amount_granted", filter=approved),
            paid=Sum("amount_paid"),
        )
    )
    rows: dict[str, dict[Any, LedgerRow]] = {name: {} for name in by}
    waits: dict[str, dict[Any, dict[int, int]]] = {name: {} for name in by}
    for group in groups:
        for name, key in zip(by, keys, strict=True):
            value = group[key]
            row = rows[name].get(value)
            if row is None:
                label = str(Instrument(value).label) if name == "instrument" else value
                row = rows[name][value] = LedgerRow(label)
            row.referrals += group["n"]
            row.decided += group["n_decided"]
            row.approved += group["n_approved"]
            row.requested += group["requested"] or 0
            row.granted += group["granted"] or 0
            row.paid += group["paid"] or 0
            if group["waited"] is not None and group["n_decided"]:
                histogram = waits[name].setdefault(value, {})
                days = group["waited"].days
                histogram[days] = histogram.get(days, 0) + group["n_decided"]
    out = {}
    for name in by:
        for value, row in rows[name].items():
            row.median_wait = _median(waits[name].get(value, {}))
        out[name] = sorted(rows[name].values(), key=lambda r: (-r.referrals, r.label))
    return out


# Where the ledgers and the pipeline's figures of a person's pages can be read
# pre-aggregated: the indicators keep the referrals' and files' flows as facts and provide
# the readers here (``IndicatorsConfig.ready``; the finance app sits below the indicators
# and cannot ask for them). A reader answers None for a scope it cannot answer for; the
# rows are then summed here.
_READERS: dict[str, Callable[..., Any]] = {}


def provide(name: str, reader: Callable[..., Any]) -> None:
    """Register ``reader`` for ``"ledgers"`` (scope, by), ``"pipeline"`` (scope, as_of) or
    ``"keep"`` (key, compute: a value kept per figures version)."""
    _READERS[name] = reader


def kept(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()``'s value, kept per figures version when the indicators keep values (a
    buyer's chain: the certificates' events, the units' statuses and the clinics' diagnoses
    it shows each start a new version), else computed on each call."""
    keeper = _READERS.get("keep")
    return compute() if keeper is None else keeper(key, compute)


def _provided(name: str, *args: Any) -> Any:
    reader = _READERS.get(name)
    return None if reader is None else reader(*args)


def ledgers_of(user: Any, *by: str) -> dict[str, list[LedgerRow]]:
    """The ledgers (``ledgers``) of the referrals the person may see: from the facts when
    they answer for the person's scope, else summed from the rows."""
    found = _provided("ledgers", Scope.of(user), by)
    return found if found is not None else ledgers(referrals_visible(user), *by)


def ledger(referrals: QuerySet[Referral], by: str) -> list[LedgerRow]:
    """One ledger (``ledgers`` for several from the same query)."""
    return ledgers(referrals, by)[by]


# --- the capital-market pipeline -------------------------------------------------------------


def listings_visible(user: Any) -> QuerySet[Any]:
    from .market import TYPE
    from .models import Listing

    return (
        Listing.objects.filter(case__in=cases_visible(user, TYPE))
        .select_related("case", "case__enterprise", "case__province", "adviser")
        .order_by("-case__opened_on", "-pk")
    )


@dataclass
class StageRow:
    stage: Any  # market.LISTING's Stage
    count: int
    median_days: float | None


def pipeline(user: Any, as_of: Any) -> list[StageRow]:
    """The files the person may see at each stage at the end of ``as_of`` (the stage they
    were at then) and the median days files spent in each stage before leaving it by
    then: from the facts when they answer for the person's scope, else from the rows."""
    import statistics

    from cases.selectors import cases_at_stage

    from . import market
    from .figures import days_in_stages

    found = _provided("pipeline", Scope.of(user), as_of)
    if found is not None:
        counts, medians = found
    else:
        visible = cases_visible(user, market.TYPE).filter(listing__isnull=False)
        counts = dict(
            cases_at_stage(market.TYPE, as_of, [s.code for s in market.LISTING.stages])
            .filter(pk__in=visible.values("pk"))
            .values_list("stage_then")  # type: ignore[misc]  # annotated by cases_at_stage
            .annotate(n=Count("id"))
            .order_by()
        )
        spent = days_in_stages(list(visible.values_list("pk", flat=True)), as_of)
        medians = {code: statistics.median(days) for code, days in spent.items() if days}
    return [StageRow(s, counts.get(s.code, 0), medians.get(s.code)) for s in market.LISTING.stages]


def pipeline_count(user: Any, stages: list[StageRow], as_of: Any) -> int | None:
    """The number of files national staff see, read from the pipeline as of today (every
    file is at one of the stages at the end of today, the closed ones at the stage they
    ended at): None for another date or anyone else (a province's pipeline counts the
    files its office holds, its list also those assigned to its people)."""
    from persian.jalali import today

    if not Scope.of(user).national or as_of != today():
        return None
    return sum(row.count for row in stages)


@dataclass(slots=True)
class ListedFile:
    """A row of the pipeline's list of files, as it is shown (read as values)."""

    pk: int
    url: str
    unit: str
    province: str
    stage: str
    stage_since: Any
    stalled: bool
    adviser: str
    market: str


def listings_page(user: Any, number: Any, size: int, count: int | None = None) -> Any:
    """A page of the files the person may see, newest first: the page's ids first (no
    join for the rows skipped), then those files as the list shows them, each marked
    ``stalled`` when overdue or too long at its stage. ``count``: their number when the
    caller knows it (``pipeline_count``), else counted (kept per figures version for
    national staff)."""
    from django.core.paginator import Paginator
    from django.utils.translation import get_language

    from cases import types
    from cases.models import Case
    from cases.selectors import overdue_q
    from persian import jalali

    from .market import TYPE
    from .models import Market

    ordered = cases_visible(user, TYPE).filter(listing__isnull=False).order_by("-opened_on", "-id")
    ids_of = ordered.values_list("pk", flat=True)
    paginator = Paginator(ids_of, size)
    if count is not None:
        paginator.count = count  # type: ignore[misc]
    elif Scope.of(user).national:  # every file: their number changes with a case event only
        paginator.count = kept(("finance-listing-count",), ids_of.count)  # type: ignore[misc]
    page = paginator.get_page(number)
    ids = list(page.object_list)
    english = get_language() == "en"
    markets = dict(Market.choices)
    urls = {TYPE: _url_maker(f"{TYPE}_case")}
    # The rows and whether each is stalled in one query.
    stalled = ExpressionWrapper(overdue_q(jalali.today()), output_field=BooleanField())
    values = {
        row[0]: row
        for row in Case.objects.filter(pk__in=ids)
        .annotate(stalled=stalled)
        .values_list(
            "pk",
            "type",
            "enterprise__name",
            "province__name_fa",
            "province__name_en",
            "stage",
            "stage_since",
            "listing__adviser__name",
            "listing__market",
            "stalled",
        )
    }
    files: list[ListedFile] = [
        ListedFile(
            pk=case_id,
            url=(urls.get(case_type) or _url_maker(f"{case_type}_case"))(case_id),
            unit=unit,
            province=name_en if english else name_fa,
            stage=types.get(case_type).stage_label(stage),
            stage_since=since,
            stalled=bool(late),
            adviser=adviser or "",
            market=str(markets.get(market, "")) if market else "",
        )
        for case_id, case_type, unit, name_fa, name_en, stage, since, adviser, market, late in (
            values[pk] for pk in ids if pk in values
        )
    ]
    page.object_list = files  # type: ignore[assignment]
    return page


def _point(condition: Any) -> Any:
    """1 when ``condition`` holds, else 0 (a readiness point)."""
    from django.db.models import Case as When_
    from django.db.models import IntegerField, When

    return When_(When(condition, then=1), default=0, output_field=IntegerField())


def readiness(user: Any, province_id: int, day: Any, limit: int = 50) -> list[dict[str, Any]]:
    """Whom to introduce to the exchange next, in ``province_id`` (units the person keeps):
    active units with no open or admitted file, scored one point each for 50 or more
    employees, an operating permit three or more years old, exports, being knowledge-based
    and never having been idle; the reasons listed."""
    from django.db.models import Exists, OuterRef, Value

    from accounts.scope import Scope
    from cases.models import Case
    from enterprises.models import Enterprise, Status, StatusEvent
    from persian.jalali import add_months

    from .market import ADMITTED, TYPE

    three_years_ago = add_months(day, -36)
    filed = Case.objects.filter(enterprise=OuterRef("pk"), type=TYPE).filter(
        Q(closed_on__isnull=True) | Q(stage=ADMITTED)
    )
    idle_ever = StatusEvent.objects.filter(enterprise=OuterRef("pk"), to_status=Status.IDLE)
    units = (
        Enterprise.objects.filter(Scope.of(user).full_q(Enterprise))
        .filter(province_id=province_id, status=Status.ACTIVE)
        .filter(~Exists(filed))
        .annotate(
            big=_point(Q(employees__gte=50)),
            seasoned=_point(Q(permit_date__lte=three_years_ago)),
            never_idle=_point(~Exists(idle_ever)),
            exp=_point(Q(exporter=True)),
            kb=_point(Q(knowledge_based=True)),
        )
        .annotate(score=F("big") + F("seasoned") + F("never_idle") + F("exp") + F("kb") + Value(0))
        .order_by("-score", "-employees", "id")[:limit]
    )
    from django.utils.translation import gettext as _

    out = []
    for unit in units:
        reasons = []
        if unit.big:
            reasons.append(_("%(n)s employees") % {"n": unit.employees})
        if unit.seasoned:
            reasons.append(_("operating permit three or more years old"))
        if unit.exp:
            reasons.append(_("exporter"))
        if unit.kb:
            reasons.append(_("knowledge-based"))
        if unit.never_idle:
            reasons.append(_("never idle"))
        out.append({"unit": unit, "score": unit.score, "reasons": reasons})
    return out


# --- the unit after the money ------------------------------------------------------------------

AFTER_MONTHS = (6, 12)


@dataclass(frozen=True)
class StatusAfter:
    """The unit's registry status ``months`` Jalali months after the money (on ``on``):
    ``status`` a ``Status`` code, None when the registry holds no status for it then;
    ``pending`` when that day has not come yet."""

    months: int
    on: Any
    status: str | None
    pending: bool

    @property
    def label(self) -> str:
        from enterprises.models import Status

        return str(Status(self.status).label) if self.status else "—"


def money_date(referral: Referral) -> Any:
    """The day the money came: the payment's when recorded, otherwise the bank's approval
    (in full or in part); None for a referral refused or not decided."""
    return _money_day(referral.decision, referral.paid_on, referral.decided_on)


def _money_day(decision: str, paid_on: Any, decided_on: Any) -> Any:
    if decision not in (Decision.APPROVED, Decision.PARTLY):
        return None
    return paid_on or decided_on


def with_status_after(referrals: list[Referral], day: Any = None) -> list[Referral]:
    """Sets ``status_after`` (a list of ``StatusAfter``, one per ``AFTER_MONTHS``; empty
    when no money came) on each referral, read from the units' status history in one query
    for the whole page."""
    found = _status_after(
        [(r.pk, money_date(r), r.case.enterprise_id, r.case.enterprise.status) for r in referrals],
        day,
    )
    for referral in referrals:
        referral.status_after = found[referral.pk]  # type: ignore[attr-defined]
    return referrals


def _status_after(
    items: list[tuple[int, Any, int, str]], day: Any = None
) -> dict[int, list[StatusAfter]]:
    """For each (key, the day the money came or None, the unit, its status today): the
    unit's status ``AFTER_MONTHS`` after the money, from the units' history in one query."""
    from enterprises.models import StatusEvent
    from persian.jalali import add_months, today

    day = day or today()
    targets: dict[int, list[tuple[int, Any]]] = {}
    for key, start, _unit, _status in items:
        targets[key] = (
            [(m, add_months(start, m)) for m in AFTER_MONTHS] if start is not None else []
        )
    units = {unit for key, _s, unit, _t in items if any(on <= day for _m, on in targets[key])}
    history: dict[int, list[tuple[Any, str, str]]] = {}
    for unit, date, before, after in (
        StatusEvent.objects.filter(enterprise_id__in=units)
        .order_by("enterprise_id", "date", "id")
        .values_list("enterprise_id", "date", "from_status", "to_status")
        if units
        else []
    ):
        history.setdefault(unit, []).append((date, before, after))
    out: dict[int, list[StatusAfter]] = {}
    for key, _start, unit, current in items:
        events = history.get(unit, [])
        found = []
        for months, on in targets[key]:
            status = None
            if on <= day:
                then = [e for e in events if e[0] <= on]
                if then:
                    status = then[-1][2]
                elif events:  # changed only later: what it was before the first change
                    status = events[0][1] or None
                else:  # never changed: it has kept its status
                    status = current
            found.append(StatusAfter(months, on, status, on > day))
        out[key] = found
    return out


@dataclass(slots=True)
class ListedCertificate:
    """A row of the certificates' list, as it is shown (read as values: the three units'
    names, not their million-row registry's every column as model instances)."""

    pk: int
    url: str
    code: str
    buyer: str
    supplier: str
    holder: str
    amount: int
    matures_on: Any
    state: str


def listed_certificates(ids: list[int]) -> list[ListedCertificate]:
    """The certificates of ``ids`` (the page's, already narrowed to the person's scope), in
    this order, as the list shows them: one query."""
    from .models import Certificate

    url = _url_maker("finance_certificate")
    states = dict(Certificate.State.choices)
    values = {
        row[0]: row
        for row in Certificate.objects.filter(pk__in=ids).values_list(
            "pk",
            "code",
            "buyer__name",
            "supplier__name",
            "holder__name",
            "amount",
            "matures_on",
            "state",
        )  # fmt: skip
    }
    return [
        ListedCertificate(
            pk,
            url(pk),
            code,
            buyer,
            supplier,
            holder or "",
            amount,
            matures_on,
            str(states.get(state, state)),
        )  # fmt: skip
        for pk, code, buyer, supplier, holder, amount, matures_on, state in (
            values[pk] for pk in ids if pk in values
        )
    ]


def _url_maker(name: str) -> Callable[[int], str]:
    """``pk → reverse(name, args=[pk])`` for a route whose only argument is an id, resolved
    once for a list's rows (``reverse`` is ~50 µs a row)."""
    from django.urls import reverse

    mark = 987654321
    before, _mark, after = reverse(name, args=[mark]).partition(str(mark))
    return lambda pk: f"{before}{pk}{after}"


def certificate_count(user: Any, visible: QuerySet[Any]) -> int:
    """The number of the certificates the person sees (``visible``): kept per figures
    version for national staff and a bank's officers (every certificate event starts a
    new one, ``finance.events``), counted each time for anyone else."""
    scope = Scope.of(user)
    if scope.national:
        return kept(("finance-certificate-count",), visible.order_by().count)  # type: ignore[no-any-return]
    if banks := banks_only(scope):
        return kept(  # type: ignore[no-any-return]
            ("finance-certificate-count", tuple(sorted(banks))), visible.order_by().count
        )
    return visible.order_by().count()


UNIT_CERTIFICATES_SHOWN = 10


def unit_section(user: Any, enterprise: Any) -> Any:
    """The unit page's section of the productive-credit certificates it bought, supplied
    or holds that the person may see (newest first), with the way to the chain of
    suppliers when the unit is a buyer the person may act for; None when there is none
    (``enterprises.sections``)."""
    from django.utils.translation import gettext as _

    from enterprises.sections import Section

    from .models import Certificate

    scope = Scope.of(user)
    mine = Certificate.objects.filter(scope.visible_q(Certificate)).filter(
        Q(buyer=enterprise) | Q(supplier=enterprise) | Q(holder=enterprise)
    )
    shown = list(mine.order_by("-issued_on", "-id")[: UNIT_CERTIFICATES_SHOWN + 1])
    if not shown:
        return None
    more = mine.count() - UNIT_CERTIFICATES_SHOWN if len(shown) > UNIT_CERTIFICATES_SHOWN else 0
    chain = scope.can("certificates.act_for", enterprise) and mine.filter(buyer=enterprise).exists()
    return Section(
        _("Productive-credit certificates"),
        "finance/_unit_certificates.html",
        {"certificates": shown[:UNIT_CERTIFICATES_SHOWN], "more": more, "chain": chain},
        order=20,
    )
