"""URLs for the directory benchmark: the product's own URLs plus the naive baseline.

The baseline is the directory as a first version would write it: ``icontains`` on the
name and products, Django's Paginator (OFFSET pagination and an exact COUNT), ordered by
the raw name column. It renders the same template through the same middleware, so the
two differ only in how they query."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import include, path

from accounts.scope import Scope
from enterprises.models import SizeBand, Status
from enterprises.selectors import DirectoryPage, DirectoryQuery, enterprises_visible_to
from places.models import Province
from sectors.models import IndustryGroup, IsicDivision


def naive_directory(request):  # type: ignore[no-untyped-def]
    query = DirectoryQuery.from_params(request.GET)
    qs = enterprises_visible_to(request.user).select_related("province", "park", "industry_group")
    if query.q:
        qs = qs.filter(Q(name__icontains=query.q) | Q(products__icontains=query.q))
    if query.province:
        qs = qs.filter(province__code=query.province)
    if query.group:
        qs = qs.filter(industry_group__key=query.group)
    if query.size:
        qs = qs.filter(size_band=query.size)
    if query.status:
        qs = qs.filter(status=query.status)
    if query.knowledge_based:
        qs = qs.filter(knowledge_based=True)
    if query.exporter:
        qs = qs.filter(exporter=True)
    paginator = Paginator(qs.order_by("name", "id"), 25)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "query": query,
        "page": DirectoryPage(
            rows=list(page),
            count=paginator.count,
            count_capped=False,
            next_cursor="",
            prev_cursor="",
        ),
        "next_url": "",
        "prev_url": "",
        "first_url": "",
        "provinces": Province.objects.all(),
        "park": None,
        "groups": IndustryGroup.objects.all(),
        "divisions": IsicDivision.objects.all(),
        "sizes": SizeBand.choices,
        "statuses": Status.choices,
        "scope": Scope.of(request.user),
    }
    return render(request, "enterprises/directory.html", context)


urlpatterns = [
    path("bench/naive-directory/", naive_directory),
    path("", include("pishran.urls")),
]
