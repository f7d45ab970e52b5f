"""What the API answers, as Pydantic schemas (they make the OpenAPI description). Every
date ``x`` comes with ``x_jalali``: its Jalali text with Latin digits (``api.dates``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    message_fa: str
    detail: object | None = None


# The answers other than 200 that every endpoint may give (docs/api.md, "Errors").
ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (401, 404, 422, 429)}


class ParkOut(Schema):
    id: int
    name: str
    province: str  # ISO code
    kind: str
    ownership: str
    specialty: str
    area_ha: Decimal | None
    established_on: dt.date | None
    established_on_jalali: str | None
    is_active: bool
    latitude: Decimal | None
    longitude: Decimal | None
    plots_total: int
    plots_allocated: int


class ParkPage(Schema):
    as_of: dt.date | None
    as_of_jalali: str | None
    results: list[ParkOut]
    next_cursor: str | None


class EnterpriseRow(Schema):
    id: int
    name: str
    status: str
    status_since: dt.date | None  # only for units whose history the caller sees
    status_since_jalali: str | None
    province: str  # ISO code
    park: int | None
    industry_group: str
    isic_division: str
    size_band: str
    employees: int
    knowledge_based: bool
    exporter: bool
    history_visible: bool


class EnterprisePage(Schema):
    as_of: dt.date | None
    as_of_jalali: str | None
    results: list[EnterpriseRow]
    next_cursor: str | None


class StatusEventOut(Schema):
    date: dt.date
    date_jalali: str
    from_status: str
    to_status: str
    reason: str


class LocationEventOut(Schema):
    date: dt.date
    date_jalali: str
    province: str
    park: int | None


class PrivateFields(Schema):
    """Only for units in the caller's full scope (staff who keep them, their owners)."""

    legal_id: str | None
    business_id: str
    permit_number: str
    permit_date: dt.date | None
    permit_date_jalali: str | None
    construction_progress: int
    mobile: str
    published: bool
    latitude: Decimal | None
    longitude: Decimal | None
    version: int  # the ``version`` an edit (PATCH) must send back


class EnterpriseOut(EnterpriseRow):
    as_of: dt.date | None
    as_of_jalali: str | None
    products: str
    capabilities: str
    phone: str
    email: str
    website: str
    address: str
    private: PrivateFields | None
    status_history: list[StatusEventOut]
    location_history: list[LocationEventOut]
