"""The public pages that read figures: national headlines, provinces, parks."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.scope import Scope
from persian.text import search_terms
from places.models import Park, Province

from . import figures


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "indicators/home.html", {"figures": figures.national_figures()})


def province_list(request: HttpRequest) -> HttpResponse:
    return render(request, "indicators/province_list.html", {"table": figures.province_table()})


def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    if "\x00" in code:
        raise Http404
    province = get_object_or_404(Province, code=code.upper())
    parks = figures.parks_with_counts(Park.objects.filter(province=province)).order_by(
        "sort_key", "id"
    )
    context = {
        "province": province,
        "figures": figures.province_figures(province),
        "parks": parks,
        "scope": Scope.of(request.user),
        "link_params": f"province={province.code}",
        "can_create_park": Scope.of(request.user).can_create_parks_in(province.pk),
    }
    return render(request, "indicators/province_detail.html", context)


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
    scope = Scope.of(request.user)
    context = {
        "park": park,
        "figures": figures.park_figures(park),
        "link_params": f"park={park.pk}",
        "can_edit": Park.objects.filter(scope.parks_editable_q(), pk=pk).exists()
        if scope.authenticated
        else False,
    }
    return render(request, "indicators/park_detail.html", context)
