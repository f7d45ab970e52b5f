"""An import of a province's register (``ImportJob``) and the column names a province
uses (``ColumnMapping``), kept to map its next file the same way."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ColumnMapping(models.Model):
    """A province's headers and the fields they fill: {header key: field key}. The row
    without a province is national staff's, for files that name each row's province."""

    province = models.OneToOneField(
        "places.Province",
        verbose_name=_("province"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("column mapping")

    def __str__(self) -> str:
        return f"mapping {self.province_id or 'national'}"


class ImportJob(models.Model):
    class State(models.TextChoices):
        UPLOADED = "uploaded", _("waiting for its columns")
        CHECKING = "checking", _("being checked")
        CHECKED = "checked", _("checked")
        COMMITTING = "committing", _("being imported")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Target(models.TextChoices):
        UNITS = "units", _("industrial units, with their status and location")
        PARKS = "parks", _("parks and zones")

    target = models.CharField(
        _("the file holds"), max_length=5, choices=Target.choices, default=Target.UNITS
    )
    language = models.CharField(max_length=10, default="fa")
    file = models.FileField(upload_to="imports/", max_length=300)
    filename = models.CharField(max_length=150)
    kind = models.CharField(max_length=5)  # "xlsx" or "csv"
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # {field key: column index}
    state = models.CharField(max_length=12, choices=State.choices, default=State.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    problems_count = models.PositiveIntegerField(default=0)
    # The first problems, shown on the page; all of them are in the downloadable report.
    problems = models.JSONField(default=list)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")

    def __str__(self) -> str:
        return f"import #{self.pk} {self.filename}"

    @property
    def busy(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.COMMITTING)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def can_commit(self) -> bool:
        return self.state == self.State.CHECKED and self.problems_count == 0 and self.rows_total > 0
