"""The one scoping layer: what each person may see and change.

Every view, selector and export asks a ``Scope`` rather than looking at roles itself, so
a permission is decided here once and tested here for every role. Later modules (clusters,
clinics, finance) add their own ``*_q`` methods beside these.

- national administrator: everything;
- provincial officer: everything in their province; others' published directory only;
- park manager: the units in their parks; others' published directory only;
- enterprise owner: their own enterprises; others' published directory only;
- cluster development agent: the clusters whose agent they are; like the public elsewhere;
- anonymous public: the published directory fields only.

A row outside someone's scope is answered with 404, never 403, so nobody learns that a
hidden row exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from .models import Role


@dataclass(frozen=True)
class Scope:
    authenticated: bool
    national: bool
    role: str
    province_ids: frozenset[int]
    park_ids: frozenset[int]
    enterprise_ids: frozenset[int]
    user_id: int | None = None

    @classmethod
    def of(cls, user: Any) -> Scope:
        """The scope of ``user`` (computed once per request and kept on the user)."""
        cached = getattr(user, "_pishran_scope", None)
        if cached is not None:
            return cached
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            scope = cls(False, False, "", frozenset(), frozenset(), frozenset())
        else:
            national = user.is_superuser or user.role == Role.NATIONAL_ADMIN
            provinces = (
                frozenset({user.province_id})
                if user.role == Role.PROVINCIAL_OFFICER and user.province_id
                else frozenset()
            )
            parks = (
                frozenset(user.parks.values_list("id", flat=True))
                if user.role == Role.PARK_MANAGER
                else frozenset()
            )
            owned = (
                frozenset(user.owned_enterprises.values_list("id", flat=True))
                if user.role == Role.ENTERPRISE_OWNER
                else frozenset()
            )
            scope = cls(True, national, user.role, provinces, parks, owned, user.pk)
        if getattr(user, "pk", None) is not None:
            user._pishran_scope = scope
        return scope

    # --- staff ------------------------------------------------------------------
    @property
    def is_staff_role(self) -> bool:
        """National, provincial or park staff: people who keep the registry."""
        return self.national or bool(self.province_ids) or bool(self.park_ids)

    def own_page(self) -> tuple[str, int]:
        """What this person answers for and opens first: ("province", id) for a provincial
        officer, ("park", id) for a park manager (the first of their parks), ("enterprise",
        id) for an owner (their first unit), ("clusters", 0) for a cluster agent, ("", 0)
        for the national view (and anyone else)."""
        if self.national:
            return "", 0
        if self.province_ids:
            return "province", min(self.province_ids)
        if self.park_ids:
            return "park", min(self.park_ids)
        if self.enterprise_ids:
            return "enterprise", min(self.enterprise_ids)
        if self.role == Role.CLUSTER_AGENT:
            return "clusters", 0
        return "", 0

    @property
    def keeps_some_units(self) -> bool:
        """Staff and owners: people for whom some units show their private fields (a
        download of the directory carries those columns only for them)."""
        return self.is_staff_role or bool(self.enterprise_ids)

    # --- enterprises ---------------------------------------------------------------
    def enterprises_full_q(self, prefix: str = "") -> Q:
        """Enterprises whose every field (national ID, personal contact, history) this
        person may see and edit."""
        if self.national:
            return Q()
        q = Q(pk__in=[])
        if self.province_ids:
            q |= Q(**{f"{prefix}province_id__in": self.province_ids})
        if self.park_ids:
            q |= Q(**{f"{prefix}park_id__in": self.park_ids})
        if self.enterprise_ids:
            q |= Q(**{f"{prefix}id__in": self.enterprise_ids})
        return q

    def enterprises_visible_q(self, prefix: str = "") -> Q:
        """Enterprises this person may find at all: their full scope plus the published
        directory (public fields only)."""
        if self.national:
            return Q()
        return self.enterprises_full_q(prefix) | Q(**{f"{prefix}published": True})

    def can_change_status(self) -> bool:
        """Owners keep their profile; the status history is kept by staff."""
        return self.is_staff_role

    # --- parks -----------------------------------------------------------------------
    def parks_editable_q(self) -> Q:
        if self.national:
            return Q()
        q = Q(pk__in=[])
        if self.province_ids:
            q |= Q(province_id__in=self.province_ids)
        if self.park_ids:
            q |= Q(pk__in=self.park_ids)
        return q

    def can_create_parks(self) -> bool:
        return self.national or bool(self.province_ids)

    def can_create_parks_in(self, province_id: int) -> bool:
        return self.national or province_id in self.province_ids

    def can_relocate_park(self, park: Any) -> bool:
        """Who may change the province a park belongs to (not its own manager)."""
        return self.can_create_parks_in(park.province_id)

    def provinces_for_parks_q(self) -> Q:
        """Provinces in which this person may register or keep parks."""
        return Q() if self.national else Q(pk__in=self.province_ids)

    def provinces_for_enterprises_q(self) -> Q:
        """Provinces in which this person may register or move enterprises."""
        if self.national:
            return Q()
        return Q(pk__in=self.province_ids) | Q(parks__in=self.park_ids)

    @property
    def must_place_units_in_parks(self) -> bool:
        """Park managers keep units inside their parks: never outside any park."""
        return not (self.national or self.province_ids)

    def can_create_enterprises(self) -> bool:
        return self.is_staff_role

    # --- clusters ----------------------------------------------------------------------
    @property
    def is_cluster_agent(self) -> bool:
        return self.role == Role.CLUSTER_AGENT and self.user_id is not None

    def clusters_full_q(self, prefix: str = "") -> Q:
        """Clusters whose whole record (documents, budgets, team contacts, history) this
        person may see and keep: national staff all, an officer their province's, an agent
        the clusters whose agent they are."""
        if self.national:
            return Q()
        q = Q(pk__in=[])
        if self.province_ids:
            q |= Q(**{f"{prefix}province_id__in": self.province_ids})
        if self.is_cluster_agent:
            q |= Q(**{f"{prefix}agent_id": self.user_id})
        return q

    def clusters_visible_q(self, prefix: str = "") -> Q:
        """Clusters this person may find: their full scope plus the published profiles."""
        if self.national:
            return Q()
        return self.clusters_full_q(prefix) | Q(**{f"{prefix}published": True})

    def can_edit_cluster(self, cluster: Any) -> bool:
        if self.national or cluster.province_id in self.province_ids:
            return True
        return self.is_cluster_agent and cluster.agent_id == self.user_id

    def can_create_clusters(self) -> bool:
        return self.national or bool(self.province_ids)

    def provinces_for_clusters_q(self) -> Q:
        """Provinces in which this person may register clusters."""
        return Q() if self.national else Q(pk__in=self.province_ids)

    def can_assign_cluster_team(self, cluster: Any) -> bool:
        """The agent is chosen by tender: the province or the nation assigns them, not
        the agent themselves."""
        return self.national or cluster.province_id in self.province_ids

    def can_skip_stage(self) -> bool:
        """Stages are taken in order; only a national administrator may skip one."""
        return self.national

    def can_publish_cluster(self, cluster: Any) -> bool:
        return self.can_assign_cluster_team(cluster)
