"""``/api/v1/indicators``: the indicator catalogue and each figure, as the dashboards show
it — for the country, a province or a park, as of any date, with its definition, its
breakdowns and the page of the rows behind it.

The public is answered the public indicators (``Indicator.is_public``); anyone signed in
with a token, all of them. The figure is the dashboards' own (``indicators.selectors``,
kept per figures version), so the API and the pages never disagree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from indicators import selectors
from indicators.base import COUNTRY, Place
from indicators.models import Indicator
from places.models import Park, Province

from .auth import caller_of
from .dates import jalali, parse_as_of
from .errors import invalid, not_found
from .schemas import ERRORS

router = Router(tags=["indicators"])

# A place's level and the breakdown that says a figure is kept for such places.
LEVELS = {"p": "province", "k": "park"}


class IndicatorOut(Schema):
    key: str
    name: str
    name_en: str
    definition: str
    definition_en: str
    unit: str
    unit_en: str
    kind: str  # count, sum, ratio… (``Indicator.Kind``)
    source: str
    breakdowns: list[str]
    is_public: bool


class FigureOut(Schema):
    indicator: str
    place: str  # "country", a province's ISO code, or "park:<id>"
    as_of: dt.date
    as_of_jalali: str
    value: Decimal | int | None  # None: not computable (a ratio over zero)
    unit: str
    definition: str
    breakdown: dict[str, Decimal | int] | None = None
    by_province: dict[str, Decimal | int | None] | None = None
    rows_url: str | None = None  # the page of the rows the figure counts


class FigureFilters(Schema):
    province: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}-[0-9]{2}$", description="ISO code, e.g. IR-23"
    )
    park: int | None = Field(None, ge=1, lt=2**63, description="a park's id")
    as_of: str | None = Field(None, max_length=40, description="Jalali or ISO date; today")
    breakdown: str | None = Field(None, max_length=40, description="one of the breakdowns")
    by_province: bool = Field(False, description="the figure for every province")


def _visible(request: HttpRequest) -> list[Indicator]:
    public_only = not getattr(caller_of(request), "is_authenticated", False)
    return [i for i in selectors.all_indicators() if i.is_public or not public_only]


def _out(indicator: Indicator) -> dict[str, Any]:
    return {
        name: getattr(indicator, name)
        for name in (
            "key", "name", "name_en", "definition", "definition_en", "unit", "unit_en",
            "kind", "source", "breakdowns", "is_public",
        )
    }  # fmt: skip


@router.get("", response={200: list[IndicatorOut], **ERRORS}, summary="The indicator catalogue")
def indicator_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(i) for i in _visible(request)]


@router.get(
    "/{key}/figure", response={200: FigureOut, **ERRORS}, summary="One figure, as of a date"
)
def figure(request: HttpRequest, key: str, params: Query[FigureFilters]) -> dict[str, Any]:
    indicator = next((i for i in _visible(request) if i.key == key), None)
    if indicator is None:
        raise not_found()
    as_of = parse_as_of(params.as_of) or selectors.today()
    if as_of > selectors.today():
        raise invalid(
            "invalid_date", "as_of", _("Figures are known up to today, not for a later date.")
        )
    place, label, province_code = _place(params)
    if place.level != "c" and LEVELS[place.level] not in indicator.breakdowns:
        raise invalid(
            "invalid_place",
            "province" if place.level == "p" else "park",
            _("This figure is not kept for a province or a park."),
        )
    out: dict[str, Any] = {
        "indicator": indicator.key,
        "place": label,
        "as_of": as_of,
        "as_of_jalali": jalali(as_of),
        "value": selectors.value_of(indicator, place, as_of),
        "unit": indicator.unit_en or indicator.unit,
        "definition": indicator.stated_definition,
    }
    if params.breakdown:
        if params.breakdown not in indicator.breakdowns or params.breakdown in ("province", "park"):
            raise invalid(
                "invalid_breakdown",
                "breakdown",
                _("This figure has no such breakdown."),
                params.breakdown,
            )
        out["breakdown"] = selectors.breakdown(indicator, place, as_of, params.breakdown)
    if params.by_province:
        codes = dict(Province.objects.values_list("pk", "code"))
        out["by_province"] = {
            codes[pk]: value
            for pk, value in selectors.by_province(indicator, as_of).items()
            if pk in codes
        }
    link = selectors.rows_link(indicator, place, as_of, province_code)
    out["rows_url"] = request.build_absolute_uri(link) if link else None
    return out


def _place(params: FigureFilters) -> tuple[Place, str, str]:
    """The place asked for: (place, its label, its province's code)."""
    if params.province and params.park:
        raise invalid(
            "invalid_place", "park", _("Ask for a province or a park, not both."), params.park
        )
    if params.province:
        province = Province.objects.filter(code=params.province.upper()).first()
        if province is None:
            raise invalid(
                "invalid_filter", "province", _("No province has this code."), params.province
            )
        return Place("p", province.pk), province.code, province.code
    if params.park:
        park = Park.objects.select_related("province").filter(pk=params.park).first()
        if park is None:
            raise invalid("invalid_filter", "park", _("No park has this id."), params.park)
        return Place("k", park.pk), f"park:{park.pk}", park.province.code
    return COUNTRY, "country", ""
