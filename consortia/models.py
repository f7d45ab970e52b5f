"""Export consortia (کنسرسیوم صادراتی): at least three registered units that export
together under a promoter, with target markets, each member's export readiness and exports
per Jalali year, and a support ledger held against a cap set per Jalali year. Money in
rials as integers; exports in US dollars as integers."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from persian.text import normalize, search_key

from . import countries

# A consortium must keep at least this many active members (issue 15).
MIN_ACTIVE_MEMBERS = 3
# The yearly support cap when national staff have set none for the year (rials).
DEFAULT_CAP = 3_000_000_000


class Consortium(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="consortia",
    )
    cluster = models.ForeignKey(
        "clusters.Cluster",
        verbose_name=_("cluster"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consortia",
    )
    products = models.CharField(_("products"), max_length=500)
    industry_group = models.ForeignKey(
        "sectors.IndustryGroup",
        verbose_name=_("industry group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    formed_on = models.DateField(_("formed on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_key", "id"]
        verbose_name = _("export consortium")
        verbose_name_plural = _("export consortia")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("consortium_detail", args=[self.pk])

    def refresh_derived(self) -> None:
        self.name = normalize(self.name).strip()
        self.name_key = search_key(self.name)[:200]


class TargetMarket(models.Model):
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="markets")
    country = models.CharField(_("country"), max_length=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consortium", "country"], name="consortium_market_once")
        ]
        indexes = [models.Index(fields=["country"], name="consortium_market")]

    def __str__(self) -> str:
        return countries.name(self.country)


class Member(models.Model):
    """A registered unit in a consortium from ``joined_on`` until ``left_on`` (None: still
    a member). A unit that left and joins again has a second row."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="members")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="consortium_memberships",
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    reason_left = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "enterprise"],
                condition=models.Q(left_on__isnull=True),
                name="consortium_member_once",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="consortium_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consortium} · {self.enterprise}"


def readiness_path(instance: Readiness, filename: str) -> str:
    return f"consortia/{instance.member.consortium_id}/{filename}"


class Readiness(models.Model):
    """A member's export readiness: a dated certificate (kind, number, optional document)
    or an export record."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("certificate")
        EXPORT_RECORD = "export_record", _("export record")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="readiness")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(
        _("certificate or record"),
        max_length=200,
        help_text=_("For example: export card, ISO 9001, standard mark, customs declaration."),
    )
    number = models.CharField(_("number"), max_length=60, blank=True)
    date = models.DateField(_("date"))
    file = models.FileField(upload_to=readiness_path, max_length=300, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    file_type = models.CharField(max_length=10, blank=True)
    size = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class ExportYear(models.Model):
    """A member's exports in one Jalali year, in US dollars (whole dollars)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="exports")
    year = models.PositiveSmallIntegerField(_("Jalali year"))
    amount_usd = models.BigIntegerField(
        _("exports (US dollars)"), validators=[MinValueValidator(0)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="consortium_export_once"),
            models.CheckConstraint(
                condition=models.Q(amount_usd__gte=0), name="consortium_export_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.year}"


class SupportCap(models.Model):
    """The most support one consortium may receive in a Jalali year (rials), set by
    national staff; a year without a row has ``DEFAULT_CAP``."""

    year = models.PositiveSmallIntegerField(_("Jalali year"), unique=True)
    amount = models.BigIntegerField(_("cap (rials)"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="support_cap_positive")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class SupportKind(models.TextChoices):
    FAIR = "fair", _("fair or exhibition")
    MARKET_STUDY = "market_study", _("market study")
    TRADE_MISSION = "trade_mission", _("trade mission")
    BRANDING = "branding", _("branding")
    TRAINING = "training", _("training")
    OTHER = "other", _("other")


class SupportEntry(models.Model):
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="support")
    date = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(editable=False)  # the date's Jalali year
    kind = models.CharField(_("kind"), max_length=20, choices=SupportKind.choices)
    amount = models.BigIntegerField(_("amount (rials)"), validators=[MinValueValidator(1)])
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["consortium", "year"], name="support_year")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="support_positive")
        ]

    def __str__(self) -> str:
        return f"{self.consortium} · {self.get_kind_display()}"
