"""The fields an import fills, and which of a file's headers fills each.

Officers name their columns as they like: «نام واحد», «شناسه ملی», «تاریخ وضعیت»… or in
English. Each field lists the names it is known by; a header is matched through
``persian.text.search_key`` (so «شناسه‌ملی», «شناسه ملی» and «شناسه ملي» are one name).
A province's own choices are kept in ``ColumnMapping`` and tried first the next time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from persian.text import search_key

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


@dataclass(frozen=True)
class Field:
    key: str
    label: str | _StrPromise
    names: tuple[str, ...]
    required: bool = False


FIELDS: tuple[Field, ...] = (
    Field("legal_id", _("national ID"), ("شناسه ملی", "national id", "legal id"), True),
    Field("name", _("name"), ("نام واحد", "نام واحد صنعتی", "نام شرکت", "نام", "name")),
    Field("province", _("province"), ("استان", "province")),
    Field("park", _("park or zone"), ("شهرک", "شهرک صنعتی", "شهرک/ناحیه", "ناحیه", "park")),
    Field("status", _("status"), ("وضعیت", "وضعیت واحد", "status")),
    Field("status_date", _("status date"), ("تاریخ وضعیت", "status date")),
    Field("employees", _("employees"), ("تعداد کارکنان", "اشتغال", "کارکنان", "employees")),
    Field("isic", _("ISIC division"), ("کد آیسیک", "آیسیک", "isic", "کد isic", "isic code")),
    Field(
        "permit_number",
        _("operating permit number"),
        ("شماره پروانه بهره برداری", "شماره پروانه", "permit number"),
    ),
    Field(
        "permit_date",
        _("operating permit date"),
        ("تاریخ پروانه بهره برداری", "تاریخ پروانه", "permit date"),
    ),
    Field("business_id", _("business ID"), ("شناسه کسب و کار", "business id")),
    Field("products", _("products"), ("محصولات", "محصول", "products")),
    Field("phone", _("office phone"), ("تلفن", "تلفن ثابت", "phone")),
    Field("address", _("address"), ("نشانی", "آدرس", "address")),
    Field("reason", _("reason"), ("علت", "علت تغییر", "توضیح", "reason")),
)
# A file of parks and zones: the fields of the parks' form (``places.services.PARK_FIELDS``).
PARK_FIELDS: tuple[Field, ...] = (
    Field("name", _("name"), ("نام شهرک", "نام شهرک/ناحیه", "نام ناحیه", "نام", "name"), True),
    Field("province", _("province"), ("استان", "province")),
    Field("kind", _("kind"), ("نوع", "شهرک/ناحیه", "kind")),
    Field("ownership", _("ownership"), ("مالکیت", "نوع مالکیت", "ownership")),
    Field("specialty", _("specialty"), ("تخصص", "گرایش تخصصی", "specialty")),
    Field("area_ha", _("area (hectares)"), ("مساحت", "مساحت (هکتار)", "مساحت هکتار", "area")),
    Field(
        "established_on",
        _("established on"),
        ("تاریخ تاسیس", "تاریخ تأسیس", "تاریخ احداث", "established on"),
    ),
    Field("plots_total", _("land plots in total"), ("تعداد قطعات", "کل قطعات", "plots total")),
    Field(
        "plots_allocated",
        _("land plots allocated"),
        ("قطعات واگذار شده", "قطعات واگذارشده", "plots allocated"),
    ),
)
# What a file holds: units (with their status and location) or parks and zones.
TARGETS: dict[str, tuple[Field, ...]] = {"units": FIELDS, "parks": PARK_FIELDS}
BY_KEY = {f.key: f for f in FIELDS}
_BY_TARGET = {target: {f.key: f for f in fields} for target, fields in TARGETS.items()}
_KNOWN_BY_TARGET = {
    target: {search_key(name): f.key for f in fields for name in f.names}
    for target, fields in TARGETS.items()
}


def by_key(target: str) -> dict[str, Field]:
    """The fields of a file of ``target`` ("units" or "parks"), by key."""
    return _BY_TARGET[target]


def header_key(header: str) -> str:
    return search_key(header)


def guess(
    headers: list[str], saved: dict[str, str] | None = None, target: str = "units"
) -> dict[str, int]:
    """{field: column index}: the province's saved choices first (header key → field),
    then the names every field is known by; a field is filled by one column at most."""
    mapping: dict[str, int] = {}
    fields = by_key(target)
    for known in (saved or {}, _KNOWN_BY_TARGET[target]):
        for index, header in enumerate(headers):
            field = known.get(header_key(header))
            if field in fields and field not in mapping and index not in mapping.values():
                mapping[field] = index
    return mapping


def to_saved(headers: list[str], mapping: dict[str, int]) -> dict[str, str]:
    """What a province keeps of a mapping: header key → field."""
    return {
        header_key(headers[index]): field
        for field, index in mapping.items()
        if 0 <= index < len(headers) and header_key(headers[index])
    }
