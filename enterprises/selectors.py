"""Reads of the registry that depend on who is asking. Every query starts from
``enterprises_visible_to(user)`` (the scope in ``accounts.scope``), so a row outside
someone's scope is never listed and its page answers 404."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.scope import Scope
from persian.text import search_terms
from places.models import Park, Province
from sectors.models import IndustryGroup, IsicDivision

from .access import RULES as ENTERPRISE_RULES
from .models import (
    SEMI_FINISHED_PROGRESS,
    Enterprise,
    LocationEvent,
    MeasureEvent,
    SizeBand,
    Status,
    StatusEvent,
    stalled_by,
)

StrOrPromise = str | Promise


def status_on(enterprise: Enterprise, day: dt.date | None) -> str | None:
    """The unit's status at the end of ``day`` (None: today's), read from its status
    history; None when it was not yet in the registry."""
    if day is None or day >= enterprise.status_since:
        return enterprise.status
    event = (
        StatusEvent.objects.filter(enterprise=enterprise, date__lte=day)
        .order_by("-date", "-id")
        .first()
    )
    return event.to_status if event is not None else None


def enterprises_then(user: Any, as_of: dt.date | None) -> Any:
    """The units ``user`` may find, each annotated with its status, province and park at
    the end of ``as_of`` (``status_then``, ``province_then``, ``park_then``; today's
    values when ``as_of`` is None), whether the person sees its history
    (``with_history``) and, only then, since when it had that status (``since_then``).

    A unit whose history the person may not see (the public, anyone outside its full
    scope: ``EnterpriseRules.history_q``) is given as it is today, so a past status or
    place is never told; a unit whose history they see and that was not yet registered on
    the date is left out. The API reads it; the indicator rows page judges units alike."""
    qs = enterprises_visible_to(user)
    history = ExpressionWrapper(
        ENTERPRISE_RULES.history_q(Scope.of(user)), output_field=BooleanField()
    )
    if as_of is None:
        return qs.annotate(with_history=history).annotate(
            status_then=F("status"),
            province_then=F("province_id"),
            park_then=F("park_id"),
            since_then=Case(
                When(with_history=True, then=F("status_since")),
                default=None,
                output_field=DateField(),
            ),
        )
    status = StatusEvent.objects.filter(enterprise=OuterRef("pk"), date__lte=as_of).order_by(
        "-date", "-id"
    )
    location = LocationEvent.objects.filter(enterprise=OuterRef("pk"), date__lte=as_of).order_by(
        "-date", "-id"
    )

    def then(history: Any, current: str, field: Any) -> Case:
        return Case(When(with_history=True, then=history), default=F(current), output_field=field)

    # A unit whose status has not changed since the date had then the status it has now:
    # its history is read only for the others.
    unchanged = Q(status_since__lte=as_of)
    return (
        qs.annotate(with_history=history)
        .annotate(
            status_then=then(
                Case(
                    When(unchanged, then=F("status")),
                    default=Subquery(status.values("to_status")[:1]),
                    output_field=CharField(),
                ),
                "status",
                CharField(),
            ),
            province_then=then(
                Subquery(location.values("province_id")[:1]), "province_id", IntegerField()
            ),
            park_then=then(Subquery(location.values("park_id")[:1]), "park_id", IntegerField()),
            since_then=Case(
                When(with_history=True, then=Subquery(status.values("date")[:1])),
                default=None,
                output_field=DateField(),
            ),
        )
        .filter(status_then__isnull=False)
    )


def then_could_be(
    as_of: dt.date,
    *,
    province_id: int | None = None,
    park_id: int | None = None,
    status: str | None = None,
) -> Q:
    """A condition on units, true of every unit whose status, province or park at the end
    of ``as_of`` (as ``enterprises_then`` reads them) may be the ones given, so that a list
    asked for them can read the place's or the status's units by their indexes before
    judging each by its history: a unit there today, or whose location in force that day
    (``LocationEvent.valid_until``: the day it ended) was there; a unit with that status
    today, or whose status changed after the date."""
    q = Q()
    for column, value in (("province_id", province_id), ("park_id", park_id)):
        if value is not None:
            moved = LocationEvent.objects.filter(
                **{column: value}, date__lte=as_of, valid_until__gt=as_of
            ).values("enterprise_id")
            q &= Q(**{column: value}) | Q(pk__in=moved)
    if status is not None:
        q &= Q(status=status) | Q(status_since__gt=as_of)
    return q


def with_progress_then(units: QuerySet[Enterprise], as_of: dt.date) -> QuerySet[Enterprise]:
    """``units`` annotated with ``progress_then``, their construction progress at the end
    of ``as_of``, and ``progress_since``, the day it was recorded (their last progress
    event up to the date: an index probe of each unit)."""
    recorded = MeasureEvent.objects.filter(
        enterprise=OuterRef("pk"), date__lte=as_of, construction_progress__isnull=False
    ).order_by("-date", "-id")
    return units.annotate(
        progress_then=Subquery(recorded.values("construction_progress")[:1]),
        progress_since=Subquery(recorded.values("date")[:1]),
    )


@dataclass(frozen=True)
class Measures:
    """A unit's head count and construction progress on a date (``measures_on``); None:
    none recorded by then."""

    employees: int | None
    construction_progress: int | None


def measures_on(units: list[tuple[Enterprise, dt.date]]) -> dict[int, Measures]:
    """Each unit's head count and construction progress at the end of its date, from its
    dated history (``MeasureEvent``), for a page's units: one query by the units' index.
    The head count is the last recorded up to the date (before the first, the first, as
    the facts count them); the progress the last recorded up to it (None before any, as
    ``with_progress_then``). A unit with no event is left out (shown with today's)."""
    if not units:
        return {}
    days = {u.pk: day for u, day in units}
    employees: dict[int, int | None] = {}
    progress: dict[int, int | None] = {}
    for pk, day, count, built in (
        MeasureEvent.objects.filter(enterprise_id__in=list(days))
        .order_by("enterprise_id", "date", "id")
        .values_list("enterprise_id", "date", "employees", "construction_progress")
    ):
        if count is not None and (employees.get(pk) is None or day <= days[pk]):
            employees[pk] = count
        else:
            employees.setdefault(pk, None)
        if built is not None and day <= days[pk]:
            progress[pk] = built
    return {pk: Measures(count, progress.get(pk)) for pk, count in employees.items()}


def employees_on(units: list[tuple[Enterprise, dt.date]]) -> dict[int, int]:
    """Each unit's employees on its date (``measures_on``), for a page's units; a unit
    without a recorded head count is left out (shown with today's)."""
    return {
        pk: then.employees for pk, then in measures_on(units).items() if then.employees is not None
    }


def size_band_case(employees: str = "employees") -> Case:
    """``size_band_for`` of the column ``employees``, in SQL."""
    return Case(
        When(**{f"{employees}__lt": 10}, then=Value(SizeBand.MICRO)),
        When(**{f"{employees}__lt": 50}, then=Value(SizeBand.SMALL)),
        When(**{f"{employees}__lt": 100}, then=Value(SizeBand.MEDIUM)),
        default=Value(SizeBand.LARGE),
        output_field=CharField(),
    )


def size_then(as_of: dt.date) -> Coalesce:
    """A unit's size band at the end of ``as_of``: that of its head count recorded last up
    to the date (before the first, the first; without any, today's), as the facts count
    it. Each side reads the band in its subquery, so the unit's history is probed once."""
    recorded: Any = MeasureEvent.objects.filter(enterprise=OuterRef("pk"), employees__isnull=False)
    recorded = recorded.annotate(band=size_band_case()).values("band")
    return Coalesce(
        Subquery(recorded.filter(date__lte=as_of).order_by("-date", "-id")[:1]),
        Subquery(recorded.order_by("date", "id")[:1]),
        F("size_band"),
        output_field=CharField(),
    )


def semi_finished_q(as_of: dt.date, status: str = "status_then") -> Q:
    """A semi-finished project at the end of ``as_of`` (on ``with_progress_then``): under
    construction, at least 60% built, no progress recorded for 6 months before."""
    return Q(
        **{status: Status.UNDER_CONSTRUCTION},
        progress_then__gte=SEMI_FINISHED_PROGRESS,
        progress_since__lte=stalled_by(as_of),
    )


def enterprises_visible_to(user: Any) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(Scope.of(user).visible_q(Enterprise))


def enterprises_fully_visible_to(user: Any) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(Scope.of(user).full_q(Enterprise))


def enterprise_get_visible(user: Any, pk: int) -> tuple[Enterprise, bool]:
    """The enterprise and whether ``user`` sees all of it (True) or only its published
    directory fields (False). 404 when it is not theirs and not published."""
    enterprise = (
        enterprises_visible_to(user)
        .select_related("province", "park", "isic_division", "industry_group")
        .filter(pk=pk)
        .first()
    )
    if enterprise is None:
        raise Http404
    full = enterprises_fully_visible_to(user).filter(pk=pk).exists()
    return enterprise, full


def unit_typed(user: Any, typed: str) -> Enterprise | None:
    """The unit in the person's full scope whose 11-digit national ID or registry number is
    ``typed`` (Persian, Arabic-Indic or Latin digits); None when there is none."""
    from persian.text import to_latin_digits

    typed = to_latin_digits(typed or "").strip()
    if not (typed.isascii() and typed.isdigit()) or len(typed) > 18:
        return None
    units = Enterprise.objects.filter(Scope.of(user).full_q(Enterprise))
    found = units.filter(legal_id=typed).first() if len(typed) == 11 else None
    return found or units.filter(pk=int(typed)).first()


def unit_to_act_on(user: Any, typed: str, action: str) -> Enterprise:
    """The unit typed by its national ID or number (``unit_typed``) on which the person may
    take ``action`` (``"cases.open"``, ``"finance.introduce"``: asked with the unit's
    province); otherwise a ValidationError on the form's ``unit`` field."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    unit = unit_typed(user, typed)
    if unit is None or not Scope.of(user).can(action, unit.province_id):
        raise ValidationError(
            {"unit": gettext("No unit with this national ID or number in the provinces you keep.")}
        )
    return unit


def enterprise_get_editable(user: Any, pk: int) -> Enterprise:
    """The enterprise if ``user`` may change it; otherwise 404 (no hint that it exists)."""
    enterprise = (
        enterprises_fully_visible_to(user).select_related("province", "park").filter(pk=pk).first()
    )
    if enterprise is None:
        raise Http404
    return enterprise


# --- the directory ------------------------------------------------------------------

SORTS = {
    # key: (ordering fields, cursor field)
    "name": (("sort_key", "id"), "sort_key"),
    "-name": (("-sort_key", "-id"), "sort_key"),
    "-employees": (("-employees", "-id"), "employees"),
    "-registered": (("-id",), None),
}


@dataclass
class DirectoryQuery:
    """The directory's filters, parsed from GET parameters (every list is a URL)."""

    q: str = ""
    province: str = ""
    park: int | None = None
    group: str = ""
    isic: str = ""
    size: str = ""
    status: str = ""
    knowledge_based: bool = False
    exporter: bool = False
    sort: str = "name"
    after: str = ""
    before: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    """Filters given a value that names nothing: parameter name -> the value, which is
    ignored (the filter is left out) and said on the page (``ignored``)."""

    LABELS: ClassVar[dict[str, StrOrPromise]] = {
        "province": _("Province"),
        "park": _("Park or zone"),
        "group": _("Industry group"),
        "isic": _("ISIC division"),
        "size": _("Size"),
        "status": _("Status"),
    }

    @classmethod
    def from_params(cls, params: QueryDict) -> DirectoryQuery:
        def get(name: str) -> str:
            # NUL never reaches the database (PostgreSQL refuses it in text).
            return params.get(name, "").replace("\x00", "").strip()

        query = cls(
            q=get("q")[:100],
            province=get("province").upper(),
            group=get("group"),
            isic=get("isic"),
            size=get("size"),
            status=get("status"),
            knowledge_based=get("kb") in {"1", "on", "true"},
            exporter=get("exporter") in {"1", "on", "true"},
            sort=get("sort") if get("sort") in SORTS else "name",
            after=get("after"),
            before=get("before"),
        )
        park = get("park")
        if park:
            if (
                park.isascii()
                and park.isdecimal()
                and int(park) < 2**63
                and Park.objects.filter(pk=int(park)).exists()
            ):
                query.park = int(park)
            else:
                query.errors["park"] = park
        # A value that names nothing is left out rather than finding nothing, and said.
        known = {
            "size": lambda v: v in SizeBand.values,
            "status": lambda v: v in Status.values,
            "province": lambda v: _province_id(v) is not None,
            "group": lambda v: _group_id(v) is not None,
            "isic": lambda v: (
                v in _division_codes() or IsicDivision.objects.filter(code=v).exists()
            ),
        }
        for name, is_known in known.items():
            value = getattr(query, name)
            if value and not is_known(value):
                query.errors[name] = get(name)
                setattr(query, name, "")
        return query

    @property
    def ignored(self) -> list[tuple[StrOrPromise, str]]:
        """(filter label, value given) for each filter left out because its value names
        nothing, in the order of the form."""
        return [
            (label, self.errors[name]) for name, label in self.LABELS.items() if name in self.errors
        ]

    def filter_params(self) -> dict[str, str]:
        """The filters as GET parameters (without the page cursor)."""
        params = {
            "q": self.q,
            "province": self.province,
            "park": str(self.park) if self.park else "",
            "group": self.group,
            "isic": self.isic,
            "size": self.size,
            "status": self.status,
            "kb": "1" if self.knowledge_based else "",
            "exporter": "1" if self.exporter else "",
            "sort": self.sort if self.sort != "name" else "",
        }
        return {k: v for k, v in params.items() if v}

    @property
    def has_filters(self) -> bool:
        return bool(set(self.filter_params()) - {"sort"})


def _province_id(code: str) -> int | None:
    """The province's id, from the filter form's choices kept in this process (no round
    trip), or read (a province added by another process since they were read)."""
    for province in directory_choices()[0]:
        if province.code == code:
            return province.pk
    return Province.objects.filter(code=code).values_list("id", flat=True).first()


def _group_id(key: str) -> int | None:
    """The industry group's id, like ``_province_id``."""
    for group in directory_choices()[1]:
        if group.key == key:
            return group.pk
    return IndustryGroup.objects.filter(key=key).values_list("id", flat=True).first()


def _division_codes() -> set[str]:
    return {division.code for division in directory_choices()[2]}


def _filtered(user: Any, query: DirectoryQuery) -> QuerySet[Enterprise]:
    qs = enterprises_visible_to(user)
    for term in search_terms(query.q):
        qs = qs.filter(search_text__contains=term)
    # Codes are resolved to ids first (from the kept choices), so the big table is filtered
    # on its own indexed columns with constants the planner can weigh (a province of
    # 136,000 units or of 8,000), rather than joined or compared with a subquery.
    if query.province:
        province_id = _province_id(query.province)
        if province_id is None:
            return qs.none()
        qs = qs.filter(province_id=province_id)
    if query.park:
        qs = qs.filter(park_id=query.park)
    if query.group:
        group_id = _group_id(query.group)
        if group_id is None:
            return qs.none()
        qs = qs.filter(industry_group_id=group_id)
    if query.isic:
        qs = qs.filter(isic_division_id=query.isic)
    if query.size:
        qs = qs.filter(size_band=query.size)
    if query.status:
        qs = qs.filter(status=query.status)
    if query.knowledge_based:
        qs = qs.filter(knowledge_based=True)
    if query.exporter:
        qs = qs.filter(exporter=True)
    return qs


def _encode_cursor(values: tuple[Any, ...]) -> str:
    raw = "\x1f".join(str(v) for v in values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(token: str, sort: str) -> tuple[Any, int] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if "\x00" in raw:
            return None
        parts = raw.split("\x1f")
        if SORTS[sort][1] is None:
            return None, int(parts[0])
        value: Any = int(parts[0]) if sort == "-employees" else parts[0]
        return value, int(parts[1])
    except (ValueError, IndexError, binascii.Error, UnicodeDecodeError):
        return None


def _seek(qs: QuerySet[Enterprise], sort: str, cursor: tuple[Any, int], forward: bool) -> QuerySet:
    """Rows after (forward) or before the cursor in the sort order: keyset pagination,
    as fast on page 10,000 as on page 1."""
    value, pk = cursor
    ordering, key = SORTS[sort]
    descending = ordering[0].startswith("-")
    go_up = forward != descending  # towards larger values
    op = "gt" if go_up else "lt"
    if key is None:
        return qs.filter(**{f"id__{op}": pk})
    # (key, id) > (value, pk), written so that the first condition bounds an index range
    # scan on (key, id) and the second only trims the ties.
    return qs.filter(**{f"{key}__{op}e": value}).filter(
        Q(**{f"{key}__{op}": value}) | Q(**{key: value, f"id__{op}": pk})
    )


COUNT_TTL = 120  # seconds a page's count is reused by the pages after it


def _count_cache_key(user: Any, query: DirectoryQuery) -> str:
    """Later pages show the count page one computed, for the same person's scope and the
    same filters (a count moves by a few rows at most within the TTL)."""
    scope = Scope.of(user)
    filters = sorted((k, v) for k, v in query.filter_params().items() if k != "sort")
    raw = repr(
        (
            scope.national,
            sorted(scope.grants, key=repr),
            filters,
        )
    )
    return "directory-count:" + hashlib.sha256(raw.encode()).hexdigest()


# Seconds the public's first page of a search or filter (the ids in order and the capped
# count) is reused. A common word of the names («صنایع», «فولاد») matches 25,000–35,000
# published units of a million, and finding and sorting them costs ~150–250 ms each time
# (the commonest, «تولیدی», matches so many that the name order is walked instead); the
# rows themselves are
# read again each time with the filters (a unit unpublished or renamed since drops out).
# People logged in (who register and edit units and look for them at once) are not served
# from it.
PUBLIC_PAGE_ONE_TTL = 30


# On PostgreSQL a search's units are found in name order in the indexes that carry the
# search text (migration 0012: ``ent_sort_text``, ``ent_prov_sort_text``), which hold the
# units whose search text is at most this many bytes (a B-tree entry must fit a third of a
# page); any longer ones are found apart (``ent_sort_long_text``) in the same query.
TEXT_IN_INDEX_BYTES = 2000


class OctetLength(Func):
    function = "OCTET_LENGTH"
    output_field = IntegerField()


def _ordered_ids(
    query: DirectoryQuery, base: Any, ordering: tuple[str, ...], limit: int
) -> list[int]:
    """The ids of the first ``limit`` units of ``base`` in ``ordering``.

    A search in name order on PostgreSQL asks the units whose text the name-order indexes
    carry and the others (if any) apart, each in order and up to ``limit``, and keeps the
    first ``limit`` of both: the same rows in the same order, found by an index-only walk
    that stops at ``limit`` matches (a common word: ~25,000 index entries read instead of
    ~30,000 table rows fetched, or ~40,000 trigram matches sorted)."""
    if not query.q or connection.vendor != "postgresql" or query.sort not in ("name", "-name"):
        return list(base.order_by(*ordering).values_list("id", flat=True)[:limit])
    sized = base.alias(text_bytes=OctetLength("search_text"))
    parts = [
        sized.filter(text_bytes__lte=TEXT_IN_INDEX_BYTES),
        sized.filter(text_bytes__gt=TEXT_IN_INDEX_BYTES),
    ]
    first, rest = (part.order_by(*ordering).values_list("sort_key", "id")[:limit] for part in parts)
    rows = first.union(rest, all=True).order_by(*ordering)[:limit]
    return [pk for _key, pk in rows]


def _page_one_ids(
    user: Any, query: DirectoryQuery, base: Any, ordering: tuple[str, ...], cap: int, size: int
) -> tuple[list[int], int]:
    """The ids of page one and the next (``size + 1``) and how many match, up to ``cap + 1``."""

    def find() -> tuple[list[int], int]:
        ids = _ordered_ids(query, base, ordering, cap + 1)
        return ids[: size + 1], len(ids)

    key_of_count = _count_cache_key(user, query)
    if getattr(user, "is_authenticated", False):
        kept_count = cache.get(key_of_count) if query.q else None
        if kept_count is not None and kept_count > cap:
            # A search already known to match more than the cap (the next pages show the
            # same count, see COUNT_TTL): the page itself is found afresh, the count is not
            # looked for again past the page (for a common word that was the whole cost).
            return _ordered_ids(query, base, ordering, size + 1), kept_count
        found = find()
        cache.set(key_of_count, found[1], COUNT_TTL)  # for the next pages
        return found
    # One round trip to the cache when the page is kept: the count kept with it was
    # written beside it (the next pages read it).
    key = f"directory-public-first:{query.sort}:{key_of_count}"
    kept = cache.get(key)
    if kept is None:
        kept = find()
        cache.set(key, kept, PUBLIC_PAGE_ONE_TTL)
        cache.set(key_of_count, kept[1], COUNT_TTL)
    return kept  # type: ignore[no-any-return]


@dataclass
class DirectoryPage:
    rows: list[Enterprise]
    count: int
    count_capped: bool
    next_cursor: str
    prev_cursor: str


# Where the number of units with some filters is kept exactly: the indicators keep the
# registry's figures as facts (per province, park, status, size band, industry group) and
# provide a reader here (``IndicatorsConfig.ready``; this app sits below the indicators and
# cannot ask for them). It answers for every unit there is, or None where the facts do not
# carry the filters (``indicators.rows.figure_of``).
_COUNTERS: dict[str, Callable[..., int | None]] = {}


def provide_counter(reader: Callable[..., int | None]) -> None:
    """Register ``reader(province=<code>, park_id=, status=, size=, group=)``: the exact
    number of units there today, or None."""
    _COUNTERS["units"] = reader


def _counted_in_figures(user: Any, query: DirectoryQuery) -> int | None:
    """The exact number behind the page's filters, read from the figures, for a person who
    sees every unit (the figures count them all); None when the filters are not all ones the
    figures carry: a search, an ISIC division, knowledge-based, exporter, a province and a
    park at once, or more than one of status, size band and industry group."""
    reader = _COUNTERS.get("units")
    if reader is None or not Scope.of(user).national:
        return None
    if query.q or query.isic or query.knowledge_based or query.exporter:
        return None
    if (query.province and query.park) or len(
        [f for f in (query.status, query.size, query.group) if f]
    ) > 1:
        return None
    return reader(
        province=query.province,
        park_id=query.park,
        status=query.status,
        size=query.size,
        group=query.group,
    )


def directory_page(user: Any, query: DirectoryQuery) -> DirectoryPage:
    size = settings.DIRECTORY_PAGE_SIZE
    cap = settings.DIRECTORY_COUNT_CAP
    base = _filtered(user, query)
    ordering, key = SORTS[query.sort]
    reverse_ordering = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in ordering)
    qs = base.select_related("province", "park", "industry_group").only(
        "id",
        "name",
        "employees",
        "size_band",
        "status",
        "knowledge_based",
        "exporter",
        "sort_key",
        "province__code",
        "province__name_fa",
        "province__name_en",
        "park__name",
        "industry_group__name_fa",
        "industry_group__name_en",
        "industry_group__key",
        "products",
        "published",
    )
    cursor_after = _decode_cursor(query.after, query.sort) if query.after else None
    cursor_before = _decode_cursor(query.before, query.sort) if query.before else None
    count: int | None = None
    if cursor_before is None and cursor_after is None:
        # Page one: one query finds the ids in order up to the cap, which gives both the
        # page and the (capped) count; the rows are then read by primary key.
        ids, count = _page_one_ids(user, query, base, ordering, cap, size)
        by_id = qs.in_bulk(ids[: size + 1])
        rows = [by_id[i] for i in ids[: size + 1] if i in by_id]
        has_more_after = len(rows) > size
        rows = rows[:size]
        has_more_before = False
    elif cursor_before is not None:
        rows = list(
            _seek(qs, query.sort, cursor_before, False).order_by(*reverse_ordering)[: size + 1]
        )
        has_more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_more_after = True
    else:
        qs = _seek(qs, query.sort, cursor_after, True)  # type: ignore[arg-type]
        rows = list(qs.order_by(*ordering)[: size + 1])
        has_more_after = len(rows) > size
        rows = rows[:size]
        has_more_before = cursor_after is not None

    def cursor_of(row: Enterprise) -> str:
        return _encode_cursor((row.pk,) if key is None else (getattr(row, key), row.pk))

    if count is None:  # a later page: the count page one kept, or counted now
        key_of_count = _count_cache_key(user, query)
        count = cache.get(key_of_count)
        if count is None:
            count = base.order_by().values("id")[: cap + 1].count()
            cache.set(key_of_count, count, COUNT_TTL)
    if count > cap and (exact := _counted_in_figures(user, query)) is not None:
        # The facts' number: exact, fresh (they follow every change of the registry), cheap.
        return DirectoryPage(
            rows=rows,
            count=exact,
            count_capped=False,
            next_cursor=cursor_of(rows[-1]) if rows and has_more_after else "",
            prev_cursor=cursor_of(rows[0]) if rows and has_more_before else "",
        )
    return DirectoryPage(
        rows=rows,
        count=min(count, cap),
        count_capped=count > cap,
        next_cursor=cursor_of(rows[-1]) if rows and has_more_after else "",
        prev_cursor=cursor_of(rows[0]) if rows and has_more_before else "",
    )


# The filter form's choices: provinces, industry groups, ISIC divisions. Reference data,
# edited rarely (the admin, ``load_reference``): three queries on every directory page,
# read instead once per process and kept until one of them is saved or deleted in this
# process (signals, ``EnterprisesConfig.ready``) or for REFERENCE_TTL seconds (an edit made
# by another process, or a bulk load that sends no signals).
REFERENCE_TTL = 60.0
_CHOICES: dict[str, Any] = {"lists": None, "read_at": 0.0}


def directory_choices() -> tuple[list[Province], list[IndustryGroup], list[IsicDivision]]:
    now = time.monotonic()
    if _CHOICES["lists"] is None or now - _CHOICES["read_at"] > REFERENCE_TTL:
        _CHOICES["lists"] = (
            list(Province.objects.all()),
            list(IndustryGroup.objects.all()),
            list(IsicDivision.objects.all()),
        )
        _CHOICES["read_at"] = now
    return _CHOICES["lists"]  # type: ignore[no-any-return]


def forget_directory_choices(**_kwargs: Any) -> None:
    """Read the choices again on the next page (a province, group or division changed)."""
    _CHOICES["lists"] = None


# --- the directory as a download ------------------------------------------------------

# A spreadsheet is built whole before it is sent; above this many rows the person is asked
# to narrow the filters or take the CSV, which is streamed and has no cap.
DIRECTORY_XLSX_CAP = 100_000
EXPORT_CHUNK = 2_000

# What anyone who finds a unit may read (the public directory's fields) …
EXPORT_PUBLIC_FIELDS = (
    "id", "name", "province_id", "park_id", "industry_group_id", "isic_division_id",
    "size_band", "employees", "status", "knowledge_based", "exporter",
    "products", "capabilities", "phone", "email", "website", "address",
)  # fmt: skip
# … what only those who see the unit's history may read (``EnterpriseRules.history_q``);
# the column is there for everyone, empty for the other units …
EXPORT_HISTORY_FIELDS = ("status_since",)
# … and what only those with the unit in their full scope may read.
EXPORT_PRIVATE_FIELDS = (
    "legal_id", "business_id", "permit_number", "permit_date", "construction_progress",
    "mobile", "published",
)  # fmt: skip


def directory_export_has_private_fields(user: Any) -> bool:
    """Whether the download has the private columns at all: only for people who keep
    some units (the public's file has no empty national-ID column)."""
    return Scope.of(user).can("enterprises.see_private_columns")


EXACT_COUNT_TIMEOUT_MS = 3000  # how long "count exactly" may keep PostgreSQL busy


def directory_exact_count(
    user: Any, query: DirectoryQuery, timeout_ms: int = EXACT_COUNT_TIMEOUT_MS
) -> int | None:
    """Every unit behind the directory's filters that ``user`` may see, counted exactly
    (asked for by "count exactly" where the page shows a capped count: the same scope and
    filters as its rows), or None when PostgreSQL gives up after ``timeout_ms``
    (``statement_timeout``, for this transaction only: a count never holds a connection
    longer). SQLite has no statement timeout and counts to the end."""
    units = _filtered(user, query).order_by()
    if connection.vendor != "postgresql":
        return units.count()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
            found = units.count()
            # Within a transaction begun outside, the timeout ends with this count.
            cursor.execute("SET LOCAL statement_timeout = DEFAULT")
            return found
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == QUERY_CANCELED:
            return None
        raise


QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by its timeout


def directory_export_count(user: Any, query: DirectoryQuery, cap: int) -> int:
    """The rows behind the filters, counted up to ``cap + 1`` (a bounded count)."""
    return _filtered(user, query).order_by().values("id")[: cap + 1].count()


def directory_export_rows(user: Any, query: DirectoryQuery) -> Iterator[dict[str, Any]]:
    """Every unit behind the directory's filters, in the directory's order, as plain
    values. A unit outside ``user``'s full scope has its private fields as None: the
    database itself blanks them (``CASE WHEN <full scope> …``), so they never leave it;
    likewise its "status since" date, which is history (``EnterpriseRules.history_q``).

    Read in chunks with ``iterator()`` (a server-side cursor on PostgreSQL), so a million
    rows stream with constant memory; the cursor filters give way to the whole list."""
    scope = Scope.of(user)
    private: dict[str, Any] = {}
    if directory_export_has_private_fields(user):
        full_q = scope.full_q(Enterprise)
        for name in EXPORT_PRIVATE_FIELDS:
            private[f"private_{name}"] = (
                F(name) if scope.national else Case(When(full_q, then=F(name)), default=None)
            )
    history_q = ENTERPRISE_RULES.history_q(scope)
    for name in EXPORT_HISTORY_FIELDS:
        private[f"private_{name}"] = (
            F(name) if scope.national else Case(When(history_q, then=F(name)), default=None)
        )
    ordering, _key = SORTS[query.sort]
    qs = (
        _filtered(user, query)
        .order_by(*ordering)
        .annotate(**private)
        .values(*EXPORT_PUBLIC_FIELDS, *private)
    )
    for row in qs.iterator(chunk_size=EXPORT_CHUNK):
        yield {key.removeprefix("private_"): value for key, value in row.items()}
