from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Seeded(models.Model):
    """Rows a demo seeder wrote: in one run (``command``), the rows of one table (``model``,
    its label) with ids from ``first_id`` to ``last_id``, ``rows`` of them. Written in the
    seeder's own transaction (``demo.seeded.record``); a seeder's ``--force`` deletes
    nothing unless every row it would delete lies in such a range."""

    command = models.CharField(_("command"), max_length=40)
    model = models.CharField(_("table"), max_length=100)
    first_id = models.BigIntegerField(_("first id"))
    last_id = models.BigIntegerField(_("last id"))
    rows = models.BigIntegerField(_("rows"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    # Declared: mypy reads the production settings, where the demo app is not installed.
    objects: models.Manager[Seeded] = models.Manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("demo rows")
        verbose_name_plural = _("demo rows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_id__lte=models.F("last_id")), name="seeded_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.command}: {self.model} {self.first_id}–{self.last_id} ({self.rows})"
