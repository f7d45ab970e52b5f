"""Reads for the dashboards: an indicator's value at a place and date, its target, its
breakdowns, its ranking across provinces and the link to the rows behind it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from persian.jalali import JalaliDateError, format_date, parse, today, year_of

from .models import Indicator, Target
from .sources import COUNTRY, Number, Place, memo, source_for


def parse_as_of(params: QueryDict) -> tuple[dt.date, str]:
    """The report date from ``as_of`` (Jalali), or today; with a message when refused."""
    text = params.get("as_of", "").replace("\x00", "").strip()
    if not text:
        return today(), ""
    try:
        value = parse(text)
    except JalaliDateError as error:
        if error.code == "nonexistent":
            return today(), _("%(date)s is not a date in the calendar; showing today.") % {
                "date": text
            }
        return today(), _("Write the date as year/month/day, e.g. 1402/12/29; showing today.")
    if value > today():
        return today(), _("The date %(date)s is in the future; showing today.") % {"date": text}
    return value, ""


def value_of(indicator: Indicator, place: Place, as_of: dt.date) -> Number | None:
    """The figure, or None when it cannot be computed (a ratio over zero)."""
    if indicator.kind == Indicator.Kind.RATIO:
        if indicator.numerator is None or indicator.denominator is None:
            return None
        num = value_of(indicator.numerator, place, as_of)
        den = value_of(indicator.denominator, place, as_of)
        if num is None or not den:
            return None
        return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    source = source_for(indicator.source)
    return source.value(indicator, place, as_of) if source else None


def by_province(indicator: Indicator, as_of: dt.date) -> dict[int, Number | None]:
    if indicator.kind == Indicator.Kind.RATIO:
        if indicator.numerator is None or indicator.denominator is None:
            return {}
        num = by_province(indicator.numerator, as_of)
        den = by_province(indicator.denominator, as_of)
        return {
            p: (Decimal(num.get(p) or 0) * 100 / Decimal(d)).quantize(Decimal("0.1")) if d else None
            for p, d in den.items()
        }
    source = source_for(indicator.source)
    return source.by_province(indicator, as_of) if source else {}  # type: ignore[return-value]


def breakdown(indicator: Indicator, place: Place, as_of: dt.date, dim: str) -> dict[str, Number]:
    source = source_for(indicator.source)
    if source is None or dim not in indicator.breakdowns:
        return {}
    return source.breakdown(indicator, place, as_of, dim)


def monthly(indicator: Indicator, place: Place, as_of: dt.date) -> list[tuple[int, Number]]:
    source = source_for(indicator.source)
    return source.monthly(indicator, place, as_of) if source else []


@dataclass
class Card:
    indicator: Indicator
    value: Number | None
    link: str
    target: Decimal | None
    year: int
    # Another card shown beside this one (revivals with the clinic beside all revivals).
    beside: Card | None = None
    # A ratio's numerator and denominator, each with its value and the link to its rows.
    terms: list[Card] = field(default_factory=list)

    @property
    def progress(self) -> Decimal | None:
        if self.target in (None, 0) or self.value is None:
            return None
        return (Decimal(self.value) * 100 / self.target).quantize(Decimal("1"))

    @property
    def gap(self) -> Decimal | None:
        if self.target is None or self.value is None:
            return None
        return self.target - Decimal(self.value)

    @property
    def group(self) -> str:
        """Cards are shown in groups: the registry's and parks' (''), the clusters', the
        business clinics', the finance instruments', the export consortia'."""
        source = self.indicator.source
        return source if source in ("clusters", "clinics", "finance", "consortia") else ""


# The registry's flows: events counted from 1 Farvardin to the date (``rows.flow_rows``).
FLOWS = ("revived", "permits")


def rows_link(
    indicator: Indicator, place: Place, as_of: dt.date, province_code: str = "", **narrow: str
) -> str:
    """The list of the rows a figure counts, as of its date, with the same number: the
    registry's and the clusters' rows pages, the clinics' and finance's, the consortia
    and the parks lists; "" for a ratio (its card links its two terms)."""
    if indicator.source == "registry" and indicator.measure in ("units", "jobs", *FLOWS):
        # The rows page states the figure, its definition and date beside the rows.
        return _rows_as_of("indicator_rows", indicator, place, as_of, province_code, narrow)
    if indicator.source == "clusters":  # the clusters it counted, as of the date
        return _rows_as_of("cluster_rows", indicator, place, as_of, province_code, narrow)
    if indicator.source == "clinics":  # the units or cases it counted, as of the date
        return _rows_as_of("clinic_rows", indicator, place, as_of, province_code, narrow)
    if indicator.source == "finance":  # the referrals or files it counted
        return _rows_as_of("finance_rows", indicator, place, as_of, province_code, narrow)
    if indicator.source == "consortia":  # the consortia of the place, as of the date
        params = {"as_of": format_date(as_of, persian_digits=False)}
        if province_code:
            params["province"] = province_code
        return reverse("consortium_list") + f"?{urlencode(params)}"
    if indicator.source == "parks":
        params = {"province": province_code} if province_code else {}
        for name in ("kind", "ownership"):  # the list narrows to one of each
            if len(indicator.filters.get(name) or []) == 1:
                params[name] = indicator.filters[name][0]
        return reverse("park_list") + (f"?{urlencode(params)}" if params else "")
    return ""


def _rows_as_of(
    route: str,
    indicator: Indicator,
    place: Place,
    as_of: dt.date,
    province_code: str,
    narrow: dict[str, str],
) -> str:
    """A rows-as-of page (``route``) for the figure at ``place`` on ``as_of``."""
    params = {"as_of": format_date(as_of, persian_digits=False)}
    if place.level == "p":
        params["province"] = province_code
    elif place.level == "k":
        params["park"] = str(place.id)
    params.update(narrow)
    return reverse(route, args=[indicator.key]) + "?" + urlencode(params)


def cards(
    indicators: list[Indicator],
    place: Place,
    as_of: dt.date,
    province_id: int | None,
    province_code: str = "",
) -> list[Card]:
    year = year_of(as_of)
    targets: dict[int, Decimal] = {}
    if place.level != "k":
        ids = tuple(i.pk for i in indicators)
        targets = memo(
            ("targets", year, province_id, ids), lambda: targets_of(ids, year, province_id)
        )

    def card(i: Indicator, target: bool = True) -> Card:
        found = Card(
            indicator=i,
            value=value_of(i, place, as_of),
            link=rows_link(i, place, as_of, province_code),
            target=targets.get(i.pk) if target else None,
            year=year,
        )
        if i.kind == Indicator.Kind.RATIO and i.numerator and i.denominator:
            found.terms = [card(i.numerator, False), card(i.denominator, False)]
        return found

    return [card(i) for i in indicators]


def targets_of(ids: tuple[int, ...], year: int, province_id: int | None) -> dict[int, Decimal]:
    """The year's targets of these indicators for a province, or for the country (no
    province): the country's own target where one is set, else the sum of the provinces'
    (a national target set as its split by province)."""
    rows = Target.objects.filter(year=year, indicator__in=ids)
    if province_id is not None:
        return dict(rows.filter(province_id=province_id).values_list("indicator_id", "value"))
    found: dict[int, Decimal] = {}
    split: dict[int, Decimal] = {}
    for indicator_id, province, value in rows.values_list("indicator_id", "province_id", "value"):
        if province is None:
            found[indicator_id] = value
        else:
            split[indicator_id] = split.get(indicator_id, Decimal(0)) + value
    return {**split, **found}


def all_indicators() -> list[Indicator]:
    """Every indicator in catalogue order, kept until the figures version changes (editing
    an indicator starts a new one)."""
    return memo(
        ("indicators",), lambda: list(Indicator.objects.select_related("numerator", "denominator"))
    )


def indicator(key: str, public_only: bool = False) -> Indicator | None:
    return next(
        (i for i in all_indicators() if i.key == key and (i.is_public or not public_only)), None
    )


def indicators_for(place: Place, public_only: bool = False) -> list[Indicator]:
    level = {"c": None, "p": "province", "k": "park"}[place.level]
    return [
        i
        for i in all_indicators()
        if (level is None or level in i.breakdowns) and (i.is_public or not public_only)
    ]


def country() -> Place:
    return COUNTRY


def chart_series(
    indicator: Indicator, place: Place, as_of: dt.date, months: int = 24
) -> dict[str, Any]:
    from persian.jalali import month_name
    from persian.templatetags.persian import digits

    points = monthly(indicator, place, as_of)[-months:]
    latin = not (get_language() or "fa").startswith("fa")
    return {
        "label": indicator.display_name,
        "x": [f"{month_name(m % 12 + 1, latin=latin)} {digits(m // 12)}" for m, _v in points],
        "y": [int(v) for _m, v in points],
        "kind": "bar" if indicator.is_flow else "line",
    }
