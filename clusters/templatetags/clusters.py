"""Tags for the cluster blocks other pages include (home page, province page)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.scope import Scope
from clusters import selectors
from clusters.models import Cluster
from indicators.sources import memo
from persian import jalali

register = template.Library()


@register.simple_tag
def overdue_for(user: Any) -> list[selectors.Overdue]:
    return selectors.overdue_for(user)


@register.simple_tag
def province_clusters(province: Any, user: Any, limit: int = 15) -> dict[str, Any]:
    """The clusters of ``province`` this person may find, with the overdue ones marked
    (for the people who keep them). Kept per figures version, like the figures beside it:
    every event of the programme starts a new one (``IndicatorsConfig``)."""
    scope = Scope.of(user)

    def compute() -> dict[str, Any]:
        visible = Cluster.objects.filter(scope.clusters_visible_q(), province=province)
        overdue_ids = {
            o.cluster.pk
            for o in selectors.overdue_in(
                Cluster.objects.filter(scope.clusters_full_q(), province=province)
            )
        }
        clusters = sorted(visible[:500], key=lambda c: (c.pk not in overdue_ids, c.sort_key))
        return {"clusters": clusters[:limit], "total": visible.count(), "overdue_ids": overdue_ids}

    return memo(("province-clusters", province.pk, scope, limit, jalali.today()), compute)
