"""Who a person is, for access: the core's half of scoping.

``Scope.of(user)`` reads the person's grants in force today (once per request, kept on
the user object) and answers which roles they hold over which places. It decides nothing
about any app's rows: each app's ``access`` module does (``accounts.access``), and
``full_q``/``visible_q``/``can`` here only look those rules up. A person's scope is the
union of their grants.

- a superuser, or a person with a national administrator grant, is national;
- a deactivated person, or nobody logged in, has the scope of the public.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q

from . import access
from .roles import NATION, Role


@dataclass(frozen=True)
class Scope:
    authenticated: bool
    national: bool
    # (role, place kind, place id) of every grant in force; the place id is None
    # for a nation-wide grant.
    grants: frozenset[tuple[str, str, int | None]] = frozenset()
    user_id: int | None = None

    @classmethod
    def of(cls, user: Any) -> Scope:
        """The scope of ``user`` (computed once per request and kept on the user)."""
        cached = getattr(user, "_pishran_scope", None)
        if cached is not None:
            return cached
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            scope = cls(False, False)
        else:
            from .models import Grant

            scope = cls.of_grants(
                user,
                Grant.objects.live()
                .filter(user_id=user.pk)
                .values_list("role", "place_kind", "place_id"),
            )
        if getattr(user, "pk", None) is not None:
            user._pishran_scope = scope
        return scope

    @classmethod
    def of_grants(cls, user: Any, rows: Iterable[tuple[str, str, int | None]]) -> Scope:
        """The scope of an active ``user`` holding the live grants ``rows`` (role, place
        kind, place id): the one rule, whoever read the grants."""
        grants = frozenset(
            (role, kind, pk)
            for role, kind, pk in rows
            if kind == NATION or pk is not None  # a place-less grant of a placed role
        )
        national = user.is_superuser or (Role.NATIONAL_ADMIN, NATION, None) in grants
        return cls(True, national, grants, user.pk)

    # --- the grants ---------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for role, _kind, _pk in self.grants)

    def holds(self, *roles: str) -> bool:
        """Whether the person holds any of ``roles`` (anywhere)."""
        return any(role in roles for role, _kind, _pk in self.grants)

    def places(self, role: str, kind: str | None = None) -> frozenset[int]:
        """The ids of the places over which the person holds ``role`` (of ``kind``)."""
        return frozenset(
            pk
            for r, k, pk in self.grants
            if r == role and pk is not None and (kind is None or k == kind)
        )

    # --- the apps' rules ------------------------------------------------------------------
    def full_q(self, model: str | type[models.Model], prefix: str = "") -> Q:
        return access.rules_for(model).full_q(self, prefix)

    def visible_q(self, model: str | type[models.Model], prefix: str = "") -> Q:
        return access.rules_for(model).visible_q(self, prefix)

    def can(self, action: str, obj: Any = None) -> bool:
        """``scope.can("clusters.edit", cluster)``: asks the app's registered rules."""
        label, _, name = action.partition(".")
        return access.rules_for(label).can(self, name, obj)
