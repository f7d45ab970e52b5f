"""Writes to the registry through the API with a read-write token: registering a unit,
changing its profile with the version it was read at, recording a dated status change.

Each is judged as the same write on the site (the pages' forms and the registry's
services): what succeeds writes the history, the audit record and the domain event;
what is refused writes nothing and answers JSON naming each field in Persian; a unit
outside the caller's scope is a 404, for every role."""

from __future__ import annotations

import json
from typing import Any

import pytest

from audit.services import history_of
from enterprises.events import UnitChanged, UnitCreated, UnitStatusChanged
from enterprises.models import Enterprise, LocationEvent, StatusEvent
from tests.access_tables import ROLES
from tests.api.conftest import make_token
from tests.events_helpers import recording
from tests.factories import days_ago, legal_id, reload
from tests.views_helpers import jalali_text, registry_state


@pytest.fixture
def send(client) -> Any:  # type: ignore[no-untyped-def]
    """``send(method, path, token, body, **headers)`` → the API's response to a JSON body."""

    def go(method: str, path: str, token: str | None, body: Any, **headers: str) -> Any:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return getattr(client, method)(
            f"/api/v1{path}",
            data=json.dumps(body),
            content_type="application/json",
            headers=headers,
        )

    return go


def new_unit(park: Any, **changes: Any) -> dict[str, Any]:
    """A valid unit to register in ``park``, typed as an integrator's system might send it:
    Persian digits, a Jalali status date, an ISO permit date."""
    body: dict[str, Any] = {
        "name": "صنایع تازه‌وارد",
        "legal_id": legal_id(),
        "permit_number": "۱۲۳/پ",
        "permit_date": days_ago(400).isoformat(),
        "isic_division": "۱۰",
        "employees": "۱۲",
        "products": "قطعات فلزی",
        "province": park.province.code.lower(),
        "park": park.pk,
        "status": "active",
        "status_date": jalali_text(days_ago(30), persian=True).replace("/", "-"),
        "reason": "ثبت از سامانه استان",
    }
    return {**body, **changes}


def _fields(response: Any) -> dict[str, str]:
    return {entry["field"]: entry["message"] for entry in response.json()["detail"]}


# --- registering a unit --------------------------------------------------------------------


def test_a_unit_registered_through_the_api_has_its_history_audit_and_event(
    send, reference, officer_a
) -> None:
    body = new_unit(reference.park_p)

    with recording(UnitCreated, in_transaction=True) as events:
        response = send("post", "/enterprises", make_token(officer_a, "read_write"), body)

    assert response.status_code == 201, response.content
    out = response.json()
    unit = Enterprise.objects.get(pk=out["id"])
    assert (unit.employees, unit.isic_division_id, unit.park_id) == (12, "10", reference.park_p.pk)
    assert unit.status_since == days_ago(30) and unit.permit_date == days_ago(400)
    assert out["status_since"] == days_ago(30).isoformat() and out["private"]["version"] == 1
    assert StatusEvent.objects.filter(enterprise=unit, to_status="active").count() == 1
    assert LocationEvent.objects.filter(enterprise=unit, park=reference.park_p).count() == 1
    record = history_of(unit).get(action="create")
    assert record.actor == officer_a
    assert [event.enterprise_id for event in events] == [unit.pk]


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"status_date": "1401-12-30"}, "invalid_input", "status_date"),  # no such day
        ({"permit_date": "yesterday"}, "invalid_input", "permit_date"),
        ({"employees": "دوازده"}, "invalid_input", "employees"),
        ({"isic_division": "99"}, "invalid_input", "isic_division"),
        ({"isic_division": "1\x000"}, "invalid_input", "isic_division"),  # NUL: PostgreSQL
        ({"industry_group": "food\x00"}, "invalid_input", "industry_group"),
        ({"province": "IR-\x0025"}, "invalid_input", "province"),
        ({"products": "قطعات \ud800"}, "invalid_input", "products"),  # a lone surrogate
        ({"legal_id": "12345678901"}, "refused", "legal_id"),  # wrong check digit
        ({"status_date": (days_ago(-5)).isoformat()}, "refused", "status_date"),  # future
        ({"permit_number": ""}, "refused", "permit_number"),  # operating without a permit
    ],
)
def test_bad_input_is_refused_field_by_field_in_persian_and_nothing_is_written(
    send, reference, officer_a, changes, code, field
) -> None:
    token = make_token(officer_a, "read_write")
    before = registry_state()

    response = send("post", "/enterprises", token, new_unit(reference.park_p, **changes))

    assert response.status_code == 422, response.content
    assert response.json()["code"] == code
    message = _fields(response)[field]
    assert any("\u0600" <= ch <= "\u06ff" for ch in message), message  # Persian
    assert registry_state() == before


def test_a_body_that_is_not_the_schema_is_invalid_input(send, reference, officer_a) -> None:
    token = make_token(officer_a, "read_write")
    body = new_unit(reference.park_p)
    del body["name"]

    response = send("post", "/enterprises", token, {**body, "status": "revived"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert {"name", "status"} <= {entry["field"] for entry in response.json()["detail"]}


# Registering: where the person keeps units (the page's table, CREATE), else refused; 404
# for those who register nothing.
#                park_p   qom_outside tehran_park
CREATE = {
    "national_admin": ("done", "done", "done"),
    "officer_a": ("done", "done", "refused"),
    "officer_b": ("refused", "refused", "done"),
    "park_manager": ("done", "refused", "refused"),
    "owner": ("404", "404", "404"),
    "cluster_agent": ("404", "404", "404"),
}
PLACES = ("park_p", "qom_outside", "tehran_park")


@pytest.mark.parametrize(
    ("who", "place", "outcome"),
    [
        (who, place, outcome)
        for who, row in CREATE.items()
        for place, outcome in zip(PLACES, row, strict=True)
    ],
)
def test_each_role_registers_where_the_site_lets_them(
    send, reference, user_of, who, place, outcome
) -> None:
    park = {"park_p": reference.park_p, "tehran_park": reference.park_tehran}.get(place)
    body = new_unit(park or reference.park_p)
    if park is None:
        body["park"] = None
    token = make_token(user_of(who), "read_write")
    before = Enterprise.objects.count()

    response = send("post", "/enterprises", token, body)

    expected = {"done": 201, "refused": 422, "404": 404}[outcome]
    assert response.status_code == expected, response.content
    assert Enterprise.objects.count() == before + (outcome == "done")


def test_a_read_token_or_none_cannot_write(send, reference, officer_a) -> None:
    body = new_unit(reference.park_p)

    read = send("post", "/enterprises", make_token(officer_a, "read"), body)
    none = send("post", "/enterprises", None, body)

    assert (read.status_code, read.json()["code"]) == (403, "token_read_only")
    assert (none.status_code, none.json()["code"]) == (401, "token_required")
    assert not Enterprise.objects.filter(name=body["name"]).exists()


def test_a_retried_create_with_its_idempotency_key_registers_once(
    send, reference, officer_a
) -> None:
    token = make_token(officer_a, "read_write")
    body = new_unit(reference.park_p)

    first = send("post", "/enterprises", token, body, **{"Idempotency-Key": "req-1"})
    again = send("post", "/enterprises", token, body, **{"Idempotency-Key": "req-1"})
    other = send(
        "post", "/enterprises", token, {**body, "name": "دیگر"}, **{"Idempotency-Key": "req-1"}
    )

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Enterprise.objects.filter(name=body["name"]).count() == 1
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")


def test_a_refused_create_keeps_its_key_free_for_the_corrected_request(
    send, reference, officer_a
) -> None:
    token = make_token(officer_a, "read_write")
    body = new_unit(reference.park_p)

    refused = send(
        "post", "/enterprises", token, {**body, "employees": "x"}, **{"Idempotency-Key": "k"}
    )
    corrected = send("post", "/enterprises", token, body, **{"Idempotency-Key": "k"})

    assert (refused.status_code, corrected.status_code) == (422, 201)


# --- changing a profile --------------------------------------------------------------------


def test_a_profile_change_saves_the_fields_sent_audits_and_announces_it(
    send, registry, officer_a
) -> None:
    unit = registry.qom_outside
    token = make_token(officer_a, "read_write")

    with recording(UnitChanged, in_transaction=True) as events:
        response = send(
            "patch",
            f"/enterprises/{unit.pk}",
            token,
            {"version": unit.version, "products": "شیرآلات", "employees": "۳۰"},
        )

    assert response.status_code == 200, response.content
    after = reload(unit)
    assert (after.products, after.employees, after.name) == ("شیرآلات", 30, unit.name)
    assert response.json()["private"]["version"] == unit.version + 1
    assert history_of(unit).filter(action="update", actor=officer_a).count() == 1
    assert [set(event.changes) >= {"products", "employees"} for event in events] == [True]


def test_a_stale_version_answers_409_with_the_current_values_and_saves_nothing(
    send, registry, officer_a, national_admin
) -> None:
    unit = registry.qom_outside
    send(
        "patch",
        f"/enterprises/{unit.pk}",
        make_token(national_admin, "read_write"),
        {"version": unit.version, "products": "ورق فولادی"},
    )

    response = send(
        "patch",
        f"/enterprises/{unit.pk}",
        make_token(officer_a, "read_write"),
        {"version": unit.version, "products": "شیرآلات"},
    )

    assert response.status_code == 409
    answer = response.json()
    assert answer["code"] == "stale_version"
    assert answer["detail"]["version"] == unit.version + 1
    assert answer["detail"]["current"]["products"] == "ورق فولادی"
    assert answer["detail"]["changes"][0]["changes"]["products"][1] == "ورق فولادی"
    assert reload(unit).products == "ورق فولادی"


def test_an_owner_changes_their_profile_but_not_the_registry_fields(send, registry, owner) -> None:
    unit = registry.e
    token = make_token(owner, "read_write")

    kept = send("patch", f"/enterprises/{unit.pk}", token, {"version": 1, "legal_id": legal_id()})
    done = send("patch", f"/enterprises/{unit.pk}", token, {"version": 1, "phone": "۰۲۵۳۳۴۴۵۵۶۶"})

    assert (kept.status_code, kept.json()["code"]) == (422, "invalid_input")
    assert "legal_id" in _fields(kept)
    assert done.status_code == 200 and reload(unit).phone == "02533445566"


# Changing a profile and recording a status, each role on a unit in park P (Qom) and an
# unpublished unit in Tehran: the pages' tables (EDIT, STAFF_ONLY) — 404 outside the scope.
#                  profile: e      tehran      status: e     tehran
WRITES = {
    "national_admin": (("done", "done"), ("done", "done")),
    "officer_a": (("done", "404"), ("done", "404")),
    "officer_b": (("404", "done"), ("404", "done")),
    "park_manager": (("done", "404"), ("done", "404")),
    "owner": (("done", "404"), ("404", "404")),
    "cluster_agent": (("404", "404"), ("404", "404")),
    "officer_b_and_park_manager": (("done", "done"), ("done", "done")),
}


@pytest.mark.parametrize(
    ("who", "write", "target", "outcome"),
    [
        (who, write, target, outcome)
        for who, row in WRITES.items()
        for write, outcomes in zip(("profile", "status"), row, strict=True)
        for target, outcome in zip(("e", "tehran_unpublished"), outcomes, strict=True)
    ],
)
def test_each_role_writes_only_the_units_the_site_lets_them(
    send, registry, user_of, who, write, target, outcome
) -> None:
    assert set(ROLES) - {"anonymous"} <= set(WRITES)
    unit = getattr(registry, target)
    token = make_token(user_of(who), "read_write")
    before = registry_state()

    if write == "profile":
        response = send("patch", f"/enterprises/{unit.pk}", token, {"version": 1, "products": "نو"})
    else:
        response = send(
            "post",
            f"/enterprises/{unit.pk}/status",
            token,
            {"to_status": "idle", "date": days_ago(1).isoformat(), "reason": "بازدید"},
        )

    if outcome == "404":
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert registry_state() == before
    else:
        assert response.status_code in (200, 201), response.content
        assert reload(unit).products == "نو" or reload(unit).status == "idle"


# --- recording a status change -------------------------------------------------------------


def test_a_status_change_is_recorded_dated_audited_and_announced(send, registry, officer_a) -> None:
    unit = registry.qom_outside
    day = days_ago(3)

    with recording(UnitStatusChanged, in_transaction=True) as events:
        response = send(
            "post",
            f"/enterprises/{unit.pk}/status",
            make_token(officer_a, "read_write"),
            {"to_status": "idle", "date": jalali_text(day, persian=True), "reason": "تعطیل"},
        )

    assert response.status_code == 201, response.content
    assert response.json()["date"] == day.isoformat()
    assert response.json()["from_status"] == "active"
    after = reload(unit)
    assert (after.status, after.status_since) == ("idle", day)
    event = StatusEvent.objects.get(enterprise=unit, to_status="idle")
    assert history_of(unit).get(action="status").actor == officer_a
    assert [e.status_event_id for e in events] == [event.pk]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"to_status": "under_construction"}, "refused", "to_status"),  # never back
        ({"to_status": "active"}, "refused", "to_status"),  # already active
        ({"date": days_ago(-3).isoformat()}, "refused", "date"),  # future
        ({"date": days_ago(900).isoformat()}, "refused", "date"),  # before the last event
        ({"date": "۱۴۰۳-۱۳-۰۱"}, "invalid_input", "date"),
        ({"reason": ""}, "invalid_input", "reason"),
    ],
)
def test_a_status_change_the_registry_refuses_writes_nothing(
    send, registry, officer_a, body, code, field
) -> None:
    unit = registry.qom_outside
    token = make_token(officer_a, "read_write")
    before = registry_state()
    valid = {"to_status": "idle", "date": days_ago(1).isoformat(), "reason": "بازدید"}

    response = send("post", f"/enterprises/{unit.pk}/status", token, {**valid, **body})

    assert response.status_code == 422, response.content
    assert response.json()["code"] == code and field in _fields(response)
    assert registry_state() == before


def test_a_write_to_a_unit_that_does_not_exist_is_a_404(send, officer_a) -> None:
    token = make_token(officer_a, "read_write")

    response = send("patch", "/enterprises/999999", token, {"version": 1})

    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_body_that_is_not_json_is_refused_in_the_error_shape(client, officer_a) -> None:
    response = client.post(
        "/api/v1/enterprises",
        data="{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {make_token(officer_a, 'read_write')}"},
    )

    assert response.status_code in (400, 422)
    assert response.json()["code"] == "invalid_input"


# --- moving a case -------------------------------------------------------------------------


def test_a_case_moved_through_the_api_has_its_event_and_audit(send, clinic, officer_a) -> None:
    case = clinic.case
    day = days_ago(2)

    response = send(
        "post",
        f"/cases/{case.pk}/stage",
        make_token(officer_a, "read_write"),
        {"to_stage": "diagnosis", "date": jalali_text(day, persian=True), "reason": "بازدید"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["stage"] == "diagnosis" and response.json()["from_stage"] == "opened"
    assert (reload(case).stage, reload(case).stage_since) == ("diagnosis", day)
    assert history_of(case).get(action="case_stage").actor == officer_a


@pytest.mark.parametrize(
    ("who", "scope", "status", "code"),
    [
        ("officer_b", "read_write", 404, "not_found"),  # another province's office
        ("owner", "read_write", 404, "not_found"),  # sees their unit's case, works none
        ("officer_a", "read", 403, "token_read_only"),
    ],
)
def test_a_case_is_moved_only_by_whoever_works_it_with_a_write_token(
    send, clinic, user_of, who, scope, status, code
) -> None:
    token = make_token(user_of(who), scope)
    before = (clinic.case.stage, clinic.case.stage_since)

    response = send(
        "post",
        f"/cases/{clinic.case.pk}/stage",
        token,
        {"to_stage": "diagnosis", "date": days_ago(1).isoformat()},
    )

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert (reload(clinic.case).stage, reload(clinic.case).stage_since) == before


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"to_stage": "revived"}, "invalid_input", "to_stage"),  # not from «opened»
        ({"date": days_ago(-2).isoformat()}, "refused", "date"),  # future
        ({"date": "1403-07-31"}, "invalid_input", "date"),  # Mehr has 30 days
    ],
)
def test_a_case_move_its_type_refuses_writes_nothing(
    send, clinic, officer_a, body, code, field
) -> None:
    token = make_token(officer_a, "read_write")
    valid = {"to_stage": "diagnosis", "date": days_ago(1).isoformat()}

    response = send("post", f"/cases/{clinic.case.pk}/stage", token, {**valid, **body})

    assert response.status_code == 422, response.content
    assert response.json()["code"] == code and field in _fields(response)
    assert reload(clinic.case).stage == "opened"
