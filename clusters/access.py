"""Who sees and keeps which clusters (registered in ``ClustersConfig``).

National staff keep every cluster, a provincial officer their provinces' clusters, a
development agent the clusters whose agent they are; everyone finds the published
profiles. The agent is chosen by tender: the province or the nation assigns the team,
never the agent; only a national administrator may skip a stage."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.access import Rules, held_q
from accounts.roles import Role
from accounts.scope import Scope


class ClusterRules(Rules):
    label = "clusters"
    model = "clusters.Cluster"

    @staticmethod
    def is_agent(scope: Scope) -> bool:
        return scope.user_id is not None and scope.holds(Role.CLUSTER_AGENT)

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        if scope.national:
            return Q()
        q = held_q(scope, {Role.PROVINCIAL_OFFICER: "province_id"}, prefix)
        if self.is_agent(scope):
            q |= Q(**{f"{prefix}agent_id": scope.user_id})
        return q

    def visible_q(self, scope: Scope, prefix: str = "") -> Q:
        if scope.national:
            return Q()
        return self.full_q(scope, prefix) | Q(**{f"{prefix}published": True})

    def _province_staff(self, scope: Scope, province_id: int) -> bool:
        return scope.national or province_id in scope.places(Role.PROVINCIAL_OFFICER)

    def can_edit(self, scope: Scope, obj: Any = None) -> bool:
        if self._province_staff(scope, obj.province_id):
            return True
        return self.is_agent(scope) and obj.agent_id == scope.user_id

    def can_create(self, scope: Scope, obj: Any = None) -> bool:
        return scope.national or scope.holds(Role.PROVINCIAL_OFFICER)

    def can_assign_team(self, scope: Scope, obj: Any = None) -> bool:
        return self._province_staff(scope, obj.province_id)

    def can_publish(self, scope: Scope, obj: Any = None) -> bool:
        return self.can_assign_team(scope, obj)

    def can_skip_stage(self, scope: Scope, obj: Any = None) -> bool:
        return scope.national

    def can_follow_overdue(self, scope: Scope, obj: Any = None) -> bool:
        """Whether the person answers for some clusters' visits, reports and actions."""
        return self.is_agent(scope) or scope.holds(Role.PROVINCIAL_OFFICER)

    def agents_q(self, scope: Scope) -> Q:
        """The people (``accounts.User`` rows) this person may see named as development
        agents: the agents of the clusters they may find. An unpublished cluster's agent is
        not named to those who may not find the cluster (the directory's agent filter)."""
        return Q(agent_clusters__isnull=False) & self.visible_q(scope, "agent_clusters__")

    def provinces_q(self, scope: Scope) -> Q:
        """Provinces in which this person may register clusters."""
        return Q() if scope.national else Q(pk__in=scope.places(Role.PROVINCIAL_OFFICER))


RULES = ClusterRules()
