"""Roles and the places they are granted over: two small registries the apps fill.

A person holds any number of *grants* (``accounts.models.Grant``); each is a role plus the
place it applies to. The place is of the kind the role names: the nation (no place), a
province, a park, an enterprise… Kinds of place are registered by the app that owns the
model (``places`` registers provinces and parks, ``enterprises`` units, ``clusters``
clusters), so this module imports no app above it.

Roles are registered here for the registry's own people, and by later apps beside their
code (a clinic consultant, a bank officer…) with ``register_role``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NATION = ""  # the place kind of a nation-wide grant (no place)


@dataclass(frozen=True)
class PlaceKind:
    """A kind of place a role can be granted over.

    ``model`` is an app label and model name (``"places.Park"``); ``province_field`` is
    the field holding the province a place lies in (``"pk"`` for a province itself), so
    that a provincial officer's authority and the people page of a province can be
    decided for any kind; ``""`` for places that lie in no province (a bank): only
    national staff give roles over them, and no province's page lists them."""

    code: str
    label: str | Promise
    model: str
    province_field: str
    # Fields by which a place is found from what someone types, besides its number (an
    # enterprise's national ID); the people pages look places up this way.
    typed_fields: tuple[str, ...] = ()

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def find(self, typed: str, province_ids: Any) -> models.Model | None:
        """The place of this kind in ``province_ids`` whose number or one of whose
        ``typed_fields`` is ``typed`` (Latin digits); None when there is none."""
        if not self.province_field:
            return None  # in no province: not found through a province
        field = "pk" if self.province_field == "pk" else self.province_field
        places = self.model_class()._default_manager.filter(**{f"{field}__in": province_ids})
        for name in self.typed_fields:
            if found := places.filter(**{name: typed}).first():
                return found
        if typed.isascii() and typed.isdigit() and len(typed) <= 18:
            return places.filter(pk=int(typed)).first()
        return None

    def get(self, pk: int) -> models.Model | None:
        return self.model_class()._default_manager.filter(pk=pk).first()

    def province_of(self, pk: int) -> int | None:
        """The id of the province the place lies in (None when it does not exist, or when
        places of this kind lie in no province)."""
        if not self.province_field:
            return None
        if self.province_field == "pk":
            return pk if self.model_class()._default_manager.filter(pk=pk).exists() else None
        row = (
            self.model_class()
            ._default_manager.filter(pk=pk)
            .values_list(self.province_field, flat=True)
            .first()
        )
        return row

    def ids_in(self, province_ids: Any) -> models.QuerySet:
        """The ids of the places of this kind in ``province_ids`` (a subquery)."""
        if not self.province_field:
            return self.model_class()._default_manager.none().values("pk")
        field = "pk" if self.province_field == "pk" else self.province_field
        return (
            self.model_class()
            ._default_manager.filter(**{f"{field}__in": province_ids})
            .values("pk")
        )


@dataclass(frozen=True)
class RoleSpec:
    """A role: its code (stored on grants), its label, the kind of place it is granted
    over, and whether a provincial officer may hand it out within their own province
    (otherwise only a national administrator may)."""

    code: str
    label: str | Promise
    place: str
    provincial: bool = False


_PLACES: dict[str, PlaceKind] = {}
_ROLES: dict[str, RoleSpec] = {}


def register_place(kind: PlaceKind) -> None:
    _PLACES[kind.code] = kind


def register_role(role: RoleSpec) -> None:
    _ROLES[role.code] = role


def place_kind(code: str) -> PlaceKind | None:
    return _PLACES.get(code)


def role(code: str) -> RoleSpec | None:
    return _ROLES.get(code)


def registered_places() -> list[PlaceKind]:
    return list(_PLACES.values())


def all_roles() -> list[RoleSpec]:
    return list(_ROLES.values())


def role_label(code: str) -> str:
    spec = _ROLES.get(code)
    return str(spec.label) if spec else code


def place_label(kind: str, pk: int | None, *, cache: dict | None = None) -> str:
    """A place as people read it: «قم», «شکوهیه (قم)»… or "the whole country"."""
    if kind == NATION or pk is None:
        return str(_("the whole country"))
    spec = _PLACES.get(kind)
    if spec is None:
        return f"{kind} #{pk}"
    key = (kind, pk)
    if cache is not None and key in cache:
        return cache[key]
    obj = spec.get(pk)
    text = str(obj) if obj is not None else f"#{pk}"
    if cache is not None:
        cache[key] = text
    return text


class Role(models.TextChoices):
    """The registry's own roles (codes stored on grants). Later apps register theirs with
    ``register_role`` in their own ``roles`` module."""

    NATIONAL_ADMIN = "national_admin", _("national administrator")
    PROVINCIAL_OFFICER = "provincial_officer", _("provincial officer")
    PARK_MANAGER = "park_manager", _("park manager")
    ENTERPRISE_OWNER = "enterprise_owner", _("enterprise owner")
    CLUSTER_AGENT = "cluster_agent", _("cluster development agent")


for _spec in (
    RoleSpec(Role.NATIONAL_ADMIN, Role.NATIONAL_ADMIN.label, NATION),
    RoleSpec(Role.PROVINCIAL_OFFICER, Role.PROVINCIAL_OFFICER.label, "province"),
    RoleSpec(Role.PARK_MANAGER, Role.PARK_MANAGER.label, "park", provincial=True),
    RoleSpec(Role.ENTERPRISE_OWNER, Role.ENTERPRISE_OWNER.label, "enterprise", provincial=True),
    # An agent is accredited in a province (chosen by tender); the clusters they keep are
    # the ones whose agent they are (``Cluster.agent``).
    RoleSpec(Role.CLUSTER_AGENT, Role.CLUSTER_AGENT.label, "province", provincial=True),
):
    register_role(_spec)
