"""What the open data holds: three datasets, each a list of fields (its data dictionary)
and the rows of a snapshot.

Everything here is read **as the public** (``Scope.of(AnonymousUser())``): the parks every
visitor sees, the units published in the directory with the directory's fields as they
are today (the public sees no unit's history, so no past status, place or "since" date),
and the public indicators' figures for the country and each province. Fields the public
never sees (national ID, business ID, permit, mobile, coordinates of units, construction
progress) are not read at all; the office phone and e-mail, which each unit's page shows
one by one, are left out of the bulk files too (a list of every unit's phone and e-mail
would serve only to harvest them).

A row is a mapping of plain values: ``int``, ``Decimal``, ``str``, ``bool`` or None —
dates as ISO text with their Jalali text beside them, so every format reads the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.scope import Scope
from enterprises.models import Enterprise, SizeBand, Status
from indicators import selectors as figures
from indicators.base import COUNTRY, Place
from persian.jalali import to_jalali
from places.models import Park, Province
from sectors.models import IndustryGroup

CHUNK = 2_000

# A field's type, as the dictionary names it (and the XLSX column kind it is written as).
TYPES = {"integer": "int", "decimal": "decimal", "text": "text", "boolean": "text", "date": "text"}


@dataclass(frozen=True)
class Field:
    name: str  # the column's name in CSV and JSON (stable, for programs)
    label: Promise | str  # its Persian label (the XLSX header, the dictionary)
    type: str  # one of TYPES
    meaning: Promise | str
    example: str

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown field type {self.type!r}; one of {tuple(TYPES)}")


@dataclass(frozen=True)
class Dataset:
    key: str  # in the file names and the download's address
    title: Promise | str
    description: Promise | str
    fields: tuple[Field, ...]
    rows: Callable[[dt.date], Iterator[dict[str, Any]]]


def public() -> Scope:
    return Scope.of(AnonymousUser())


def jalali_text(value: dt.date | None) -> str | None:
    """'1403-05-12' (Latin digits: the form the API reads back in ``as_of``)."""
    if value is None:
        return None
    j = to_jalali(value)
    return f"{j.year:04d}-{j.month:02d}-{j.day:02d}"


# --- the units of the directory -------------------------------------------------------------

UNIT_FIELDS = (
    Field("id", _("Number"), "integer", _("The unit's number in Pishran; its page is /enterprises/<number>/ and the API's /api/v1/enterprises/<number>."), "1024"),  # noqa: E501
    Field("name", _("Name"), "text", _("The unit's name as registered."), "صنایع غذایی بهار"),
    Field("status", _("Status"), "text", _("Its status today: under_construction, active, semi_active, idle or closed."), "active"),  # noqa: E501
    Field("status_label", _("Status (in words)"), "text", _("The same status in Persian."), "فعال"),  # noqa: E501
    Field("province", _("Province code"), "text", _("The province it is in today, by its ISO 3166-2:IR code (as renumbered in 2020)."), "IR-25"),  # noqa: E501
    Field("province_name", _("Province"), "text", _("The province's Persian name."), "قم"),
    Field("park_id", _("Park or zone number"), "integer", _("The industrial park or zone it is in today (a row of the parks dataset); empty outside any park."), "12"),  # noqa: E501
    Field("park_name", _("Park or zone"), "text", _("The park's or zone's name; empty outside any park."), "شکوهیه"),  # noqa: E501
    Field("industry_group", _("Industry group code"), "text", _("One of ISIPO's eight industry groups, by its key."), "food"),  # noqa: E501
    Field("industry_group_name", _("Industry group"), "text", _("The industry group's Persian name."), "غذایی"),  # noqa: E501
    Field("isic_division", _("ISIC division"), "text", _("Its ISIC Rev.4 division (two digits, 10 to 33)."), "10"),  # noqa: E501
    Field("size_band", _("Size"), "text", _("Its size by employees, as the statistics centre bands them: micro (1-9), small (10-49), medium (50-99), large (100+)."), "small"),  # noqa: E501
    Field("employees", _("Employees"), "integer", _("The number of people it employs, as last recorded."), "23"),  # noqa: E501
    Field("knowledge_based", _("Knowledge-based"), "boolean", _("Whether it holds the knowledge-based certificate (true or false)."), "false"),  # noqa: E501
    Field("exporter", _("Exporter"), "boolean", _("Whether it exports (true or false)."), "true"),  # noqa: E501
    Field("products", _("Products"), "text", _("Its products, in its own words."), "کنسرو حبوبات"),  # noqa: E501
    Field("capabilities", _("Capabilities"), "text", _("What it can make or do for others, in its own words."), "بسته‌بندی"),  # noqa: E501
    Field("website", _("Website"), "text", _("Its website, when it gave one."), "https://example.ir"),  # noqa: E501
    Field("address", _("Address"), "text", _("Its address, when it gave one."), "قم، شهرک شکوهیه، خیابان ۵"),  # noqa: E501
)  # fmt: skip

UNIT_COLUMNS = (
    "id", "name", "status", "province_id", "park_id", "industry_group_id", "isic_division_id",
    "size_band", "employees", "knowledge_based", "exporter", "products", "capabilities",
    "website", "address",
)  # fmt: skip


def unit_rows(as_of: dt.date) -> Iterator[dict[str, Any]]:
    """The units the public finds in the directory (the registry's rules for the public:
    published ones), in number order, as they are today."""
    provinces = {p.pk: (p.code, p.name_fa) for p in Province.objects.all()}
    parks = dict(Park.objects.values_list("pk", "name"))
    groups = {g.pk: (g.key, g.name_fa) for g in IndustryGroup.objects.all()}
    statuses = {value: str(label) for value, label in Status.choices}
    sizes = {value for value, _label in SizeBand.choices}
    qs = (
        Enterprise.objects.filter(public().visible_q(Enterprise))
        .order_by("id")
        .values(*UNIT_COLUMNS)
    )
    for row in qs.iterator(chunk_size=CHUNK):
        province = provinces.get(row["province_id"], ("", ""))
        group = groups.get(row["industry_group_id"], ("", ""))
        yield {
            "id": row["id"],
            "name": row["name"],
            "status": row["status"],
            "status_label": statuses.get(row["status"], ""),
            "province": province[0],
            "province_name": province[1],
            "park_id": row["park_id"],
            "park_name": parks.get(row["park_id"]) if row["park_id"] else None,
            "industry_group": group[0],
            "industry_group_name": group[1],
            "isic_division": row["isic_division_id"],
            "size_band": row["size_band"] if row["size_band"] in sizes else "",
            "employees": row["employees"],
            "knowledge_based": row["knowledge_based"],
            "exporter": row["exporter"],
            "products": row["products"],
            "capabilities": row["capabilities"],
            "website": row["website"],
            "address": row["address"],
        }


# --- the parks and zones ----------------------------------------------------------------------

PARK_FIELDS = (
    Field("id", _("Number"), "integer", _("The park's number in Pishran; its page is /parks/<number>/ and the API's /api/v1/parks/<number>."), "12"),  # noqa: E501
    Field("name", _("Name"), "text", _("The park's or zone's name."), "شکوهیه"),
    Field("province", _("Province code"), "text", _("Its province, by its ISO 3166-2:IR code."), "IR-25"),  # noqa: E501
    Field("province_name", _("Province"), "text", _("The province's Persian name."), "قم"),
    Field("kind", _("Kind"), "text", _("park (an industrial park) or zone (an industrial zone)."), "park"),  # noqa: E501
    Field("ownership", _("Ownership"), "text", _("state (run by the state) or private."), "state"),  # noqa: E501
    Field("specialty", _("Specialty"), "text", _("The industries it is meant for, if any."), "قطعات خودرو"),  # noqa: E501
    Field("area_ha", _("Area (hectares)"), "decimal", _("Its area in hectares; empty when not known."), "350.50"),  # noqa: E501
    Field("established_on", _("Established on"), "date", _("The day it was established (ISO, YYYY-MM-DD); empty when not known."), "2019-09-06"),  # noqa: E501
    Field("established_on_jalali", _("Established on (Jalali)"), "date", _("The same day in the Jalali calendar (YYYY-MM-DD, Latin digits)."), "1398-06-15"),  # noqa: E501
    Field("is_active", _("Active"), "boolean", _("Whether it is in use (true or false)."), "true"),  # noqa: E501
    Field("latitude", _("Latitude"), "decimal", _("Its latitude in degrees (WGS 84); empty when not known."), "34.64010"),  # noqa: E501
    Field("longitude", _("Longitude"), "decimal", _("Its longitude in degrees (WGS 84); empty when not known."), "50.87640"),  # noqa: E501
    Field("plots_total", _("Land plots"), "integer", _("Its land plots in total."), "120"),
    Field("plots_allocated", _("Land plots allocated"), "integer", _("Its land plots allocated to units."), "40"),  # noqa: E501
)  # fmt: skip


def park_rows(as_of: dt.date) -> Iterator[dict[str, Any]]:
    """Every park and zone the public sees (all of them: ``places.access``), in number order."""
    qs = Park.objects.filter(public().visible_q(Park)).select_related("province").order_by("id")
    for park in qs.iterator(chunk_size=CHUNK):
        yield {
            "id": park.pk,
            "name": park.name,
            "province": park.province.code,
            "province_name": park.province.name_fa,
            "kind": park.kind,
            "ownership": park.ownership,
            "specialty": park.specialty,
            "area_ha": park.area_ha,
            "established_on": park.established_on.isoformat() if park.established_on else None,
            "established_on_jalali": jalali_text(park.established_on),
            "is_active": park.is_active,
            "latitude": park.latitude,
            "longitude": park.longitude,
            "plots_total": park.plots_total,
            "plots_allocated": park.plots_allocated,
        }


# --- the public figures ---------------------------------------------------------------------

FIGURE_FIELDS = (
    Field("indicator", _("Indicator code"), "text", _("The indicator's key in the catalogue (/indicators/ and /api/v1/indicators)."), "units-active"),  # noqa: E501
    Field("indicator_name", _("Indicator"), "text", _("The indicator's Persian name."), "واحدهای فعال"),  # noqa: E501
    Field("unit", _("Unit of measure"), "text", _("What the value counts or measures."), "واحد"),  # noqa: E501
    Field("place", _("Place"), "text", _("country for the whole country, else a province's ISO 3166-2:IR code."), "IR-25"),  # noqa: E501
    Field("place_name", _("Place (in words)"), "text", _("The place's Persian name."), "قم"),
    Field("as_of", _("As of"), "date", _("The day the figure is for: the snapshot's date (ISO)."), "2026-12-07"),  # noqa: E501
    Field("as_of_jalali", _("As of (Jalali)"), "date", _("The same day in the Jalali calendar."), "1405-09-16"),  # noqa: E501
    Field("value", _("Value"), "decimal", _("The figure at the end of that day, as the dashboards and the API give it; a percentage for a ratio; empty when it cannot be computed (a ratio over zero)."), "1520"),  # noqa: E501
    Field("api_url", _("API query"), "text", _("The API query that answers this figure (GET, no token needed)."), "/api/v1/indicators/units-active/figure?as_of=2026-12-07&province=IR-25"),  # noqa: E501
)  # fmt: skip


def figure_api_path(key: str, as_of: dt.date, province: str = "") -> str:
    """The API query that answers one figure: ``/api/v1/indicators/<key>/figure?…``."""
    query = {"as_of": as_of.isoformat(), **({"province": province} if province else {})}
    return reverse("api-v1:figure", kwargs={"key": key}) + "?" + urlencode(query)


def figure_rows(as_of: dt.date) -> Iterator[dict[str, Any]]:
    """Each public indicator (``Indicator.is_public``: what the public reads on /stats/ and
    from the API without a token) for the country, then for each province where it is
    kept by province — each value exactly as the API's figure answers it (the same
    ``indicators.selectors.value_of``)."""
    provinces = list(Province.objects.order_by("code"))
    for indicator in figures.all_indicators():
        if not indicator.is_public:
            continue
        places: list[tuple[Place, str, str]] = [(COUNTRY, "country", "ایران")]
        if "province" in indicator.breakdowns:
            places += [(Place("p", p.pk), p.code, p.name_fa) for p in provinces]
        for place, code, place_name in places:
            yield {
                "indicator": indicator.key,
                "indicator_name": indicator.name,
                "unit": indicator.unit,
                "place": code,
                "place_name": place_name,
                "as_of": as_of.isoformat(),
                "as_of_jalali": jalali_text(as_of),
                "value": figures.value_of(indicator, place, as_of),
                "api_url": figure_api_path(
                    indicator.key, as_of, "" if place.level == "c" else code
                ),
            }


DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in (
        Dataset(
            "enterprises",
            _("Industrial units of the public directory"),
            _(
                "Every unit published in the public directory, with the directory's fields as "
                "they are on the snapshot's date: name, status, place, industry, size, "
                "employees, products and capabilities. No national ID, phone or e-mail, and "
                "no history."
            ),
            UNIT_FIELDS,
            unit_rows,
        ),
        Dataset(
            "parks",
            _("Industrial parks and zones"),
            _(
                "Every industrial park and zone in Pishran: province, kind, ownership, "
                "specialty, area, establishment date, location and land plots."
            ),
            PARK_FIELDS,
            park_rows,
        ),
        Dataset(
            "figures",
            _("Public figures"),
            _(
                "Every public indicator of the catalogue on the snapshot's date, for the "
                "country and for each province where it is kept by province, each with the "
                "API query that answers it."
            ),
            FIGURE_FIELDS,
            figure_rows,
        ),
    )
}
FORMATS = ("csv", "xlsx", "json")
