"""Dashboards (country, province, park), the catalogue of indicators, public statistics,
the rows behind a past figure, and the list of parks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from accounts.scope import Scope
from enterprises.models import Enterprise, LocationEvent, SizeBand, Status, StatusEvent
from persian.text import search_terms
from places.models import Park, Province
from sectors.models import IndustryGroup

from . import figures, selectors
from .models import Indicator
from .sources import Place, park_totals

HEADLINES = ("units", "units-active", "units-idle", "jobs", "share-sme-units", "share-sme-jobs",
             "units-in-parks", "revived", "permits", "semi-finished", "parks")


def _indicator(request: HttpRequest, default: str, public_only: bool = False) -> Indicator:
    key = request.GET.get("indicator", "").replace("\x00", "")
    qs = Indicator.objects.select_related("numerator", "denominator")
    if public_only:
        qs = qs.filter(is_public=True)
    return qs.filter(key=key).first() or qs.filter(key=default).first() or qs.first()  # type: ignore[return-value]


def _headline(place: Place, as_of: dt.date, province: Province | None, public_only: bool = False
              ) -> list[selectors.Card]:
    available = {i.key: i for i in selectors.indicators_for(place, public_only)}
    chosen = [available[k] for k in HEADLINES if k in available]
    return selectors.cards(chosen, place, as_of, province.pk if province else None,
                           province.code if province else "")


def _breakdowns(place: Place, as_of: dt.date, province_code: str = "") -> dict[str, Any]:
    found = {i.key: i for i in Indicator.objects.filter(key__in=["units-operating", "units"])}
    operating = found.get("units-operating")
    if operating is None:
        return {}
    groups = selectors.breakdown(operating, place, as_of, "group")
    sizes = selectors.breakdown(operating, place, as_of, "size")
    statuses_indicator = found.get("units")
    statuses = (
        selectors.breakdown(statuses_indicator, place, as_of, "status") if statuses_indicator
        else {}
    )

    def link(indicator: Indicator | None, **narrow: str) -> str:
        if indicator is None:
            return ""
        return selectors.rows_link(indicator, place, as_of, province_code, **narrow)

    all_groups = list(IndustryGroup.objects.all())
    return {
        "by_status": [(label, statuses.get(value, 0), link(statuses_indicator, status=value))
                      for value, label in Status.choices],
        "by_group": [(g.name_fa, groups.get(str(g.pk), 0), link(operating, group=g.key))
                     for g in all_groups],
        "by_size": [(label, sizes.get(value, 0), link(operating, size=value))
                    for value, label in SizeBand.choices],
    }


def _ranking(indicator: Indicator, as_of: dt.date) -> list[dict[str, Any]]:
    values = selectors.by_province(indicator, as_of)
    rows = [
        {"province": p, "value": values.get(p.pk, 0 if indicator.kind != "ratio" else None),
         "link": selectors.rows_link(indicator, Place("p", p.pk), as_of, p.code)}
        for p in Province.objects.all()
    ]
    rows.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0)))  # type: ignore[operator]
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def _map(indicator: Indicator, ranking: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    query = "" if as_of == selectors.today() else "?as_of=" + selectors.format_date(
        as_of, persian_digits=False)
    return {
        "label": indicator.name,
        "values": {r["province"].code: float(r["value"]) if r["value"] is not None else None
                   for r in ranking},
        "links": {r["province"].code: reverse("province_detail", args=[r["province"].code])
                  + query for r in ranking},
    }


def home(request: HttpRequest) -> HttpResponse:
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    place = selectors.country()
    chosen = _indicator(request, "units-active")
    ranking = _ranking(chosen, as_of)
    context = {
        "as_of": as_of,
        "as_of_error": as_of_error,
        "cards": _headline(place, as_of, None),
        "chosen": chosen,
        "choices": selectors.indicators_for(Place("p", 0)),
        "ranking": ranking,
        "map_data": _map(chosen, ranking, as_of),
        "series": selectors.chart_series(chosen, place, as_of),
        **_breakdowns(place, as_of),
    }
    return render(request, "indicators/home.html", context)


def province_list(request: HttpRequest) -> HttpResponse:
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    chosen = _indicator(request, "units-active")
    context = {
        "as_of": as_of,
        "as_of_error": as_of_error,
        "chosen": chosen,
        "choices": selectors.indicators_for(Place("p", 0)),
        "ranking": _ranking(chosen, as_of),
    }
    return render(request, "indicators/province_list.html", context)


def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    if "\x00" in code:
        raise Http404
    province = get_object_or_404(Province, code=code.upper())
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    place = Place("p", province.pk)
    chosen = _indicator(request, "units-active")
    parks = list(Park.objects.filter(province=province).order_by("sort_key", "id"))
    counts = park_totals([p.pk for p in parks], as_of)
    for park in parks:
        park.units = sum(counts[park.pk].values())  # type: ignore[attr-defined]
        park.active_units = counts[park.pk].get(Status.ACTIVE, 0)  # type: ignore[attr-defined]
    scope = Scope.of(request.user)
    context = {
        "province": province,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "cards": _headline(place, as_of, province),
        "chosen": chosen,
        "choices": selectors.indicators_for(place),
        "series": selectors.chart_series(chosen, place, as_of),
        "parks": parks,
        "scope": scope,
        "can_create_park": scope.can_create_parks_in(province.pk),
        **_breakdowns(place, as_of, province.code),
    }
    return render(request, "indicators/province_detail.html", context)


def province_report(request: HttpRequest, code: str) -> HttpResponse:
    """The province's figures on paper: every indicator with its target, the breakdowns and
    the parks (print stylesheet; the browser prints it)."""
    if "\x00" in code:
        raise Http404
    province = get_object_or_404(Province, code=code.upper())
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    place = Place("p", province.pk)
    indicators = selectors.indicators_for(place)
    parks = list(Park.objects.filter(province=province).order_by("sort_key", "id"))
    counts = park_totals([p.pk for p in parks], as_of)
    for park in parks:
        park.units = sum(counts[park.pk].values())  # type: ignore[attr-defined]
        park.active_units = counts[park.pk].get(Status.ACTIVE, 0)  # type: ignore[attr-defined]
    context = {
        "province": province,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "cards": selectors.cards(indicators, place, as_of, province.pk, province.code),
        "parks": parks,
        **_breakdowns(place, as_of, province.code),
    }
    return render(request, "indicators/province_report.html", context)


def park_list(request: HttpRequest) -> HttpResponse:
    parks = Park.objects.all()

    def get(name: str) -> str:
        return request.GET.get(name, "").replace("\x00", "").strip()

    province, kind, ownership, q = get("province").upper(), get("kind"), get("ownership"), get("q")
    if province:
        parks = parks.filter(province__code=province)
    if kind in Park.Kind.values:
        parks = parks.filter(kind=kind)
    if ownership in Park.Ownership.values:
        parks = parks.filter(ownership=ownership)
    for term in search_terms(q):
        parks = parks.filter(name_key__contains=term)
    paginator = Paginator(figures.parks_with_counts(parks).order_by("sort_key", "id"), 50)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "provinces": Province.objects.all(),
        "kinds": Park.Kind.choices,
        "ownerships": Park.Ownership.choices,
        "filters": {"province": province, "kind": kind, "ownership": ownership, "q": q},
        "scope": Scope.of(request.user),
    }
    return render(request, "indicators/park_list.html", context)


def park_detail(request: HttpRequest, pk: int) -> HttpResponse:
    park = get_object_or_404(Park.objects.select_related("province"), pk=pk)
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    place = Place("k", park.pk)
    scope = Scope.of(request.user)
    chosen = _indicator(request, "units-active")
    context = {
        "park": park,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "cards": _headline(place, as_of, None),
        "chosen": chosen,
        "choices": selectors.indicators_for(place),
        "series": selectors.chart_series(chosen, place, as_of),
        "can_edit": Park.objects.filter(scope.parks_editable_q(), pk=pk).exists()
        if scope.authenticated
        else False,
        **_breakdowns(place, as_of),
    }
    return render(request, "indicators/park_detail.html", context)


def catalogue(request: HttpRequest) -> HttpResponse:
    indicators = Indicator.objects.select_related("numerator", "denominator")
    return render(request, "indicators/catalogue.html", {"indicators": indicators})


def stats(request: HttpRequest) -> HttpResponse:
    """Public statistics: the public indicators, aggregated, nothing about any one unit."""
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    chosen = _indicator(request, "units-active", public_only=True)
    place = selectors.country()
    context = {
        "as_of": as_of,
        "as_of_error": as_of_error,
        "cards": _headline(place, as_of, None, public_only=True),
        "chosen": chosen,
        "choices": selectors.indicators_for(Place("p", 0), public_only=True),
        "ranking": _ranking(chosen, as_of) if chosen else [],
    }
    return render(request, "indicators/stats.html", context)


def indicator_rows(request: HttpRequest, key: str) -> HttpResponse:
    """The units a registry figure counted on a date: each unit's status and place that day,
    read from its history; only the rows the person may see (``Scope``)."""
    indicator = get_object_or_404(Indicator, key=key.replace("\x00", ""), source="registry",
                                  measure__in=["units", "jobs"])
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    status_then = StatusEvent.objects.filter(enterprise=OuterRef("pk"), date__lte=as_of).order_by(
        "-date", "-id")
    location_then = LocationEvent.objects.filter(
        enterprise=OuterRef("pk"), date__lte=as_of).order_by("-date", "-id")
    units = Enterprise.objects.filter(Scope.of(request.user).enterprises_visible_q()).annotate(
        status_then=Subquery(status_then.values("to_status")[:1]),
        province_then=Subquery(location_then.values("province_id")[:1]),
        park_then=Subquery(location_then.values("park_id")[:1]),
    )
    f = indicator.filters
    if f.get("status"):
        units = units.filter(status_then__in=f["status"])
    else:
        units = units.filter(status_then__isnull=False)
    if f.get("size"):
        units = units.filter(size_band__in=f["size"])
    if f.get("semi_finished"):
        units = units.filter(construction_progress__gte=60)
    if "in_park" in f:
        units = units.filter(park_then__isnull=not f["in_park"])
    province = None
    code = request.GET.get("province", "").replace("\x00", "").strip().upper()
    if code:
        province = get_object_or_404(Province, code=code)
        units = units.filter(province_then=province.pk)
    park_id = request.GET.get("park", "")
    if park_id:
        if not (park_id.isascii() and park_id.isdecimal() and int(park_id) < 2**63):
            raise Http404
        units = units.filter(park_then=int(park_id))
    for name, field in (("status", "status_then"), ("size", "size_band"),
                        ("group", "industry_group__key")):
        value = request.GET.get(name, "").replace("\x00", "").strip()
        if value:
            units = units.filter(**{field: value})
    paginator = Paginator(units.order_by("sort_key", "id"), 50)
    page = paginator.get_page(request.GET.get("page"))
    names = dict(Province.objects.values_list("pk", "name_fa"))
    labels = dict(Status.choices)
    rows = [(u, labels.get(u.status_then, u.status_then), names.get(u.province_then, ""))  # type: ignore[attr-defined]
            for u in page]
    context = {
        "rows": rows,
        "indicator": indicator,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "province": province,
        "page": page,
    }
    return render(request, "indicators/rows.html", context)
