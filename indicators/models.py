"""Indicators as data, their targets, and the pre-aggregated facts they are read from.

An ``Indicator`` names a figure and says how it is computed (``source`` + ``measure`` +
filters, or the ratio of two other indicators); the code that computes it lives in the
source (``indicators.sources``). ``Fact`` rows are the registry pre-aggregated per Jalali
month: see ``indicators.facts`` and ``docs/indicators.md``.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from enterprises.models import stalled_months
from persian.text import to_persian_digits

from .base import is_flow

# The number of months a semi-finished project has recorded no progress, where a definition
# states it (``Indicator.stalled_months``), and the numbers the agency may set.
MONTHS_PLACEHOLDER = "{months}"
STALLED_MONTHS = (1, 60)

BREAKDOWNS = (
    ("province", _("province")),
    ("park", _("park")),
    ("group", _("industry group")),
    ("size", _("size band")),
    ("status", _("status")),
    ("ownership", _("ownership")),
    # The business clinics' (``indicators.clinics``).
    ("stage", _("case stage")),
    ("cause_primary", _("primary cause")),
    ("cause", _("any cause")),
    # The finance instruments' (``indicators.finance``).
    ("bank", _("bank")),
    ("instrument", _("instrument")),
    ("market", _("market")),
)


class Indicator(models.Model):
    class Kind(models.TextChoices):
        COUNT = "count", _("count")
        SUM = "sum", _("sum")
        RATIO = "ratio", _("ratio of two indicators")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"), help_text=_("In plain words, for anyone."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(
        _("source"), max_length=40, blank=True, help_text=_("A registered source, e.g. registry.")
    )
    measure = models.CharField(
        _("measure"),
        max_length=40,
        blank=True,
        help_text=_("What the source counts or sums: units, jobs, revived, permits, parks."),
    )
    filters = models.JSONField(
        _("filters"),
        default=dict,
        blank=True,
        help_text=_('The rows counted, e.g. {"status": ["active"], "size": ["micro"]}.'),
    )
    numerator = models.ForeignKey(
        "self",
        verbose_name=_("numerator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    denominator = models.ForeignKey(
        "self",
        verbose_name=_("denominator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    breakdowns = models.JSONField(_("allowed breakdowns"), default=list, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    definition_en = models.TextField(_("English definition"), blank=True)
    unit_en = models.CharField(_("English unit"), max_length=40, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    # The "semi-finished" indicator's: how many months without recorded progress make a
    # project at 60% or more semi-finished (``enterprises.models.stalled_months``). Every
    # figure of semi-finished projects and clinic candidates follows it.
    stalled_months = models.PositiveSmallIntegerField(
        _("months without recorded progress"),
        null=True,
        blank=True,
        validators=[MinValueValidator(STALLED_MONTHS[0]), MaxValueValidator(STALLED_MONTHS[1])],
        help_text=_(
            "Semi-finished projects only: a project under construction at 60 per cent or more is "
            "semi-finished once no progress has been recorded for this many months (1 to 60). "
            "Write {months} in the definitions where the number should be stated. Saving a "
            "new number rebuilds the figures."
        ),
    )

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    # Its texts in the page's language: English where the page is English and the indicator
    # has them, Persian otherwise (``name`` stays the Persian one: exports, admin, ``str``).
    def _in_language(self, persian: str, english: str) -> str:
        return english if english and get_language() == "en" else persian

    @property
    def display_name(self) -> str:
        return self._in_language(self.name, self.name_en)

    @property
    def display_definition(self) -> str:
        """The definition in the page's language, with the number of months the agency set
        where it says ``{months}`` (in Persian digits on a Persian page)."""
        text = self._in_language(self.definition, self.definition_en)
        if MONTHS_PLACEHOLDER not in text:
            return text
        months = str(stalled_months())
        return text.replace(
            MONTHS_PLACEHOLDER, months if get_language() == "en" else to_persian_digits(months)
        )

    @property
    def stated_definition(self) -> str:
        """The Persian definition with the number of months stated (exports, the API)."""
        return self.definition.replace(MONTHS_PLACEHOLDER, to_persian_digits(str(stalled_months())))

    @property
    def display_unit(self) -> str:
        return self._in_language(self.unit, self.unit_en)

    @property
    def breakdown_labels(self) -> list[str]:
        """The breakdowns it allows, by their names in the page's language."""
        names = dict(BREAKDOWNS)
        return [str(names.get(key, key)) for key in self.breakdowns]

    @property
    def is_flow(self) -> bool:
        """Counted in a period (revivals, permits) rather than standing at a date."""
        return is_flow(self.source, self.measure)


# The Jalali years a target may be set for.
TARGET_YEARS = (1300, 1499)


class Target(models.Model):
    """What an indicator should reach in a Jalali year, for the country or one province."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty for the whole country."),
    )
    year = models.PositiveSmallIntegerField(
        _("Jalali year"),
        validators=[MinValueValidator(TARGET_YEARS[0]), MaxValueValidator(TARGET_YEARS[1])],
        help_text=_("A Jalali year, e.g. 1404."),
    )
    value = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "province", "year"],
                name="target_unique_province",
                condition=models.Q(province__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="target_unique_country",
                condition=models.Q(province__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class Fact(models.Model):
    """One pre-aggregated cell: the change of a stock (``kind`` s) or a flow count (r, p)
    in one Jalali month (``month`` = year × 12 + month − 1) at one place (``level`` c =
    country, p = province, k = park; ``place`` its id, 0 for the country), for units in
    ``status``, broken down by ``dim`` = ``value`` ('' = total). ``units`` counts units,
    ``jobs`` sums their employees. A stock as of a month end is the sum of its changes
    up to that month. The key is the primary key: no surrogate id to number on every
    rebuild, and the one index serves the pages' reads and the incremental upserts."""

    pk = models.CompositePrimaryKey("level", "place", "kind", "dim", "month", "status", "value")
    kind = models.CharField(max_length=1)
    month = models.IntegerField()
    level = models.CharField(max_length=1)
    place = models.IntegerField()
    status = models.CharField(max_length=20)
    dim = models.CharField(max_length=10)
    value = models.CharField(max_length=40)
    units = models.BigIntegerField(default=0)
    jobs = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind} {self.month} {self.level}{self.place} {self.status} {self.dim}={self.value}"


class RefreshRun(models.Model):
    """One refresh of the facts: how far it got."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20, default="rebuild")
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    step = models.CharField(_("step"), max_length=100, blank=True)
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    steps_total = models.PositiveIntegerField(_("steps in all"), default=0)
    rows = models.BigIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("refresh run")
        verbose_name_plural = _("refresh runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {self.state}"


class FiguresVersion(models.Model):
    """One row: a number that changes whenever a figure may have (facts applied, a rebuild
    swapped in, a cluster stage recorded, an indicator or target edited). Every process
    keeps figures computed for the current number and reads it again at most every
    quarter of a second (``indicators.sources``), so processes that share nothing but the
    database see each other's changes."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("figures version")
        verbose_name_plural = _("figures versions")

    def __str__(self) -> str:
        return str(self.value)


class FactChange(models.Model):
    """A registry change's difference to the facts, written in the change's own
    transaction and applied to the facts once it commits (``indicators.facts``). A full
    rebuild adds the changes it could not see to the table it swaps in, so a change
    saved during a rebuild is not lost; applied rows are deleted by the next rebuild."""

    enterprise_id = models.BigIntegerField(_("enterprise"))
    # JSON text (``indicators.facts._pack``): kept and read back whole, never queried.
    # NULL, not "": no difference known (the rebuild leaves the row to its commit hook).
    diff = models.TextField(_("difference"), null=True, blank=True)  # noqa: DJ001
    applied = models.BooleanField(_("applied"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change to the facts")
        verbose_name_plural = _("changes to the facts")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.created_at:%Y-%m-%d %H:%M:%S}"


class CaseFact(models.Model):
    """The cases pre-aggregated (``indicators.casefacts``): for cases of ``type`` at one
    place (``level`` c/p/k, ``place`` its id, 0 for the country), the change of a stock or
    a flow (``measure``: ``stage`` — the cases at stage ``value``, as +1 on the day a case
    enters it and −1 on the day it leaves; or a flow a source declares, such as
    ``diagnosed`` or ``cause`` = ``value``) on one ``day`` (``gran`` d) and in the Jalali
    month starting on ``day`` (``gran`` m: the sum of that month's days). A stock at the
    end of a day is the sum of the month rows before its month and the day rows of its
    month up to it; ``n`` counts cases (or sums an amount, such as jobs)."""

    # The measure before the place: one province's figure and every province's (a map) each
    # read a contiguous range of the key.
    pk = models.CompositePrimaryKey("type", "measure", "level", "place", "gran", "day", "value")
    type = models.CharField(max_length=30)
    level = models.CharField(max_length=1)
    place = models.IntegerField()
    measure = models.CharField(max_length=40)
    gran = models.CharField(max_length=1)
    day = models.DateField()
    value = models.CharField(max_length=40)
    n = models.BigIntegerField(default=0)

    class Meta:
        # Every province at once (a map, a ranking): the month rows before the date's month
        # and the day rows of its month, whatever the place.
        indexes = [
            models.Index(fields=["type", "measure", "level", "gran", "day"], name="casefact_by_day")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.level}{self.place} {self.measure}={self.value} {self.gran}{self.day}: {self.n}"


class CaseShare(models.Model):
    """One case's contribution to ``CaseFact`` as last applied (the cells and their
    amounts), so that a change applies only its difference."""

    case_id = models.BigIntegerField(primary_key=True)
    rows = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"case {self.case_id}: {len(self.rows)} cells"
