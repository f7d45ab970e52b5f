"""Who may open and submit every enterprise page: the policy as a table.

``ACCESS[route][method][role][target]`` is what that person gets from that page. Targets
are the registry's units (tests/conftest.py): ``e`` (park P in Qom, unpublished, the
owner's), ``p_published`` (park P, published), ``qom_other_park`` (park P2 in Qom,
unpublished), ``qom_outside`` (Qom outside any park, unpublished), ``tehran_published``
and ``tehran_unpublished``; for registering a unit, the place it is registered in; ``-``
for pages about no unit.

Outcomes, as the person sees them:

- ``full``: 200, the whole unit: national ID, business ID, personal mobile, status
  timeline and change history;
- ``public``: 200, the published directory fields only (name, yes; national ID, business
  ID, mobile, timeline and history, no);
- ``page``: 200, the page or form;
- ``done``: a valid POST does what the page says (302 back to the unit's page, the change
  recorded and audited under the person's name);
- ``created``: 302 to the new unit's page, which its author can open;
- ``refused``: 200, the form again with the place marked wrong, nothing saved;
- ``404``: not found, and the page does not name the unit; ``405``: method not allowed;
- ``login``: 302 to the login page, back here afterwards.

A cluster development agent keeps clusters, not enterprises: on registry pages they are
like the public (they own nothing here).

Every outcome but ``done`` and ``created`` leaves the registry exactly as it was: no unit,
event or audit record written (``views_helpers.registry_state``).

A POST to the directory or a unit's page is answered like a GET (they change nothing).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from audit.services import history_of
from enterprises.models import Enterprise, Status, StatusEvent
from enterprises.services import enterprise_change_status
from tests.access_tables import ROLES, with_app_roles, with_two_grants
from tests.factories import days_ago, legal_id, reload
from tests.views_helpers import (
    enterprise_create_post_data,
    field_errors,
    is_login_redirect,
    jalali_text,
    page,
    profile_post_data,
    registry_state,
    shows,
)

UNITS = (
    "e", "p_published", "qom_other_park", "qom_outside", "tehran_published", "tehran_unpublished",
)  # fmt: skip
PLACES = ("park_p", "qom_other_park", "qom_outside", "tehran_park", "tehran_outside")
NO_UNIT = ("-",)


def _table(columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    assert tuple(rows) == ROLES
    return {role: dict(zip(columns, row, strict=True)) for role, row in rows.items()}


def _as_get(post: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Whoever may submit a form may open it: ``done`` on POST is ``page`` on GET."""
    return {
        role: {t: "page" if o == "done" else o for t, o in row.items()}
        for role, row in post.items()
    }


# fmt: off
EVERYONE_SEES_THE_DIRECTORY = _table(NO_UNIT, {
    "national_admin": ("page",),
    "officer_a":      ("page",),
    "officer_b":      ("page",),
    "park_manager":   ("page",),
    "owner":          ("page",),
    "cluster_agent":  ("page",),
    "anonymous":      ("page",),
})

#                     e       p_published qom_other_park qom_outside tehran_published tehran_unpublished
DETAIL = _table(UNITS, {
    "national_admin": ("full", "full",     "full",        "full",     "full",          "full"),
    "officer_a":      ("full", "full",     "full",        "full",     "public",        "404"),
    "officer_b":      ("404",  "public",   "404",         "404",      "full",          "full"),
    "park_manager":   ("full", "full",     "404",         "404",      "public",        "404"),
    "owner":          ("full", "public",   "404",         "404",      "public",        "404"),
    "cluster_agent":  ("404",  "public",   "404",         "404",      "public",        "404"),
    "anonymous":      ("404",  "public",   "404",         "404",      "public",        "404"),
})

# The profile: staff of the unit's province or park, and its owner.
EDIT = _table(UNITS, {
    "national_admin": ("done",  "done",  "done",  "done",  "done",  "done"),
    "officer_a":      ("done",  "done",  "done",  "done",  "404",   "404"),
    "officer_b":      ("404",   "404",   "404",   "404",   "done",  "done"),
    "park_manager":   ("done",  "done",  "404",   "404",   "404",   "404"),
    "owner":          ("done",  "404",   "404",   "404",   "404",   "404"),
    "cluster_agent":  ("404",   "404",   "404",   "404",   "404",   "404"),
    "anonymous":      ("login", "login", "login", "login", "login", "login"),
})

# Status, moves and corrections of the history: staff only; owners keep their profile.
STAFF_ONLY = _table(UNITS, {
    "national_admin": ("done",  "done",  "done",  "done",  "done",  "done"),
    "officer_a":      ("done",  "done",  "done",  "done",  "404",   "404"),
    "officer_b":      ("404",   "404",   "404",   "404",   "done",  "done"),
    "park_manager":   ("done",  "done",  "404",   "404",   "404",   "404"),
    "owner":          ("404",   "404",   "404",   "404",   "404",   "404"),
    "cluster_agent":  ("404",   "404",   "404",   "404",   "404",   "404"),
    "anonymous":      ("login", "login", "login", "login", "login", "login"),
})

# Moves: a park manager keeps units inside their parks, so the move this table tries (out
# of the unit's park, to outside any park) is refused for them with a field error.
MOVE = _table(UNITS, {
    "national_admin": ("done",    "done",    "done",  "done",  "done",  "done"),
    "officer_a":      ("done",    "done",    "done",  "done",  "404",   "404"),
    "officer_b":      ("404",     "404",     "404",   "404",   "done",  "done"),
    "park_manager":   ("refused", "refused", "404",   "404",   "404",   "404"),
    "owner":          ("404",     "404",     "404",   "404",   "404",   "404"),
    "cluster_agent":  ("404",     "404",     "404",   "404",   "404",   "404"),
    "anonymous":      ("login",   "login",   "login", "login", "login", "login"),
})

# Withdrawing the latest status change is a button on the correction page: POST only.
REVOKE_BY_GET = _table(UNITS, {
    "national_admin": ("405",   "405",   "405",   "405",   "405",   "405"),
    "officer_a":      ("405",   "405",   "405",   "405",   "405",   "405"),
    "officer_b":      ("405",   "405",   "405",   "405",   "405",   "405"),
    "park_manager":   ("405",   "405",   "405",   "405",   "405",   "405"),
    "owner":          ("405",   "405",   "405",   "405",   "405",   "405"),
    "cluster_agent":  ("405",   "405",   "405",   "405",   "405",   "405"),
    "anonymous":      ("login", "login", "login", "login", "login", "login"),
})

CREATE_FORM = _table(NO_UNIT, {
    "national_admin": ("page",),
    "officer_a":      ("page",),
    "officer_b":      ("page",),
    "park_manager":   ("page",),
    "owner":          ("404",),
    "cluster_agent":  ("404",),
    "anonymous":      ("login",),
})

# Registering a unit: only where the person keeps units afterwards (their province, their
# park), so that nobody registers what they could not see.
#                     park_p     qom_other_park qom_outside tehran_park tehran_outside
CREATE = _table(PLACES, {
    "national_admin": ("created", "created",     "created",  "created",  "created"),
    "officer_a":      ("created", "created",     "created",  "refused",  "refused"),
    "officer_b":      ("refused", "refused",     "refused",  "created",  "created"),
    "park_manager":   ("created", "refused",     "refused",  "refused",  "refused"),
    "owner":          ("404",     "404",         "404",      "404",      "404"),
    "cluster_agent":  ("404",     "404",         "404",      "404",      "404"),
    "anonymous":      ("login",   "login",       "login",    "login",    "login"),
})
# fmt: on

# A bank's officer, an adviser firm's staff, a consortium's promoter and a clinic consultant
# keep nothing in the registry: on its pages they are like the cluster agent.
ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_app_roles(
    with_two_grants(
        {
            "enterprise_directory": {
                "GET": EVERYONE_SEES_THE_DIRECTORY,
                "POST": EVERYONE_SEES_THE_DIRECTORY,
            },
            "enterprise_detail": {"GET": DETAIL, "POST": DETAIL},
            "enterprise_create": {"GET": CREATE_FORM, "POST": CREATE},
            "enterprise_edit": {"GET": _as_get(EDIT), "POST": EDIT},
            "enterprise_status": {"GET": _as_get(STAFF_ONLY), "POST": STAFF_ONLY},
            "enterprise_move": {"GET": _as_get(STAFF_ONLY), "POST": MOVE},
            "enterprise_event_correct": {"GET": _as_get(STAFF_ONLY), "POST": STAFF_ONLY},
            "enterprise_event_revoke": {"GET": REVOKE_BY_GET, "POST": STAFF_ONLY},
        }
    ),
    like="cluster_agent",
)

CASES = [
    pytest.param(route, method, who, target, outcome, id=f"{route}-{method}-{who}-{target}")
    for route, methods in ACCESS.items()
    for method, table in methods.items()
    for who, row in table.items()
    for target, outcome in row.items()
]

NEW_PRODUCTS = "شیرآلات صنعتی و اتصالات"
NEW_REASON = "تاریخ بازدید اصلاح شد"
NOTE = "اشتباه در ثبت"


def _place(reference: Any, target: str) -> tuple[Any, Any]:
    return {
        "park_p": (reference.qom, reference.park_p),
        "qom_other_park": (reference.qom, reference.park_p2),
        "qom_outside": (reference.qom, None),
        "tehran_park": (reference.tehran, reference.park_tehran),
        "tehran_outside": (reference.tehran, None),
    }[target]


def _destination(unit: Enterprise, reference: Any) -> tuple[Any, Any]:
    """A move that stays in the unit's province: out of its park, or into one."""
    if unit.park_id:
        return unit.province, None
    return unit.province, {
        reference.qom.pk: reference.park_p2,
        reference.tehran.pk: reference.park_tehran,
    }[unit.province_id]


def _first_event(unit: Enterprise) -> StatusEvent:
    return unit.status_events.order_by("date", "id")[0]


def _request(route: str, target: str, units: dict[str, Enterprise], reference: Any):
    """The URL of the page and the valid POST a person would send from it."""
    unit = units.get(target)
    if route in ("enterprise_directory", "enterprise_create"):
        url = reverse(route)
    elif route == "enterprise_event_correct":
        assert unit is not None
        url = reverse(route, args=[unit.pk, _first_event(unit).pk])
    else:
        assert unit is not None
        url = reverse(route, args=[unit.pk])
    data: dict[str, str] = {}
    if route == "enterprise_create":
        if target in PLACES:
            data = enterprise_create_post_data(
                *_place(reference, target), name=f"صنایع تازه {target}"
            )
    elif route == "enterprise_edit":
        data = profile_post_data(unit, products=NEW_PRODUCTS)
    elif route == "enterprise_status":
        data = {"to_status": Status.IDLE, "date": jalali_text(days_ago(1)), "reason": "بازدید"}
    elif route == "enterprise_move":
        province, park = _destination(unit, reference)
        data = {
            "province": province.code,
            "park": str(park.pk) if park else "",
            "date": jalali_text(days_ago(1)),
            "reason": "جابه‌جایی",
        }
    elif route == "enterprise_event_correct":
        event = _first_event(unit)
        data = {"date": jalali_text(event.date), "reason": NEW_REASON, "note": NOTE}
    elif route == "enterprise_event_revoke":
        data = {"revoke-note": NOTE}
    return unit, url, data


def _assert_done(route: str, unit: Enterprise, user: Any, reference: Any) -> None:
    fresh = reload(unit)
    actions = set(history_of(fresh).filter(actor=user).values_list("action", flat=True))
    if route == "enterprise_edit":
        assert fresh.products == NEW_PRODUCTS
        assert actions == {"update"}
    elif route == "enterprise_status":
        assert (fresh.status, fresh.status_since) == (Status.IDLE, days_ago(1))
        assert fresh.status_events.count() == 2
        assert actions == {"status"}
    elif route == "enterprise_move":
        assert (fresh.province, fresh.park) == _destination(unit, reference)
        assert fresh.location_events.count() == 2
        assert actions == {"move"}
    elif route == "enterprise_event_correct":
        assert _first_event(fresh).reason == NEW_REASON
        assert actions == {"correct"}
    elif route == "enterprise_event_revoke":
        assert fresh.status == Status.ACTIVE
        assert fresh.status_events.count() == 1
        assert actions == {"revoke"}
    else:  # pragma: no cover - the table only says "done" for these routes
        raise AssertionError(route)


def _assert_sees_all_of(html: str, unit: Enterprise) -> None:
    assert unit.name in html
    assert shows(html, unit.legal_id)
    assert shows(html, unit.business_id)
    assert shows(html, unit.mobile)
    assert 'data-testid="timeline"' in html
    assert 'data-testid="audit-history"' in html


def _assert_sees_only_the_directory_fields_of(html: str, unit: Enterprise) -> None:
    assert f'data-testid="enterprise-name">{unit.name}<' in html
    assert not shows(html, unit.legal_id)
    assert not shows(html, unit.business_id)
    assert not shows(html, unit.mobile)
    assert 'data-testid="timeline"' not in html
    assert 'data-testid="audit-history"' not in html
    assert _first_event(unit).reason not in html  # the status history's reasons
    assert reverse("enterprise_edit", args=[unit.pk]) not in html


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_every_role_gets_what_the_policy_table_says_on_every_enterprise_page(
    route, method, who, target, outcome, user_of, client_for, units, reference
) -> None:
    user = user_of(who)
    client = client_for(user)
    unit, url, data = _request(route, target, units, reference)
    if route == "enterprise_event_revoke":  # something to withdraw: a second status event
        enterprise_change_status(
            actor=None, enterprise=unit, to_status=Status.IDLE, date=days_ago(30), reason="بازدید"
        )
        unit = reload(unit)
    before = registry_state()

    response = client.get(url) if method == "GET" else client.post(url, data)

    html = page(response)
    got = f"{who} {method} {url} → {response.status_code} {response.get('Location', '')}"
    if outcome == "done":
        assert response.status_code == 302, f"expected it done, got {got}"
        assert response["Location"] == unit.get_absolute_url()
        _assert_done(route, unit, user, reference)
        return
    if outcome == "created":
        assert response.status_code == 302, f"expected it registered, got {got}"
        match = re.fullmatch(r"/enterprises/(\d+)/", response["Location"])
        assert match
        created = Enterprise.objects.get(pk=match.group(1))
        assert created.name == data["name"]
        assert (created.status_events.count(), created.location_events.count()) == (1, 1)
        assert history_of(created).filter(action="create", actor=user).count() == 1
        assert client.get(response["Location"]).status_code == 200, "its author cannot open it"
        return
    if outcome == "full":
        assert response.status_code == 200, got
        _assert_sees_all_of(html, unit)
    elif outcome == "public":
        assert response.status_code == 200, got
        _assert_sees_only_the_directory_fields_of(html, unit)
    elif outcome == "page":
        assert response.status_code == 200, got
        assert "<form" in html
        if unit is not None:
            assert unit.name in html
    elif outcome == "refused":
        assert response.status_code == 200, f"expected the form refused, got {got}"
        assert field_errors(response) & {"province", "park"}
    elif outcome == "404":
        assert response.status_code == 404, got
        if unit is not None:
            assert unit.name not in html
    elif outcome == "405":
        assert response.status_code == 405, got
    elif outcome == "login":
        assert is_login_redirect(response, url), got
    else:  # pragma: no cover
        raise AssertionError(f"unknown outcome {outcome!r}")
    assert registry_state() == before, "a refused or read-only request changed the registry"


# --- what the table cannot say ---------------------------------------------------------------


@pytest.mark.parametrize("route", ["enterprise_detail", "enterprise_edit", "enterprise_status"])
def test_a_hidden_unit_answers_exactly_like_a_unit_that_does_not_exist(
    route, officer_b, client_for, units
) -> None:
    client = client_for(officer_b)
    hidden = client.get(reverse(route, args=[units["qom_outside"].pk]))
    missing = client.get(reverse(route, args=[10**9]))

    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_a_park_manager_cannot_register_a_unit_outside_their_parks(
    park_manager, client_for, reference
) -> None:
    """Known bug: the form lets a park manager leave the park empty, and the unit is
    registered in their province outside any park, where they cannot see it (the redirect
    after saving answers 404)."""
    before = registry_state()

    response = client_for(park_manager).post(
        reverse("enterprise_create"), enterprise_create_post_data(reference.qom, None)
    )

    assert response.status_code == 200, f"registered, then {response.get('Location')}"
    assert "park" in field_errors(response)
    assert registry_state() == before


def test_a_correction_link_with_another_units_event_is_not_found(
    national_admin, client_for, units
) -> None:
    other_event = _first_event(units["tehran_unpublished"])
    url = reverse("enterprise_event_correct", args=[units["e"].pk, other_event.pk])
    before = registry_state()

    response = client_for(national_admin).post(
        url, {"date": jalali_text(other_event.date), "reason": NEW_REASON, "note": NOTE}
    )

    assert response.status_code == 404
    assert registry_state() == before


def test_an_owner_keeps_products_capabilities_and_contact_but_not_the_national_id_or_status(
    owner, client_for, units
) -> None:
    unit = units["e"]
    data = profile_post_data(
        unit,
        products=NEW_PRODUCTS,
        capabilities="ریخته‌گری تحت فشار",
        phone="۰۲۵۳۳۳۴۴۵۵۶",
        email="sales@example.ir",
        legal_id=legal_id(),  # not theirs to change: ignored
        published=True,  # neither is publication
    )
    data["status"] = Status.CLOSED  # nor the status

    response = client_for(owner).post(reverse("enterprise_edit", args=[unit.pk]), data)

    assert response.status_code == 302
    fresh = reload(unit)
    assert (fresh.products, fresh.capabilities) == (NEW_PRODUCTS, "ریخته‌گری تحت فشار")
    assert (fresh.phone, fresh.email) == ("02533344556", "sales@example.ir")
    assert fresh.legal_id == unit.legal_id
    assert fresh.published is False
    assert fresh.status == Status.ACTIVE
    assert fresh.status_events.count() == 1


def test_the_owners_form_offers_no_national_id_permit_or_publication_field(
    owner, client_for, units
) -> None:
    html = page(client_for(owner).get(reverse("enterprise_edit", args=[units["e"].pk])))

    assert 'name="products"' in html
    assert 'name="mobile"' in html
    for field in ("legal_id", "business_id", "permit_number", "published", "isic_division"):
        assert f'name="{field}"' not in html


def test_an_owner_sees_their_whole_unit_but_no_status_or_move_buttons(
    owner, client_for, units
) -> None:
    unit = units["e"]
    html = page(client_for(owner).get(unit.get_absolute_url()))

    _assert_sees_all_of(html, unit)
    assert reverse("enterprise_edit", args=[unit.pk]) in html
    assert reverse("enterprise_status", args=[unit.pk]) not in html
    assert reverse("enterprise_move", args=[unit.pk]) not in html


def test_staff_see_the_status_and_move_buttons_on_units_they_keep(
    park_manager, client_for, units
) -> None:
    unit = units["p_published"]
    html = page(client_for(park_manager).get(unit.get_absolute_url()))

    assert reverse("enterprise_status", args=[unit.pk]) in html
    assert reverse("enterprise_move", args=[unit.pk]) in html
