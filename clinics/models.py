"""Business clinics (کلینیک کسب‌وکار): what a clinic case holds besides the case mechanism's
history (``cases``): the diagnosis (عارضه‌یابی) with its causes, the remedy plan, and each
revival with the registry status event it wrote and whether it held.

The clinic case type itself (stages, transitions, what each stage requires, the revival
written on entering "revived") is declared in ``clinics.casetype``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Cause(models.TextChoices):
    WORKING_CAPITAL = "working_capital", _("working capital")
    OTHER_FINANCE = "other_finance", _("other finance (guarantees, loans)")
    LEGAL = "legal", _("legal")
    MANAGEMENT = "management", _("management")
    MARKET = "market", _("market and sales")
    RAW_MATERIALS = "raw_materials", _("raw materials")
    TAX_INSURANCE = "tax_insurance", _("tax and insurance")
    TECHNOLOGY = "technology", _("technology and equipment")
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
    PARTNERS = "partners", _("partners' disputes")
    OTHER = "other", _("other")


class Diagnosis(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="diagnosis")
    date = models.DateField(_("diagnosed on"))
    finding = models.TextField(_("finding"), max_length=2000)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.date}"

    @property
    def primary(self) -> str | None:
        for c in self.causes.all():
            if c.primary:
                return c.cause
        return None


class DiagnosisCause(models.Model):
    diagnosis = models.ForeignKey(Diagnosis, on_delete=models.CASCADE, related_name="causes")
    cause = models.CharField(_("cause"), max_length=30, choices=Cause.choices)
    primary = models.BooleanField(_("primary cause"), default=False)

    class Meta:
        ordering = ["-primary", "cause"]
        constraints = [
            models.UniqueConstraint(fields=["diagnosis", "cause"], name="clinic_cause_once"),
            models.UniqueConstraint(
                fields=["diagnosis"], condition=models.Q(primary=True), name="clinic_one_primary"
            ),
        ]
        indexes = [models.Index(fields=["cause", "primary"], name="clinic_cause")]

    def __str__(self) -> str:
        return self.get_cause_display()


class RemedyAction(models.Model):
    class Kind(models.TextChoices):
        FINANCE_REFERRAL = "finance_referral", _("finance referral")
        ADVICE = "advice", _("advice")
        OBSTACLE = "obstacle", _("removing an administrative obstacle")
        TRAINING = "training", _("training")
        MARKET_ACCESS = "market_access", _("market access")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="remedy_actions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("action"), max_length=300)
    owner = models.CharField(_("who does it"), max_length=120)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("remedy action")
        verbose_name_plural = _("remedy actions")

    def __str__(self) -> str:
        return self.description


class Revival(models.Model):
    """A clinic case closed as revived: the registry's status event it wrote (or linked,
    when the registry already recorded it), the jobs it restored, and whether it held at
    3, 6 and 12 months (``not_sustained_on``: the day the unit was found idle or closed
    again)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="revivals")
    status_event = models.ForeignKey(
        "enterprises.StatusEvent", on_delete=models.PROTECT, related_name="clinic_revivals"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="clinic_revivals"
    )
    date = models.DateField(_("revived on"))
    jobs = models.PositiveIntegerField(_("jobs restored"), default=0)
    opened_on = models.DateField(_("case opened on"))
    not_sustained_on = models.DateField(_("not sustained from"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date"], name="clinic_revival_date")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.date}"

    @property
    def days_to_revival(self) -> int:
        return (self.date - self.opened_on).days
