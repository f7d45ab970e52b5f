"""Writes through the API (a read-write token): register a unit, change its profile (with
the version it was read at), record a dated status change (``/api/v1/enterprises``); move
a case to another stage (``/api/v1/cases/{id}/stage``).

Each goes through the pages' own forms (they read Jalali dates and Persian or
Arabic-Indic digits) and the apps' services (``enterprises.services``, ``cases.services``: validation,
access rules, audit, domain events and the indicators' facts, in one transaction), so a
write here is judged exactly as the same write on the site. What the API adds: dates may
also be ISO (``api.dates.read_date``), the refusals are JSON (``api.errors``; the messages
of each field in Persian, the registry's language), a row outside the caller's scope is a
404 as on the reads, and a create sent with an ``Idempotency-Key`` header is made once
(``IdempotentWrite``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja import Status as Answer  # ninja's (status, body); Status is the unit's

from accounts.scope import Scope
from audit.services import StaleEdit
from cases.forms import StageForm
from cases.selectors import case_get_visible
from cases.services import case_move
from enterprises import services
from enterprises.forms import (
    EnterpriseCreatePlaceForm,
    EnterpriseForm,
    StatusChangeForm,
    park_required_for_park_managers,
    place_choices,
    placement_allowed,
)
from enterprises.models import Status
from enterprises.selectors import enterprise_get_editable
from persian.text import to_latin_digits
from sectors.models import IndustryGroup, IsicDivision

from .cases import CaseEventOut
from .cases import router as cases_router
from .dates import jalali, read_date
from .enterprises import MAX_ID, router, unit_detail
from .errors import ApiError, not_found
from .models import IdempotentWrite
from .schemas import ERRORS, EnterpriseOut, ErrorOut, StatusEventOut

# The answers a write may give besides its success (docs/api.md, "Errors").
WRITE_ERRORS: dict[int, type[Schema]] = {**ERRORS, 400: ErrorOut, 403: ErrorOut}
DATE = "a date, Jalali (1403-05-12, any digits) or ISO (2024-08-02)"
NUMBER = "a number; Persian, Arabic-Indic or Latin digits"


class UnitFields(Schema):
    """A unit's profile as the registry's form has it; on an edit, only the fields sent
    change."""

    name: str | None = None
    legal_id: str | None = Field(None, description="national ID, 11 digits")
    business_id: str | None = Field(None, description="business ID, 12 digits")
    permit_number: str | None = Field(None, description="operating permit number")
    permit_date: str | None = Field(None, description=f"operating permit date: {DATE}")
    isic_division: str | None = Field(None, description="ISIC Rev.4 division, two digits")
    industry_group: str | None = Field(
        None, description="industry group key (on registering: the division's group if none)"
    )
    employees: int | str | None = Field(None, description=NUMBER)
    construction_progress: int | str | None = Field(None, description=f"0–100: {NUMBER}")
    knowledge_based: bool | None = None
    exporter: bool | None = None
    products: str | None = None
    capabilities: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    website: str | None = None
    address: str | None = None
    latitude: float | str | None = None
    longitude: float | str | None = None
    published: bool | None = None


class UnitCreateIn(UnitFields):
    name: str
    isic_division: str = Field(description="ISIC Rev.4 division, two digits")
    employees: int | str = Field(description=NUMBER)
    province: str = Field(description="ISO code, e.g. IR-25")
    park: int | str | None = Field(None, description="park id; none: outside any park")
    status: Status
    status_date: str = Field(description=f"since when it has this status: {DATE}")
    reason: str = ""


class UnitEditIn(UnitFields):
    version: int = Field(ge=1, le=2**31 - 1, description="private.version, as last read")


class StatusIn(Schema):
    to_status: Status
    date: str = Field(description=DATE)
    reason: str


DATE_FIELDS = frozenset({"permit_date", "status_date", "date"})
LOOKED_UP = frozenset({"isic_division", "park", "province", "industry_group"})


def _form_data(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON body as the pages' forms read a submitted form, and what cannot be read
    before them (a date neither Jalali nor ISO, text UTF-8 cannot hold): their errors."""
    data: dict[str, Any] = {}
    unread: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, str) and not _utf8(value):
            unread[name] = str(_("Only text that UTF-8 can hold (no lone surrogates)."))
        elif value is None:
            data[name] = ""
        elif name in DATE_FIELDS:
            try:
                data[name] = read_date(str(value))
            except ValueError:
                unread[name] = str(
                    _("Enter a date the calendar has, Jalali (1403-05-12) or ISO (2024-08-02).")
                )
        elif name in LOOKED_UP:
            # Read in the database: a NUL, which PostgreSQL's text refuses (a server error),
            # becomes a character no code holds, so the form names a choice that is none.
            text = to_latin_digits(str(value).replace("\x00", "\ufffd")).strip()
            if name == "province":
                text = text.upper()
            elif name == "industry_group":
                group = IndustryGroup.objects.filter(key=text).first()
                data[name] = group.pk if group is not None else text
                continue
            data[name] = text
        else:
            data[name] = value
    return data, unread


def _utf8(text: str) -> bool:
    """JSON can carry a lone surrogate (``"\\ud800"``); PostgreSQL cannot store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _entries(errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {"field": "" if name == "__all__" else name, "in": "body", "message": str(message)}
        for name, messages in errors.items()
        for message in messages
    ]


def _unreadable(errors: dict[str, list[str]]) -> ApiError:
    return ApiError(
        422, "invalid_input", _("Some of the input could not be read."), _entries(errors)
    )


def _refused(errors: dict[str, list[str]]) -> ApiError:
    return ApiError(
        422, "refused", _("The registry refused this write; detail says why."), _entries(errors)
    )


def _refusal(error: ValidationError) -> ApiError:
    """A service's ``ValidationError`` as 422 ``refused``, each message under its field."""
    return _refused(
        error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    )


def _read(unread: dict[str, str], *forms: BaseForm) -> None:
    """Every form valid and every date read, or 422 naming each field."""
    errors: dict[str, list[str]] = {}
    for form in forms:
        if not form.is_valid():
            for name, messages in form.errors.items():
                errors.setdefault(name, []).extend(str(message) for message in messages)
    for name, message in unread.items():
        errors[name] = [message]
    if errors:
        raise _unreadable(errors)


def _submitted(
    body: Schema, make_form: Callable[[dict[str, Any]], BaseForm], write: Callable[..., Any]
) -> Any:
    """``body`` read by the page's form, then written by ``write`` (the service) with the
    form's values: 422 ``invalid_input`` or ``refused`` naming each field otherwise."""
    with translation.override("fa"):
        data, unread = _form_data(body.model_dump())
        form = make_form(data)
        _read(unread, form)
        try:
            return write(**form.cleaned_data)
        except ValidationError as error:
            raise _refusal(error) from error


def _token(request: HttpRequest) -> Any:
    return request.auth.token  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> Any:
    return request.auth.user  # type: ignore[attr-defined]


def _unit_to_change(request: HttpRequest, unit_id: int) -> tuple[Any, Any]:
    """The caller and the unit they may change; 404 (as for a missing one) otherwise."""
    user = _user(request)
    if unit_id > MAX_ID:
        raise not_found()
    return user, enterprise_get_editable(user, unit_id)


@router.post(
    "",
    response={201: EnterpriseOut, **WRITE_ERRORS},
    summary="Register a unit",
    description=(
        "A read-write token. Registers the unit with its first status and place (dated), "
        "as the site's form does: where the person keeps units. An `Idempotency-Key` header "
        "(up to 100 characters) makes a retry of the same request answer the first answer "
        "instead of registering the unit twice."
    ),
)
def enterprise_create(request: HttpRequest, body: UnitCreateIn) -> Answer[dict[str, Any]]:
    user = _user(request)
    if not Scope.of(user).can("enterprises.create"):
        raise not_found()
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return _create(user, body)
    return _once(request, key.strip(), lambda: _create(user, body))


def _create(user: Any, body: UnitCreateIn) -> Answer[dict[str, Any]]:
    with translation.override("fa"):
        data, unread = _form_data(body.model_dump(exclude_none=True))
        for name, field in EnterpriseForm.base_fields.items():  # what the form starts with
            if name not in data and field.initial is not None:
                data[name] = field.initial
        if not data.get("industry_group"):  # the division's group, as the import does
            division = IsicDivision.objects.filter(pk=data.get("isic_division", "")).first()
            data["industry_group"] = division.group_id if division is not None else ""
        form = EnterpriseForm(data)
        place_form = EnterpriseCreatePlaceForm(data, **place_choices(user))
        park_required_for_park_managers(user, place_form)
        _read(unread, form, place_form)
        if not placement_allowed(user, place_form):
            raise _refused({name: [str(m) for m in ms] for name, ms in place_form.errors.items()})
        try:
            # The place form's fields: province, park, status, status_date, reason.
            unit = services.enterprise_create(
                actor=user, data=form.cleaned_data, **place_form.cleaned_data
            )
        except ValidationError as error:
            raise _refusal(error) from error
    return Answer(201, _answer(user, unit.pk))


def _answer(user: Any, unit_id: int) -> dict[str, Any]:
    return EnterpriseOut.model_validate(unit_detail(user, unit_id, None)).model_dump(mode="json")


def _once(
    request: HttpRequest, key: str, write: Callable[[], Answer[dict[str, Any]]]
) -> Answer[dict[str, Any]]:
    """``write`` done once per token and ``key``: the key is recorded in the write's
    transaction, so a retry (or a second request racing the first, which waits for it on
    the unique key) gets the first answer back; the same key with another body is refused.
    A refused write records nothing: the caller corrects it and sends it again."""
    if not key or len(key) > 100 or not key.isascii() or not key.isprintable():
        raise ApiError(
            422,
            "invalid_input",
            _("Some of the input could not be read."),
            [
                {
                    "field": "Idempotency-Key",
                    "in": "header",
                    "message": str(_("Up to 100 printable Latin characters.")),
                }
            ],
        )
    token = _token(request)
    fingerprint = hashlib.sha256(
        b"\n".join([(request.method or "").encode(), request.path.encode(), request.body])
    ).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotentWrite.objects.create(
                    token=token, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            earlier = IdempotentWrite.objects.get(token=token, key=key)
            if earlier.fingerprint != fingerprint:
                raise ApiError(
                    422,
                    "idempotency_key_reused",
                    _("This Idempotency-Key was used for another request; use a new key."),
                ) from None
            return Answer(earlier.status, earlier.answer)
        answered = write()
        record.status, record.answer = answered.status_code, answered.value
        record.save(update_fields=["status", "answer"])
        return answered


@router.patch(
    "/{int:unit_id}",
    response={200: EnterpriseOut, 409: ErrorOut, **WRITE_ERRORS},
    summary="Change a unit's profile",
    description=(
        "A read-write token. Only the fields sent change; `version` is `private.version` as "
        "last read: if someone saved the unit since, nothing is saved and the answer is 409 "
        "`stale_version` with the unit as it is now (`detail.current`) and the saves missed "
        "(`detail.changes`). A unit's owner may change the profile and contact fields only "
        "(the site's owner form). Status and place have their own dated writes."
    ),
)
def enterprise_edit(request: HttpRequest, unit_id: int, body: UnitEditIn) -> dict[str, Any]:
    user, unit = _unit_to_change(request, unit_id)
    owner_only = not Scope.of(user).can("enterprises.edit_every_field")
    sent = body.model_dump(exclude_unset=True)
    version = sent.pop("version")
    with translation.override("fa"):
        current = EnterpriseForm(instance=unit, owner_only=owner_only)
        kept = [name for name in sent if name not in current.fields]
        if kept:
            raise _unreadable(
                {name: [str(_("This field is not yours to change."))] for name in kept}
            )
        data, unread = _form_data(sent)
        initial = {name: current[name].initial for name in current.fields if name != "version"}
        form = EnterpriseForm(
            {**initial, **data, "version": version}, instance=unit, owner_only=owner_only
        )
        _read(unread, form)
        try:
            services.enterprise_update(
                actor=user,
                enterprise=unit,
                data=form.cleaned_data,
                fields=tuple(name for name in sent if name in form.cleaned_data),
                version=version,
            )
        except StaleEdit as stale:
            raise ApiError(
                409,
                "stale_version",
                _("Someone saved this unit after the version sent; nothing was saved."),
                {
                    "version": stale.version,
                    "current": _answer(user, unit.pk),
                    "changes": [
                        {"at": record.at, "by": record.actor_name, "changes": record.changes}
                        for record in stale.records
                    ],
                },
            ) from stale
        except ValidationError as error:
            raise _refusal(error) from error
    return _answer(user, unit.pk)


@router.post(
    "/{int:unit_id}/status",
    response={201: StatusEventOut, **WRITE_ERRORS},
    summary="Record a dated status change",
    description=(
        "A read-write token of staff who keep the unit. Refused (422 `refused`): a "
        "transition the lifecycle does not allow, a date in the future or before the "
        "previous event, an operating status without an operating permit."
    ),
)
def enterprise_status(request: HttpRequest, unit_id: int, body: StatusIn) -> Answer[Any]:
    user, unit = _unit_to_change(request, unit_id)
    if not Scope.of(user).can("enterprises.change_status"):
        raise not_found()
    event = _submitted(
        body,
        StatusChangeForm,
        lambda **data: services.enterprise_change_status(actor=user, enterprise=unit, **data),
    )
    return Answer(
        201,
        {
            "date": event.date,
            "date_jalali": jalali(event.date),
            "from_status": event.from_status,
            "to_status": event.to_status,
            "reason": event.reason,
        },
    )


class StageIn(Schema):
    to_stage: str = Field(max_length=40, description="a stage of the case's type")
    date: str = Field(description=DATE)
    reason: str = ""


@cases_router.post(
    "/{int:case_id}/stage",
    response={201: CaseEventOut, **WRITE_ERRORS},
    summary="Move a case to another stage",
    description=(
        "A read-write token of whoever works the case on the site (its office, the person it "
        "is assigned to, national staff). Only a stage its type allows from the current one "
        "(else 422 `invalid_input` naming `to_stage`), once the current stage's requirements "
        "are met (else 422 `refused` naming what is missing); what the stage does on the "
        "site it does here (a clinic's revival is written to the registry)."
    ),
)
def case_stage(request: HttpRequest, case_id: int, body: StageIn) -> Answer[Any]:
    user = _user(request)
    if case_id > MAX_ID:
        raise not_found()
    case = case_get_visible(user, case_id)
    if not Scope.of(user).can("cases.work", case):
        raise not_found()
    event = _submitted(
        body,
        lambda data: StageForm(data, case=case),
        lambda **data: case_move(actor=user, case=case, **data),
    )
    return Answer(
        201,
        {
            "date": event.date,
            "date_jalali": jalali(event.date),
            "kind": event.kind,
            "from_stage": event.from_stage,
            "stage": event.stage,
            "province": event.province.code,
            "reason": event.reason,
        },
    )
