"""Counts shown beside the list of parks (current, live: a page of parks at a time)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from enterprises.models import Status


def parks_with_counts(qs: Any) -> Any:
    return qs.select_related("province").annotate(
        units=Count("enterprises"),
        active_units=Count("enterprises", filter=Q(enterprises__status=Status.ACTIVE)),
    )
