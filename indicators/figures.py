"""Aggregated figures for the national, province and park pages.

Totals over the registry, not rows, so they are public. Computed live with GROUP BY and
cached for a short while (``FIGURES_TTL``); every page shows the moment they were
computed ("as of"). Pre-aggregated indicator facts will replace these queries."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from enterprises.models import OPERATING, Enterprise, SizeBand, Status
from places.models import Park, Province
from sectors.models import IndustryGroup

FIGURES_TTL = 300


def _cached(key: str, compute: Any) -> dict[str, Any]:
    value = cache.get(key)
    if value is None:
        value = {"as_of": timezone.now(), **compute()}
        cache.set(key, value, FIGURES_TTL)
    return value


def _status_counts(qs: Any) -> list[tuple[str, Any, int]]:
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    return [(value, label, counts.get(value, 0)) for value, label in Status.choices]


def _breakdowns(qs: Any) -> dict[str, Any]:
    by_group = dict(qs.values_list("industry_group").annotate(n=Count("id")).order_by())
    by_size = dict(qs.values_list("size_band").annotate(n=Count("id")).order_by())
    return {
        "by_status": _status_counts(qs),
        "by_group": [(g, by_group.get(g.pk, 0)) for g in IndustryGroup.objects.all()],
        "by_size": [(value, label, by_size.get(value, 0)) for value, label in SizeBand.choices],
    }


def national_figures() -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        units = Enterprise.objects.all()
        jobs = units.filter(status__in=OPERATING).aggregate(n=Sum("employees"))["n"] or 0
        parks = Park.objects.aggregate(
            total=Count("id"),
            active=Count("id", filter=Q(is_active=True)),
            zones=Count("id", filter=Q(kind=Park.Kind.ZONE)),
            private=Count("id", filter=Q(ownership=Park.Ownership.PRIVATE)),
        )
        return {
            "units": units.count(),
            "in_parks": units.filter(park__isnull=False).count(),
            "jobs": jobs,
            "semi_finished": units.filter(
                status=Status.UNDER_CONSTRUCTION, construction_progress__gte=60
            ).count(),
            "parks": parks,
            **_breakdowns(units),
        }

    return _cached("figures:national", compute)


def province_table() -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        units = dict(
            Enterprise.objects.values_list("province").annotate(n=Count("id")).order_by()
        )
        active = dict(
            Enterprise.objects.filter(status=Status.ACTIVE)
            .values_list("province").annotate(n=Count("id")).order_by()
        )
        idle = dict(
            Enterprise.objects.filter(status=Status.IDLE)
            .values_list("province").annotate(n=Count("id")).order_by()
        )
        jobs = dict(
            Enterprise.objects.filter(status__in=OPERATING)
            .values_list("province").annotate(n=Sum("employees")).order_by()
        )
        parks = dict(Park.objects.values_list("province").annotate(n=Count("id")).order_by())
        rows = [
            {
                "province": p,
                "parks": parks.get(p.pk, 0),
                "units": units.get(p.pk, 0),
                "active": active.get(p.pk, 0),
                "idle": idle.get(p.pk, 0),
                "jobs": jobs.get(p.pk, 0) or 0,
            }
            for p in Province.objects.all()
        ]
        return {"rows": rows}

    return _cached("figures:provinces", compute)


def province_figures(province: Province) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        units = Enterprise.objects.filter(province=province)
        return {
            "units": units.count(),
            "jobs": units.filter(status__in=OPERATING).aggregate(n=Sum("employees"))["n"] or 0,
            **_breakdowns(units),
        }

    return _cached(f"figures:province:{province.pk}", compute)


def parks_with_counts(qs: Any) -> Any:
    return qs.select_related("province").annotate(
        units=Count("enterprises"),
        active_units=Count("enterprises", filter=Q(enterprises__status=Status.ACTIVE)),
    )


def park_figures(park: Park) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        units = Enterprise.objects.filter(park=park)
        return {
            "units": units.count(),
            "jobs": units.filter(status__in=OPERATING).aggregate(n=Sum("employees"))["n"] or 0,
            **_breakdowns(units),
        }

    return _cached(f"figures:park:{park.pk}", compute)
