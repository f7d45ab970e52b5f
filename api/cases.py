"""``/api/v1/cases``: the cases of every case type the apps register — business clinics'
cases (``clinic``), finance referrals to banks (``finance_referral``) and capital-market
files (``capital_listing``) — as their pages show them to the caller, today or ``as_of``
a past date.

Who sees what is the cases' rules (``cases.access``, through ``cases.selectors``):
national staff every case, a provincial office the cases it holds, an assignee theirs, a
unit's owner their unit's, a type's other parties theirs (a bank's officers, the
referrals to their bank); the public none. Any other case is a 404. Every ``CaseEvent``
holds the case's whole state after it, so the stage and the office on a date are its
latest event's on or before the date; a case opened after the date is left out. The
events' reasons are the keepers' (staff who keep the case), as on the case's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from accounts.scope import Scope
from cases import types
from cases.models import Case, CaseEvent
from cases.selectors import cases_visible
from enterprises.models import Enterprise

from . import pagination
from .answers import json_answer
from .auth import caller_of
from .dates import jalali, parse_as_of
from .errors import invalid, not_found
from .filters import MAX_ID, PROVINCE_PATTERN, Reference, reference, searched
from .schemas import ERRORS

router = Router(tags=["cases"])

# The events after which a case is in the stage it names since their date.
ENTERED = (CaseEvent.Kind.OPEN, CaseEvent.Kind.STAGE)


class CaseFilters(Schema):
    type: str | None = Field(
        None,
        pattern=r"^[a-z_]{1,30}$",
        description="clinic, finance_referral or capital_listing",
    )
    q: str | None = Field(None, max_length=100, description="words of the unit's name")
    province: str | None = Field(
        None, pattern=PROVINCE_PATTERN, description="the office that held it then (ISO code)"
    )
    enterprise: int | None = Field(None, ge=1, le=MAX_ID, description="the unit's id")
    stage: str | None = Field(None, max_length=30, description="a stage of the type, then")
    open: bool | None = Field(None, description="open (true) or closed (false) then")
    as_of: str | None = Field(None, max_length=40, description="Jalali or ISO date")
    cursor: str | None = Field(None, max_length=64)
    limit: int | None = Field(None, ge=1, description="rows per page (capped)")


class AsOf(Schema):
    as_of: str | None = Field(None, max_length=40, description="Jalali or ISO date")


class CaseRow(Schema):
    id: int
    type: str
    enterprise: int
    enterprise_name: str
    province: str  # the office (ISO code) that held it on the date
    stage: str  # on the date asked (today by default)
    stage_since: dt.date | None
    stage_since_jalali: str | None
    is_open: bool
    opened_on: dt.date
    opened_on_jalali: str
    closed_on: dt.date | None
    closed_on_jalali: str | None


class CasePage(Schema):
    as_of: dt.date | None
    as_of_jalali: str | None
    results: list[CaseRow]
    next_cursor: str | None


class CaseEventOut(Schema):
    date: dt.date
    date_jalali: str
    kind: str  # open, stage, assign, transfer
    from_stage: str
    stage: str
    province: str
    reason: str | None  # only for those who keep the case


class ReferralOut(Schema):
    """A finance referral's bank and what the bank decided and paid (each known from its
    date on)."""

    bank: str
    bank_name: str
    branch: str
    instrument: str
    amount_requested: int
    decision: str | None
    decided_on: dt.date | None
    decided_on_jalali: str | None
    amount_granted: int | None
    paid_on: dt.date | None
    paid_on_jalali: str | None
    amount_paid: int | None


class ListingOut(Schema):
    """A capital-market file's adviser and market."""

    adviser: str | None
    market: str
    amount_raised: int | None


class CaseOut(CaseRow):
    as_of: dt.date | None
    as_of_jalali: str | None
    history: list[CaseEventOut]
    referral: ReferralOut | None
    listing: ListingOut | None


def _type(code: str | None) -> types.CaseType | None:
    if not code:
        return None
    found = next((t for t in types.all_types() if t.code == code), None)
    if found is None:
        known = ", ".join(t.code for t in types.all_types())
        raise invalid(
            "invalid_filter", "type", _("No case type has this code."), f"{code} ({known})"
        )
    return found


def cases_then(user: Any, as_of: dt.date | None) -> QuerySet[Any]:
    """The cases ``user`` may see, annotated with their stage (``stage_then``), its date
    and the office (``province_then``) at the end of ``as_of`` (today's without)."""
    qs = cases_visible(user)
    if as_of is None:
        return qs.annotate(
            stage_then=F("stage"), since_then=F("stage_since"), province_then=F("province_id")
        )
    latest = CaseEvent.objects.filter(case=OuterRef("pk"), date__lte=as_of).order_by("-date", "-id")
    return (
        qs.filter(opened_on__lte=as_of)
        .annotate(
            stage_then=Subquery(latest.values("stage")[:1]),
            since_then=Subquery(latest.filter(kind__in=ENTERED).values("date")[:1]),
            province_then=Subquery(latest.values("province_id")[:1]),
        )
        .filter(stage_then__isnull=False)
    )


def _open_q(as_of: dt.date | None) -> Q:
    if as_of is None:
        return Q(closed_on__isnull=True)
    q = Q(pk__in=[])
    for case_type in types.all_types():
        q |= Q(type=case_type.code, stage_then__in=case_type.open_stages)
    return q


def _row(case: Any, known: Reference) -> dict[str, Any]:
    try:
        closes = case.case_type.stage(case.stage_then).closes
    except KeyError:
        closes = False
    closed_on = case.since_then if closes else None  # a closing stage's date closed it
    return {
        "id": case.pk,
        "type": case.type,
        "enterprise": case.enterprise_id,
        "enterprise_name": case.enterprise.name,
        "province": known.code(case.province_then),
        "stage": case.stage_then,
        "stage_since": case.since_then,
        "stage_since_jalali": jalali(case.since_then),
        "is_open": not closes,
        "opened_on": case.opened_on,
        "opened_on_jalali": jalali(case.opened_on),
        "closed_on": closed_on,
        "closed_on_jalali": jalali(closed_on),
    }


@router.get("", response={200: CasePage, **ERRORS}, summary="List cases")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> HttpResponse:
    as_of = parse_as_of(filters.as_of)
    case_type = _type(filters.type)
    known = reference()  # the rows' codes and the filter's: no query
    qs = cases_then(caller_of(request), as_of)
    if case_type is not None:
        qs = qs.filter(type=case_type.code)
    if filters.q:
        units = searched(Enterprise.objects.all(), "search_text", filters.q)
        qs = qs.filter(enterprise__in=units.values("pk"))
    province = known.province_id(filters.province) if filters.province else None
    if province is not None:
        qs = qs.filter(province_then=province)
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.stage:
        stages_known = {
            s.code for t in ([case_type] if case_type else types.all_types()) for s in t.stages
        }
        if filters.stage not in stages_known:
            raise invalid(
                "invalid_filter",
                "stage",
                _("No stage of these cases has this code."),
                filters.stage,
            )
        qs = qs.filter(stage_then=filters.stage)
        if as_of is not None:  # in it then: in it now, or moved since
            qs = qs.filter(Q(stage=filters.stage) | Q(stage_since__gt=as_of))
    if filters.open is not None:
        qs = qs.filter(_open_q(as_of)) if filters.open else qs.exclude(_open_q(as_of))
    # The columns a row shows (``_row``): the unit's name, not its whole record.
    qs = qs.select_related("enterprise").only("type", "opened_on", "enterprise__name")
    branches: list[pagination.Branch] = [qs]
    ahead: tuple[pagination.Ahead, ...] = ()
    if as_of is not None and province is not None:
        # Held there then: held there now and not transferred since, read along the
        # office's ``(province, id)`` index; or transferred since (a few rows).
        # Each list of ids as short as it can be (a list of thousands of parameters costs
        # more to send than the rows it finds): the office's branch leaves out only those
        # held there now, the other reads only the ids that can still be on the page.
        since = CaseEvent.objects.filter(kind=CaseEvent.Kind.TRANSFER, date__gt=as_of)
        # The office that holds each now: its latest transfer's (an event holds the case's
        # whole state after it, and only a transfer changes the office) — no join to the
        # cases (2,136 probes of their primary key: half of this query's time). Read ahead
        # (``pagination.Ahead``: with the walk's settings).
        transfers = pagination.Ahead(since, "case_id", "province_id", order=("date", "id"))
        ahead = (transfers,)
        held: dict[str, Any] = {}

        def held_now() -> dict[int, int]:
            if "now" not in held:
                held["now"] = dict(transfers.rows())
            return held["now"]  # type: ignore[no-any-return]

        def staying(bound: int | None) -> Any:
            here = [case for case, office in held_now().items() if office == province]
            return qs.filter(province_id=province).exclude(pk__in=here)

        def transferred(bound: int | None) -> Any:
            ids = sorted(i for i in held_now() if bound is None or i < bound)
            return qs.filter(pk__in=ids) if ids else None

        branches = [staying, transferred]
    # Judged row by row from the history: a walk in id order (not a search: its index is
    # read by bitmap only).
    walk = pagination.ID_ORDER if as_of is not None and not filters.q else ""
    rows, next_cursor = pagination.pages(branches, filters.cursor, filters.limit, walk, ahead)
    return json_answer(
        {
            "as_of": as_of,
            "as_of_jalali": jalali(as_of),
            "results": [_row(case, known) for case in rows],
            "next_cursor": next_cursor,
        }
    )


def _known_on(day: dt.date | None, as_of: dt.date | None) -> bool:
    return day is not None and (as_of is None or day <= as_of)


def _referral(case: Case, as_of: dt.date | None) -> dict[str, Any] | None:
    from finance.models import Referral

    referral = Referral.objects.select_related("bank").filter(case=case).first()
    if referral is None:
        return None
    decided = _known_on(referral.decided_on, as_of)
    paid = _known_on(referral.paid_on, as_of)
    return {
        "bank": referral.bank.code,
        "bank_name": referral.bank.name,
        "branch": referral.branch,
        "instrument": referral.instrument,
        "amount_requested": referral.amount_requested,
        "decision": (referral.decision or None) if decided else None,
        "decided_on": referral.decided_on if decided else None,
        "decided_on_jalali": jalali(referral.decided_on) if decided else None,
        "amount_granted": referral.amount_granted if decided else None,
        "paid_on": referral.paid_on if paid else None,
        "paid_on_jalali": jalali(referral.paid_on) if paid else None,
        "amount_paid": referral.amount_paid if paid else None,
    }


def _listing(case: Case) -> dict[str, Any] | None:
    from finance.models import Listing

    listing = Listing.objects.select_related("adviser").filter(case=case).first()
    if listing is None:
        return None
    return {
        "adviser": listing.adviser.name if listing.adviser else None,
        "market": listing.market,
        "amount_raised": listing.amount_raised,
    }


@router.get(
    "/{int:case_id}", response={200: CaseOut, **ERRORS}, summary="One case, with its history"
)
def case_detail(request: HttpRequest, case_id: int, params: Query[AsOf]) -> dict[str, Any]:
    as_of = parse_as_of(params.as_of)
    user = caller_of(request)
    case = (
        cases_then(user, as_of).select_related("enterprise").filter(pk=case_id).first()
        if case_id <= MAX_ID
        else None
    )
    if case is None:
        raise not_found()
    keeps = Case.objects.filter(Scope.of(user).full_q(Case), pk=case.pk).exists()
    events = CaseEvent.objects.filter(case=case)
    if as_of is not None:
        events = events.filter(date__lte=as_of)
    known = reference()
    return {
        **_row(case, known),
        "as_of": as_of,
        "as_of_jalali": jalali(as_of),
        "history": [
            {
                "date": event.date,
                "date_jalali": jalali(event.date),
                "kind": event.kind,
                "from_stage": event.from_stage,
                "stage": event.stage,
                "province": known.code(event.province_id),
                "reason": event.reason if keeps else None,
            }
            for event in events.order_by("date", "id")
        ],
        "referral": _referral(case, as_of),
        "listing": _listing(case),
    }
