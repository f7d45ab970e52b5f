"""Tags for the cluster blocks other pages include (home page). The province page's block
is kept per figures version, so its tag is the indicators' (``indicators/templatetags/
dashboards.py``), over ``clusters.selectors.province_clusters``."""

from __future__ import annotations

from typing import Any

from django import template

from clusters import selectors

register = template.Library()


@register.simple_tag
def overdue_for(user: Any) -> list[selectors.Overdue]:
    return selectors.overdue_for(user)
