"""Reads of people and their grants that depend on nobody's scope (the people pages' own
reads, which do, are in ``people.selectors``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from . import roles
from .models import Grant, User
from .roles import NATION


def people_holding(*role_codes: str, on: dt.date | None = None) -> QuerySet[User]:
    """Active people holding any of ``role_codes`` (anywhere) on ``on`` (today)."""
    holders = Grant.objects.live(on).filter(role__in=role_codes).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holders)


def grants_in_provinces_q(province_ids: frozenset[int] | set[int], prefix: str = "") -> Q:
    """Grants whose place lies in one of ``province_ids`` (whatever its kind)."""
    q = Q(pk__in=[])
    for kind in roles.registered_places():
        q |= Q(
            **{f"{prefix}place_kind": kind.code, f"{prefix}place_id__in": kind.ids_in(province_ids)}
        )
    return q


def national_grants_q() -> Q:
    return Q(place_kind=NATION)
