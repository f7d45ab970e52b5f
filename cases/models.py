"""Cases: a unit of the registry taken through the stages of a case type (``cases.types``),
with its dated history, the person it is assigned to, the office (province) that holds it,
due dates and follow-ups, notes and documents.

``Case.stage``, ``stage_since``, ``province``, ``assignee`` and ``closed_on`` are the
*current* values; they change only through ``cases.services``, in the same transaction as
the ``CaseEvent`` that records the change. Every event carries the case's whole state after
it (stage, province, assignee), so the state on any past date is the latest event on or
before it (``cases.selectors.counts_by_stage``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import types


class Case(models.Model):
    type = models.CharField(_("case type"), max_length=30)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # The office that holds the case (its province); a transfer moves it.
    province = models.ForeignKey(
        "places.Province", verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=30)
    stage_since = models.DateField(_("in this stage since"))
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # From the type (``CaseType.one_open_per_unit``): at most one such case open per unit.
    exclusive = models.BooleanField(default=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        indexes = [
            # A province's cases newest first, all of them or the open ones: the order is
            # read from the index, so a page stops after its rows. (PostgreSQL does not
            # read an order through ``closed_on IS NULL`` on a column in between: the open
            # ones have their own partial index.)
            models.Index(fields=["type", "province", "-opened_on", "-id"], name="case_prov"),
            models.Index(
                fields=["type", "province", "-opened_on", "-id"],
                name="case_prov_open",
                condition=models.Q(closed_on__isnull=True),
            ),
            # A type's cases newest first across the country (national staff's finance
            # referrals and capital-market files): the page stops after its rows.
            models.Index(fields=["type", "-opened_on", "-id"], name="case_type_new"),
            # An office's cases in id order (the API's cursor), as of a past date.
            models.Index(fields=["province", "id"], name="case_prov_id"),
            models.Index(fields=["assignee", "closed_on", "due_on"], name="case_assignee"),
            models.Index(fields=["type", "stage"], name="case_stage"),
            models.Index(fields=["enterprise", "type"], name="case_unit"),
        ]
        constraints = [
            # One open case of an exclusive type per unit (a closed one may be followed by
            # another; a unit may have several finance referrals at once).
            models.UniqueConstraint(
                fields=["enterprise", "type"],
                condition=models.Q(closed_on__isnull=True, exclusive=True),
                name="case_one_open_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type.label} #{self.pk}"

    def get_absolute_url(self) -> str:
        """The case's own page, kept by its type's app: the route ``<type>_case``."""
        return reverse(f"{self.type}_case", args=[self.pk])

    @property
    def case_type(self) -> types.CaseType:
        return types.get(self.type)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def stage_label(self) -> str:
        return self.case_type.stage_label(self.stage)


class CaseEvent(models.Model):
    """A dated step of a case's history and the case's whole state after it."""

    class Kind(models.TextChoices):
        OPEN = "open", _("opened")
        STAGE = "stage", _("stage changed")
        ASSIGN = "assign", _("assigned")
        TRANSFER = "transfer", _("transferred")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    from_stage = models.CharField(_("previous stage"), max_length=30, blank=True)
    stage = models.CharField(_("stage"), max_length=30)
    province = models.ForeignKey(
        "places.Province", verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_name = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["case", "date", "id"], name="cev_case_date"),
            # The transfers after a date: the cases whose office then is not today's.
            models.Index(fields=["date"], name="cev_transfer", condition=models.Q(kind="transfer")),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_stage or '—'} → {self.stage} ({self.date})"

    @property
    def stage_label(self) -> str:
        return self.case.case_type.stage_label(self.stage)

    @property
    def from_stage_label(self) -> str:
        return self.case.case_type.stage_label(self.from_stage) if self.from_stage else ""


class FollowUp(models.Model):
    """Something due on a case on a date: a scheduled check or a reminder."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due on"))
    # A code the case type understands (a clinic's "sustain_6"), or "" for a reminder.
    kind = models.CharField(_("kind"), max_length=30, blank=True)
    title = models.CharField(_("what is due"), max_length=200)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"], name="fu_due")]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on})"


class Note(models.Model):
    """A consultant's or officer's note on a case; never shown to the unit's owner."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


def document_path(instance: CaseDocument, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class CaseDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=document_path, max_length=300)
    original_name = models.CharField(max_length=200)
    file_type = models.CharField(max_length=10)  # pdf, docx, xlsx (checked from content)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title
