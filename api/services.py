"""Writes of API tokens, each audited in its transaction (the record belongs to the owner,
so their page's change history shows it)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from persian.jalali import today

from .models import ApiToken, TokenScope

TOKEN_PREFIX = "pishran_"
MAX_LIFETIME = dt.timedelta(days=365)  # a token expires at most a year after it is made


def hash_secret(secret: str) -> str:
    """SHA-256 of the whole token. A fast hash is enough here (unlike for passwords): the
    secret is 256 random bits, so there is nothing to guess, and a hash lets the token be
    found by one indexed lookup."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _validate(name: str, scope: str, expires_on: dt.date | None) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the token a name, to tell it apart from your others.")
    if scope not in TokenScope.values:
        errors["scope"] = _("Choose read only, or read and write.")
    day = today()
    if expires_on is None:
        errors["expires_on"] = _("A token needs an expiry date.")
    elif expires_on <= day:
        errors["expires_on"] = _("The expiry date must be after today.")
    elif expires_on > day + MAX_LIFETIME:
        errors["expires_on"] = _("A token may last at most a year.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def token_create(
    *, actor: Any, name: str, scope: str, expires_on: dt.date | None
) -> tuple[ApiToken, str]:
    """A new token of ``actor``'s own, and its secret: the only time the secret exists
    outside the request that presents it (only its hash is kept)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ValidationError({"name": _("Log in to create a token.")})
    _validate(name, scope, expires_on)
    assert expires_on is not None  # _validate refuses a missing date
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        owner=actor,
        name=name.strip(),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        key_hash=hash_secret(secret),
        scope=scope,
        expires_on=expires_on,
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        action="token_create",
        target=token,
        subject=actor,
        changes={
            "name": ["", token.name],
            "scope": ["", token.scope],
            "expires_on": ["", token.expires_on.isoformat()],
        },
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke one of ``actor``'s own tokens (from then on it answers 401). Revoking a
    revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.owner_id != actor.pk:
        raise ValidationError({"token": _("This token is not yours.")})
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="token_revoke",
        target=token,
        subject=actor,
        changes={"revoked_at": ["", token.revoked_at.isoformat()]},
    )
    return token


def token_touch(token: ApiToken) -> None:
    """Note that the token was used: at most once a minute, so that a busy integration does
    not write a row on every call. Not audited: it is a reading, not a change."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
