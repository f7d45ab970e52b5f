"""Finance referrals (معرفی به بانک): the agency introduces a registered unit to a bank
branch for an instrument and an amount; the bank's officer records the decision and the
money paid. Each referral is a case (``cases``) of the type ``finance_referral``
(``finance/casetype.py``); this model holds what is particular to it. Money is stored in
rials, as integers (a toman is ten rials; forms show both)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Bank(models.Model):
    """A bank the agency introduces units to (reference data, ``finance/data/banks.csv``)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("bank")
        verbose_name_plural = _("banks")

    def __str__(self) -> str:
        return self.name


class Instrument(models.TextChoices):
    WORKING_CAPITAL = "working_capital", _("working-capital loan")
    GUARANTEE = "guarantee", _("bank guarantee")
    GAM = "gam", _("productive-credit certificate (GAM)")
    LEASING = "leasing", _("leasing")
    SUKUK = "sukuk", _("sukuk participation")
    OTHER = "other", _("other")


class Decision(models.TextChoices):
    APPROVED = "approved", _("approved")
    PARTLY = "partly", _("approved in part")
    REFUSED = "refused", _("refused")


class Referral(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="referral")
    bank = models.ForeignKey(
        Bank, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="referrals"
    )
    branch = models.CharField(_("branch"), max_length=120)
    instrument = models.CharField(_("instrument"), max_length=20, choices=Instrument.choices)
    amount_requested = models.BigIntegerField(
        _("amount requested (rials)"), validators=[MinValueValidator(1)]
    )
    # The case's opening day, kept here too (it never changes): a bank's referrals newest
    # first are then read from one index (``ref_bank_new``), not sorted through the cases.
    opened_on = models.DateField(_("introduced on"), editable=False)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reasons = models.CharField(_("reasons"), max_length=500, blank=True)
    amount_granted = models.BigIntegerField(_("amount granted (rials)"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    amount_paid = models.BigIntegerField(_("amount paid (rials)"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The clinic case whose remedy plan asked for the money, when there is one.
    clinic_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("from the clinic case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="finance_referrals",
    )

    class Meta:
        verbose_name = _("finance referral")
        verbose_name_plural = _("finance referrals")
        indexes = [
            models.Index(fields=["bank", "decision"], name="ref_bank"),
            models.Index(fields=["bank", "-opened_on", "-case"], name="ref_bank_new"),
            models.Index(fields=["instrument"], name="ref_instrument"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_requested__gt=0), name="ref_requested_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_granted__isnull=True) | models.Q(amount_granted__gte=0),
                name="ref_granted_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank} · {self.get_instrument_display()}"

    @property
    def days_waiting(self) -> int | None:
        """Days from the introduction to the bank's decision (None: not decided yet)."""
        if self.decided_on is None:
            return None
        return (self.decided_on - self.case.opened_on).days


class AdviserFirm(models.Model):
    """A capital-market adviser (an accredited firm that prepares a company's admission);
    its people hold the adviser role over it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        ordering = ["name"]
        verbose_name = _("capital-market adviser")
        verbose_name_plural = _("capital-market advisers")

    def __str__(self) -> str:
        return self.name


class Market(models.TextChoices):
    SME = "sme", _("Farabourse SME board")
    FARABOURSE = "farabourse", _("Farabourse main market")
    BASE = "base", _("Farabourse base market")
    TSE = "tse", _("Tehran Stock Exchange")


class Listing(models.Model):
    """A unit's file in the capital-market pipeline (a case of the type ``capital_listing``):
    its adviser, the market it aims at and, once admitted, the amount raised."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="listing")
    adviser = models.ForeignKey(
        AdviserFirm,
        verbose_name=_("adviser"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listings",
    )
    market = models.CharField(_("market"), max_length=20, choices=Market.choices, blank=True)
    amount_raised = models.BigIntegerField(_("amount raised (rials)"), null=True, blank=True)

    class Meta:
        verbose_name = _("capital-market file")
        verbose_name_plural = _("capital-market files")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_market_display() or '—'}"


class Certificate(models.Model):
    """A productive-credit certificate («گام»): a named paper with no coupon, issued by an
    agent bank at a registered buyer's request in favour of its registered supplier, for an
    amount and a term of 1 to 12 months. Its holder may keep it to maturity, pass it on
    along the supply chain, or discount it at a bank; every step is a dated
    ``CertificateStep``. ``holder`` is the unit holding it now (None once discounted or
    settled)."""

    class State(models.TextChoices):
        HELD = "held", _("held")
        DISCOUNTED = "discounted", _("discounted at a bank")
        SETTLED = "settled", _("settled at maturity")

    code = models.CharField(_("certificate code"), max_length=40, unique=True)
    bank = models.ForeignKey(
        Bank, verbose_name=_("issuing bank"), on_delete=models.PROTECT, related_name="certificates"
    )
    buyer = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="certificates_bought",
    )
    supplier = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="certificates_supplied",
    )
    amount = models.BigIntegerField(_("amount (rials)"), validators=[MinValueValidator(1)])
    issued_on = models.DateField(_("issued on"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    matures_on = models.DateField(_("matures on"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.HELD)
    holder = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates_held",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("productive-credit certificate")
        verbose_name_plural = _("productive-credit certificates")
        indexes = [
            models.Index(fields=["buyer", "state"], name="gam_buyer"),
            models.Index(fields=["holder", "state"], name="gam_holder"),
            models.Index(fields=["bank", "issued_on"], name="gam_bank"),
            # The list's order: its pages walk this index instead of sorting every
            # certificate joined to its units.
            models.Index(fields=["-issued_on", "-id"], name="gam_listed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(buyer=models.F("supplier")), name="gam_buyer_not_supplier"
            ),
            models.CheckConstraint(
                condition=models.Q(term_months__gte=1, term_months__lte=12), name="gam_term_1_12"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="gam_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.code


class CertificateStep(models.Model):
    class Kind(models.TextChoices):
        ISSUE = "issue", _("issued")
        TRANSFER = "transfer", _("passed on")
        DISCOUNT = "discount", _("discounted")
        MATURITY = "maturity", _("settled at maturity")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    from_holder = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_holder = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bank = models.ForeignKey(
        Bank, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["to_holder", "date"], name="gam_step_to")]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.kind} ({self.date})"
