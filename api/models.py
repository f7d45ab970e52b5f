"""Personal API tokens: a person's key to the API (``/api/v1/``), which then acts as them.

Only a hash of the secret is kept (``key_hash``); the secret is shown once, when the token
is created (``api.services.token_create``). ``prefix`` is the secret's first characters, so
that a person can tell their tokens apart and recognise one found in a log.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    READ = "read", _("read only")
    READ_WRITE = "read_write", _("read and write")


class ApiToken(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(
        _("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ
    )
    expires_on = models.DateField(_("expires on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_live(self, today: dt.date) -> bool:
        return self.revoked_at is None and self.expires_on >= today

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE


class IdempotentWrite(models.Model):
    """A create made with an ``Idempotency-Key`` header: the key (per token), a hash of the
    request it came with, and the answer given, so that the same request sent again (a
    retry after a lost answer) gets that answer back instead of creating a second row. The
    row is written in the create's own transaction: a retry racing the first request waits
    for it on the unique key, then reads its answer."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="writes")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField(default=0)
    answer = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_write_token_key"),
        ]

    def __str__(self) -> str:
        return f"{self.token_id}: {self.key}"
