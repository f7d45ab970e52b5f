"""Tags for the dashboards' blocks that come from the layers below."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.scope import Scope
from clusters import selectors
from persian import jalali

from ..sources import memo

register = template.Library()


@register.simple_tag
def province_clusters(province: Any, user: Any, limit: int = 15) -> dict[str, Any]:
    """The province page's cluster block (``clusters.selectors.province_clusters``), kept
    per figures version like the figures beside it: every event of the programme
    (``cluster.``: a cluster, a visit or a joint action saved…) starts a new one
    (``IndicatorsConfig.ready``)."""
    scope = Scope.of(user)
    return memo(
        ("province-clusters", province.pk, scope, limit, jalali.today()),
        lambda: selectors.province_clusters(province, user, limit),
    )


@register.filter
def series_rows(series: dict[str, Any]) -> list[tuple[Any, Any]]:
    """A chart's (month, value) pairs: the table that says in text what the chart draws."""
    return list(zip(series.get("x", []), series.get("y", []), strict=False))
