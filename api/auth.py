"""``Authorization: Bearer <token>``: who is calling. The API then acts as the token's
owner, through the same ``Scope`` and access rules as the pages.

Without the header the call is the public's (``Caller.user`` anonymous) and may read what
the public sees on the site; a header that is there but wrong, a token expired or revoked,
or one whose owner is deactivated answers 401 (never a silent fall back to the public).
A read token used for a write answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import CharField, OuterRef, StringAgg, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from accounts.models import Grant
from accounts.scope import Scope
from persian.jalali import today

from .errors import ApiError
from .models import ApiToken
from .services import hash_secret, token_touch

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    """Who made the call: a token's owner, or the public (``token`` None)."""

    user: Any
    token: ApiToken | None = None

    def __str__(self) -> str:  # ninja's throttles key on str(request.auth)
        return f"token:{self.token.pk}" if self.token else "public"


def _unauthorised(code: str, message: Any) -> ApiError:
    return ApiError(401, code, message)


class TokenAuth(HttpBearer):
    """A ninja security scheme (so the OpenAPI description names it) that lets the public
    through and refuses any token it cannot honour."""

    def __call__(self, request: HttpRequest) -> Caller:
        header = request.headers.get(self.header, "")
        if not header:
            if request.method not in SAFE_METHODS:
                raise _unauthorised("token_required", _("A write needs a read-write token."))
            return Caller(AnonymousUser())
        scheme, _sep, secret = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise _unauthorised(
                "token_invalid", _("Send the token as: Authorization: Bearer <token>.")
            )
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        found = (
            ApiToken.objects.select_related("owner")
            .annotate(owner_grants=_grants_of_owner())
            .filter(key_hash=hash_secret(token))
            .first()
            if len(token) < 200
            else None
        )
        if found is None:
            raise _unauthorised("token_invalid", _("The token is not valid."))
        if found.revoked_at is not None:
            raise _unauthorised("token_revoked", _("The token was revoked."))
        if found.expires_on < today():
            raise _unauthorised("token_expired", _("The token has expired."))
        if not found.owner.is_active:
            raise _unauthorised("token_invalid", _("The token is not valid."))
        if request.method not in SAFE_METHODS and not found.can_write:
            raise ApiError(
                403,
                "token_read_only",
                _("This token may only read; a write needs a read-write token."),
            )
        token_touch(found)
        _keep_scope(found.owner, found.owner_grants)
        return Caller(found.owner, found)


# The owner's grants in force today, read with the token (one round trip instead of two:
# on a loaded machine each waits for a core) as text: "role|kind|place" joined by ";"
# (roles and kinds are slugs; a nation-wide grant has no place).
_SEP, _FIELD = ";", "|"


def _grants_of_owner() -> Subquery:
    grant = Concat(
        "role",
        Value(_FIELD),
        "place_kind",
        Value(_FIELD),
        Coalesce(Cast("place_id", CharField()), Value("")),
        output_field=CharField(),
    )
    return Subquery(
        Grant.objects.live()
        .filter(user_id=OuterRef("owner_id"))
        .order_by()
        .values("user_id")
        .annotate(text=StringAgg(grant, Value(_SEP)))
        .values("text")
    )


def _keep_scope(user: Any, text: str | None) -> None:
    """Keep on the owner the scope ``Scope.of`` would read from their grants, so that it
    makes no query of its own."""
    if not user.is_active:
        return  # refused above; the public's scope is made without a query anyway
    rows = []
    for part in text.split(_SEP) if text else ():
        role, kind, place = part.split(_FIELD)
        rows.append((role, kind, int(place) if place else None))
    user._pishran_scope = Scope.of_grants(user, rows)


def caller_of(request: HttpRequest) -> Any:
    """The person the call acts as (an anonymous user for the public)."""
    return request.auth.user  # type: ignore[attr-defined]
