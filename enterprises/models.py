"""The registry of industrial units (واحد صنعتی) with their dated status and location history.

``Enterprise.status``, ``province`` and ``park`` are the *current* values and are written
only by ``enterprises.services``, in the same transaction as the dated event that changes
them, so they never disagree with the history. Figures "as of" a past date are read from
``StatusEvent`` and ``LocationEvent``. ``employees`` and ``construction_progress`` are
likewise the latest values of their dated history (``MeasureEvent``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import jdatetime
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from persian.jalali import month_length
from persian.text import normalize, search_key, sort_key


class Status(models.TextChoices):
    UNDER_CONSTRUCTION = "under_construction", _("under construction")
    ACTIVE = "active", _("active")
    SEMI_ACTIVE = "semi_active", _("semi-active")
    IDLE = "idle", _("idle")
    CLOSED = "closed", _("closed")


# Which status may follow which. "Revived" is not a status: it is an event from idle or
# semi-active to active (``StatusEvent.is_revival``).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.UNDER_CONSTRUCTION: frozenset(
        {Status.ACTIVE, Status.SEMI_ACTIVE, Status.IDLE, Status.CLOSED}
    ),
    Status.ACTIVE: frozenset({Status.SEMI_ACTIVE, Status.IDLE, Status.CLOSED}),
    Status.SEMI_ACTIVE: frozenset({Status.ACTIVE, Status.IDLE, Status.CLOSED}),
    Status.IDLE: frozenset({Status.ACTIVE, Status.SEMI_ACTIVE, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
REVIVAL_FROM = frozenset({Status.IDLE, Status.SEMI_ACTIVE})
OPERATING = frozenset({Status.ACTIVE, Status.SEMI_ACTIVE, Status.IDLE})
REVIVAL = models.Q(to_status=Status.ACTIVE, from_status__in=sorted(REVIVAL_FROM))


class SizeBand(models.TextChoices):
    """Statistics-centre bands by employees; derived from ``employees``, never typed."""

    MICRO = "micro", _("micro (1–9)")
    SMALL = "small", _("small (10–49)")
    MEDIUM = "medium", _("medium (50–99)")
    LARGE = "large", _("large (100+)")


def size_band_for(employees: int) -> str:
    if employees < 10:
        return SizeBand.MICRO
    if employees < 50:
        return SizeBand.SMALL
    if employees < 100:
        return SizeBand.MEDIUM
    return SizeBand.LARGE


# The directory's filter columns (see ``enterprises.selectors``).
FILTER_COLUMNS = [
    "province_id",
    "park_id",
    "industry_group_id",
    "isic_division_id",
    "status",
    "size_band",
    "knowledge_based",
    "exporter",
    "published",
]


# Units a business clinic may take on: idle or semi-active, or a semi-finished project
# (under construction, at least 60% built; ``Enterprise.is_semi_finished``).
SEMI_FINISHED_PROGRESS = 60
# A semi-finished project has also recorded no construction progress for a number of months:
# the "semi-finished" indicator's ``stalled_months`` (set by the agency; the indicators
# provide it, ``provide_stalled_months``); this is the number shipped with it.
SEMI_FINISHED_STALLED_MONTHS = 6
_stalled_months: list[Callable[[], int]] = []


def provide_stalled_months(read: Callable[[], int]) -> None:
    """Where the number of months is read from (the indicators, which build on this app)."""
    _stalled_months[:] = [read]


def stalled_months() -> int:
    """How many months without recorded progress make a project semi-finished."""
    return _stalled_months[0]() if _stalled_months else SEMI_FINISHED_STALLED_MONTHS


def stalled_from(day: dt.date, months: int | None = None) -> dt.date:
    """The first day on which progress recorded on ``day`` has stood for ``months`` Jalali
    months (the same day of the month, or the month's last day if it is shorter); the
    agency's number of months unless told."""
    return _stalled_from(day, stalled_months() if months is None else months)


@functools.lru_cache(maxsize=8192)
def _stalled_from(day: dt.date, months: int) -> dt.date:
    j = jdatetime.date.fromgregorian(date=day)
    index = j.year * 12 + j.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return jdatetime.date(year, month, min(j.day, month_length(year, month))).togregorian()


def stalled_by(as_of: dt.date) -> dt.date:
    """The last day progress may have been recorded on for a project to be stalled on
    ``as_of`` (``stalled_from`` of that day is ``as_of`` or earlier)."""
    months = stalled_months()
    j = jdatetime.date.fromgregorian(date=as_of)
    index = j.year * 12 + j.month - 1 - months
    year, month = index // 12, index % 12 + 1
    day = jdatetime.date(year, month, min(j.day, month_length(year, month))).togregorian()
    while stalled_from(day + dt.timedelta(days=1), months) <= as_of:  # a shorter month's end
        day += dt.timedelta(days=1)
    return day


CLINIC_CANDIDATE = models.Q(status__in=["idle", "semi_active"]) | models.Q(
    status="under_construction", construction_progress__gte=SEMI_FINISHED_PROGRESS
)


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=200)
    legal_id = models.CharField(
        _("national ID"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The 11-digit national ID of the legal entity."),
    )
    business_id = models.CharField(
        _("business ID"), max_length=12, blank=True, help_text=_("12 digits.")
    )
    permit_number = models.CharField(_("operating permit number"), max_length=40, blank=True)
    permit_date = models.DateField(_("operating permit date"), null=True, blank=True)
    # No index of their own (``db_index=False``), nor for ``province`` and ``park``: each
    # is the first column of an index of ``Meta.indexes`` (``ent_isic_sort``,
    # ``ent_group_sort``, ``ent_prov_id``, ``ent_park_id``), which answers every lookup by
    # it; a duplicate would only be kept up to date on every write (migration 0012).
    isic_division = models.ForeignKey(
        "sectors.IsicDivision",
        verbose_name=_("ISIC division"),
        on_delete=models.PROTECT,
        db_index=False,
    )
    industry_group = models.ForeignKey(
        "sectors.IndustryGroup",
        verbose_name=_("industry group"),
        on_delete=models.PROTECT,
        db_index=False,
    )
    employees = models.PositiveIntegerField(
        _("employees"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, editable=False)
    construction_progress = models.PositiveSmallIntegerField(
        _("construction progress (%)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    knowledge_based = models.BooleanField(_("knowledge-based"), default=False)
    exporter = models.BooleanField(_("exporter"), default=False)
    products = models.TextField(_("products"), blank=True)
    capabilities = models.TextField(_("capabilities"), blank=True)
    phone = models.CharField(_("office phone"), max_length=20, blank=True)
    mobile = models.CharField(
        _("contact person's mobile"),
        max_length=20,
        blank=True,
        help_text=_("Personal; never shown in the public directory."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    # Current values, kept in step with the dated history by the services.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, editable=False)
    status_since = models.DateField(_("status since"), editable=False)
    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        editable=False,
        db_index=False,
    )
    park = models.ForeignKey(
        "places.Park",
        verbose_name=_("park or zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        editable=False,
        db_index=False,
    )
    published = models.BooleanField(_("published in the public directory"), default=False)
    # Keys derived from the text fields (persian.text): search and Persian sort order.
    search_text = models.TextField(editable=False, default="")
    sort_key = models.CharField(max_length=120, editable=False, default="")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Raised by one at each profile edit (``enterprise_update``): a form carries the version
    # it was opened at, so a stale form is refused instead of reverting a newer edit. A
    # database default too: the demo's bulk COPY writes rows without naming the column.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["sort_key", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(construction_progress__lte=100),
                name="enterprise_progress_lte_100",
            ),
        ]
        # Every directory index ends with the sort (sort_key, id) and, on PostgreSQL,
        # carries the other filter columns (INCLUDE), so a filtered page is an index-only
        # scan that stops after one page; SQLite ignores INCLUDE.
        indexes = [
            # The whole registry in name order also carries what a download of the rows
            # behind a figure lists (``indicators.rows.download_rows``): today's national
            # list is read along it with no row fetched and no sort.
            models.Index(
                fields=["sort_key", "id"],
                name="ent_sort",
                include=[*FILTER_COLUMNS, "name", "status_since", "employees"],
            ),
            *[
                models.Index(fields=[column, "sort_key", "id"], name=name, include=FILTER_COLUMNS)
                for column, name in (
                    ("province", "ent_prov_sort"),
                    ("park", "ent_park_sort"),
                    ("status", "ent_status_sort"),
                    ("industry_group", "ent_group_sort"),
                    ("size_band", "ent_size_sort"),
                    ("isic_division", "ent_isic_sort"),
                )
            ],
            models.Index(fields=["employees", "id"], name="ent_employees"),
            # The API's pages of a place, in id order (its cursor): a province's or a
            # park's units read along the index and stopped after a page.
            models.Index(fields=["province", "id"], name="ent_prov_id"),
            models.Index(fields=["park", "id"], name="ent_park_id"),
            # The two rare flags (knowledge-based ~3% of the units, exporter ~8%), in name
            # order nationally and per province, carrying the other filters: a page of
            # "knowledge-based (or exporter) + province + group + …" is an index-only walk
            # of that province's few thousand flagged units that stops after the page,
            # instead of intersecting bitmaps and rechecking table rows. Small (only the
            # flagged units: ~4 MB and ~11 MB each at 1,000,000 units).
            *[
                models.Index(
                    fields=[*leading, "sort_key", "id"],
                    name=name,
                    condition=models.Q(**{flag: True}),
                    include=FILTER_COLUMNS,
                )
                for flag, leading, name in (
                    ("knowledge_based", [], "ent_kb_sort"),
                    ("exporter", [], "ent_exp_sort"),
                    ("knowledge_based", ["province"], "ent_kb_prov_sort"),
                    ("exporter", ["province"], "ent_exp_prov_sort"),
                )
            ],
            # A business clinic's candidates (idle, semi-active, semi-finished), longest in
            # that state first, in a province and in the country.
            *[
                models.Index(fields=fields, name=name, condition=CLINIC_CANDIDATE)
                for fields, name in (
                    (["province", "status_since", "id"], "ent_cand_prov"),
                    (["status_since", "id"], "ent_cand"),
                )
            ],
            models.Index(
                fields=["sort_key", "id"],
                name="ent_pub_sort",
                condition=models.Q(published=True),
                include=FILTER_COLUMNS,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprise_detail", args=[self.pk])

    def refresh_derived(self) -> None:
        """Recompute what is derived from typed fields (never typed itself)."""
        self.name = normalize(self.name)
        self.size_band = size_band_for(self.employees or 0)
        self.search_text = enterprise_search_text(self.name, self.products, self.capabilities)
        self.sort_key = sort_key(self.name)

    @property
    def is_semi_finished(self) -> bool:
        """A project past 60% construction that is not operating: طرح نیمه‌تمام."""
        return (
            self.status == Status.UNDER_CONSTRUCTION
            and self.construction_progress >= SEMI_FINISHED_PROGRESS
        )


DERIVED_FIELDS = ("name", "size_band", "search_text", "sort_key")


def enterprise_search_text(name: str, products: str = "", capabilities: str = "") -> str:
    """The stored search column: name, products and capabilities as search keys, kept
    apart by '|' so that a search term never spans two of them."""
    parts = [search_key(name), search_key(products), search_key(capabilities)]
    return "|".join(parts)


class StatusEvent(models.Model):
    """A dated change of status, with a reason and an author. Never edited in place
    except by the audited correction service."""

    # No index of its own: ``sev_ent_date`` (enterprise, date, id) answers every lookup by unit.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="status_events", db_index=False
    )
    date = models.DateField(_("date"))
    from_status = models.CharField(
        _("previous status"), max_length=20, choices=Status.choices, blank=True
    )
    to_status = models.CharField(_("new status"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        indexes = [
            models.Index(fields=["enterprise", "date", "id"], name="sev_ent_date"),
            models.Index(fields=["date", "to_status"], name="sev_date_status"),
            # The revivals (``REVIVAL_FROM`` → active, a tenth of the events): a rows page
            # of a year's revivals reads its ids newest first along the first, and those
            # of the few units that have left the place since along the second.
            *[
                models.Index(fields=fields, name=name, include=include, condition=REVIVAL)
                for fields, name, include in (
                    (["date", "id"], "sev_revivals", ["enterprise"]),
                    (["enterprise", "date", "id"], "sev_unit_revivals", []),
                )
            ],
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.from_status or '—'} → {self.to_status} ({self.date})"

    @property
    def is_revival(self) -> bool:
        return self.to_status == Status.ACTIVE and self.from_status in REVIVAL_FROM


class LocationEvent(models.Model):
    """Where an enterprise stands from ``date`` on: a province, and a park or none."""

    # No index of its own: ``lev_ent_date`` (enterprise, date, id) answers every lookup by unit.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="location_events", db_index=False
    )
    date = models.DateField(_("date"))
    province = models.ForeignKey(
        "places.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    park = models.ForeignKey(
        "places.Park",
        verbose_name=_("park or zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The date of the unit's next location event (None: where it stands today): the unit
    # stood here from ``date`` to the day before ``valid_until``. Kept by
    # ``enterprise_move`` in the move's transaction (``location_events_close`` fills it
    # after bulk writes), so "where was it on day d" is an index range.
    valid_until = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("location event")
        verbose_name_plural = _("location events")
        indexes = [
            models.Index(fields=["enterprise", "date", "id"], name="lev_ent_date"),
            # Where the units that have moved since stood on a past date (few rows: only
            # the closed events), by province and by park; with the unit, so that the
            # API's ``as_of`` lists read the ids from the index alone (0.3 ms for the
            # largest province's 2,392 closed events, 4.4 ms through the table).
            models.Index(
                fields=["province", "date"],
                name="lev_closed_prov",
                include=["valid_until", "enterprise"],
                condition=models.Q(valid_until__isnull=False),
            ),
            models.Index(
                fields=["park", "date"],
                name="lev_closed_park",
                include=["valid_until", "enterprise"],
                condition=models.Q(valid_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.province_id}/{self.park_id} ({self.date})"


class MeasureEvent(models.Model):
    """From ``date`` on, the unit has ``employees`` employees and is ``construction_progress``
    per cent built (None: that value did not change on this event). ``Enterprise.employees``
    and ``construction_progress`` are the latest values, written by ``enterprises.services``
    in the same transaction as the event."""

    # No index of its own: ``mev_ent_date`` (enterprise, date, id) answers every lookup by unit.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="measure_events", db_index=False
    )
    date = models.DateField(_("date"))
    employees = models.PositiveIntegerField(
        _("employees"), null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    construction_progress = models.PositiveSmallIntegerField(
        _("construction progress (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("employees or progress event")
        verbose_name_plural = _("employees and progress events")
        indexes = [
            models.Index(fields=["enterprise", "date", "id"], name="mev_ent_date"),
            # A date inside a month (``indicators.facts.partial_month``): the units with a
            # change after it, and the projects whose progress stalls after it.
            models.Index(fields=["date"], name="mev_date"),
            models.Index(
                fields=["date"],
                name="mev_progress_date",
                condition=models.Q(construction_progress__gte=SEMI_FINISHED_PROGRESS),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(construction_progress__lte=100),
                name="measure_progress_lte_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.employees}/{self.construction_progress} ({self.date})"
