from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """Who changed what, when: written by ``audit.record`` inside the transaction of the
    change itself, so a change and its record are saved together or not at all.

    ``subject`` is the object whose history the record belongs to (an enterprise for its
    status events), ``target`` the row actually written. ``actor_name`` keeps who acted,
    as they were named then, when ``actor`` is gone."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The actor as named when they acted ("full name (username)"; "" for the system), so a
    # record still says who did it after the account is deleted and ``actor`` is emptied.
    actor_name = models.CharField(_("by (name at the time)"), max_length=500, blank=True)
    action = models.CharField(_("action"), max_length=40)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=40)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=40)
    target_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["subject_type", "subject_id", "-at"], name="audit_subject")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"
