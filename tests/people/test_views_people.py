"""Who may open and submit every "people and roles" page: the policy as a table, then what
the table cannot say (the refusals with their messages, search, what an officer does not
see of a person's roles elsewhere).

``ACCESS[route][method][role][target]`` reads like ``tests/enterprises/test_views_access.py``.
Targets: the provinces ``qom`` and ``tehran`` (a province's page, adding a person there);
``qom_person`` (park manager of الغدیر in Qom) and ``tehran_person`` (park manager of پرند
in Tehran) for a person's pages; ``qom_grant`` / ``tehran_grant``, those two grants; ``-``
for the index.

Outcomes:

- ``page``: 200, the page (a province's people, a person, a form);
- ``done``: a valid POST does what the button says (302 back to the person's page, the
  change made and audited under the person's name);
- ``created``: 302 to the new person's page, the person and their first grant saved and
  audited;
- ``to_qom`` / ``to_tehran``: 302 to that province's people page (an officer's index);
- ``404``, ``405``, ``login`` (302 to the login page, back here afterwards).

Every outcome but ``done`` and ``created`` leaves people, grants and the audit trail as
they were (``people_state``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Grant, Role, User
from accounts.services import grant_give, grant_withdraw
from audit.models import AuditRecord
from audit.services import history_of
from finance.roles import BANK_OFFICER, MARKET_ADVISER
from persian.text import to_persian_digits
from tests.access_tables import ROLES, with_two_grants
from tests.factories import give, legal_id, make_enterprise, make_user, reload
from tests.finance.conftest import bank
from tests.views_helpers import (
    field_error_text,
    field_errors,
    is_login_redirect,
    jalali_text,
    page,
)

PROVINCES = ("qom", "tehran")
PEOPLE = ("qom_person", "tehran_person")
GRANTS = ("qom_grant", "tehran_grant", "bank_grant")
NO_TARGET = ("-",)
NEW_PASSWORD = "پیشران-رمز-تازه-۱۴۰۴"  # noqa: S105 (tests only)


def _table(columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    assert tuple(rows) == ROLES
    return {role: dict(zip(columns, row, strict=True)) for role, row in rows.items()}


def _as_get(post: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Whoever may submit a form may open it: ``done``/``created`` on POST is ``page``."""
    return {
        role: {t: "page" if o in ("done", "created") else o for t, o in row.items()}
        for role, row in post.items()
    }


def _logged_in_405(columns: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {
        role: dict.fromkeys(columns, "login" if role == "anonymous" else "405") for role in ROLES
    }


# fmt: off
INDEX = _table(NO_TARGET, {
    "national_admin": ("page",),
    "officer_a":      ("to_qom",),
    "officer_b":      ("to_tehran",),
    "park_manager":   ("404",),
    "owner":          ("404",),
    "cluster_agent":  ("404",),
    "anonymous":      ("login",),
})

#                     qom        tehran
PROVINCE = _table(PROVINCES, {
    "national_admin": ("page",    "page"),
    "officer_a":      ("page",    "404"),
    "officer_b":      ("404",     "page"),
    "park_manager":   ("404",     "404"),
    "owner":          ("404",     "404"),
    "cluster_agent":  ("404",     "404"),
    "anonymous":      ("login",   "login"),
})

CREATE = _table(PROVINCES, {
    "national_admin": ("created", "created"),
    "officer_a":      ("created", "404"),
    "officer_b":      ("404",     "created"),
    "park_manager":   ("404",     "404"),
    "owner":          ("404",     "404"),
    "cluster_agent":  ("404",     "404"),
    "anonymous":      ("login",   "login"),
})

#                     qom_person tehran_person
PERSON = _table(PEOPLE, {
    "national_admin": ("page",    "page"),
    "officer_a":      ("page",    "404"),
    "officer_b":      ("404",     "page"),
    "park_manager":   ("404",     "404"),
    "owner":          ("404",     "404"),
    "cluster_agent":  ("404",     "404"),
    "anonymous":      ("login",   "login"),
})

CHANGE_PERSON = _table(PEOPLE, {
    "national_admin": ("done",    "done"),
    "officer_a":      ("done",    "404"),
    "officer_b":      ("404",     "done"),
    "park_manager":   ("404",     "404"),
    "owner":          ("404",     "404"),
    "cluster_agent":  ("404",     "404"),
    "anonymous":      ("login",   "login"),
})

# bank_grant: a bank officer's role over a bank, a place in no province (national staff only)
#                     qom_grant  tehran_grant bank_grant
WITHDRAW = _table(GRANTS, {
    "national_admin": ("done",    "done",      "done"),
    "officer_a":      ("done",    "404",       "404"),
    "officer_b":      ("404",     "done",      "404"),
    "park_manager":   ("404",     "404",       "404"),
    "owner":          ("404",     "404",       "404"),
    "cluster_agent":  ("404",     "404",       "404"),
    "anonymous":      ("login",   "login",     "login"),
})
# fmt: on

ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "people_index": {"GET": INDEX, "POST": _logged_in_405(NO_TARGET)},
        "people_province": {"GET": PROVINCE, "POST": _logged_in_405(PROVINCES)},
        "person_create": {"GET": _as_get(CREATE), "POST": CREATE},
        "person_detail": {"GET": PERSON, "POST": _logged_in_405(PEOPLE)},
        "person_grant_give": {"GET": _as_get(CHANGE_PERSON), "POST": CHANGE_PERSON},
        "person_activate": {"GET": _logged_in_405(PEOPLE), "POST": CHANGE_PERSON},
        "person_password": {"GET": _as_get(CHANGE_PERSON), "POST": CHANGE_PERSON},
        "grant_withdraw": {"GET": _as_get(WITHDRAW), "POST": WITHDRAW},
    }
)

CASES = [
    pytest.param(route, method, who, target, outcome, id=f"{route}-{method}-{who}-{target}")
    for route, methods in ACCESS.items()
    for method, table in methods.items()
    for who, row in table.items()
    for target, outcome in row.items()
]


@pytest.fixture
def people(reference: Any) -> dict[str, Any]:
    """The targets: a person and their grant in each province."""
    qom_person = make_user(
        Role.PARK_MANAGER,
        username="qom_person",
        first_name="نرگس",
        last_name="پارسا",
        parks=[reference.park_p2],
    )
    tehran_person = make_user(
        Role.PARK_MANAGER,
        username="tehran_person",
        first_name="بهرام",
        last_name="تهرانی",
        parks=[reference.park_tehran],
    )
    bank_person = make_user(username="bank_person", first_name="شیرین", last_name="بانکی")
    bank_grant = give(bank_person, BANK_OFFICER, bank("melli"))
    return {
        "qom": reference.qom,
        "tehran": reference.tehran,
        "qom_person": qom_person,
        "tehran_person": tehran_person,
        "qom_grant": qom_person.grants.get(),
        "tehran_grant": tehran_person.grants.get(),
        "bank_grant": bank_grant,
    }


def people_state() -> dict[str, Any]:
    """What a refused or read-only request must leave as it was."""
    return {
        "people": list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "first_name", "is_active", "password"
            )
        ),
        "grants": list(Grant.objects.order_by("pk").values_list("pk", "role", "withdrawn_on")),
        "audit_records": AuditRecord.objects.count(),
    }


def _request(route: str, target: str, people: dict[str, Any], who: str, reference: Any):
    """The URL of the page and the valid POST a person would send from it."""
    obj = people.get(target)
    if route == "people_index":
        return reverse(route), {}
    if route in ("people_province", "person_create"):
        url = reverse(route, args=[obj.code])
        park = reference.park_p if target == "qom" else reference.park_tehran
        data = {
            "username": f"new_{who}",
            "first_name": "سمیرا",
            "last_name": "نوروزی",
            "email": "",
            "phone": "۰۹۱۲۱۲۳۴۵۶۷",
            "password": "",
            "role": Role.PARK_MANAGER,
            "province": obj.code,
            "park": str(park.pk),
        }
        return url, data
    url = reverse(route, args=[obj.pk])
    if route == "person_grant_give":
        if target == "qom_person":  # a second park in Qom
            return url, {"role": Role.PARK_MANAGER, "park": str(reference.park_p.pk)}
        return url, {"role": Role.CLUSTER_AGENT, "province": reference.tehran.code}
    if route == "person_activate":
        return url, {"active": "0"}
    if route == "person_password":
        return url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    if route == "grant_withdraw":
        return url, {"note": "پایان مأموریت"}
    return url, {}


def _assert_done(route: str, target: str, people: dict[str, Any], user: Any) -> None:
    if route == "grant_withdraw":
        grant = reload(people[target])
        assert grant.withdrawn_on is not None and grant.withdrawn_by == user
        person = grant.user
        expected = "grant_withdraw"
    else:
        person = reload(people[target])
        expected = {
            "person_grant_give": "grant",
            "person_activate": "deactivate",
            "person_password": "password",
        }[route]
    if route == "person_grant_give":
        assert person.grants.live().count() == 2
    if route == "person_activate":
        assert not person.is_active
    if route == "person_password":
        assert person.check_password(NEW_PASSWORD)
    actions = list(history_of(person).filter(actor=user).values_list("action", flat=True))
    assert actions == [expected]


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_every_role_gets_what_the_policy_table_says_on_every_people_page(
    route, method, who, target, outcome, user_of, client_for, people, reference
) -> None:
    user = user_of(who)
    client = client_for(user)
    url, data = _request(route, target, people, who, reference)
    before = people_state()

    response = client.get(url) if method == "GET" else client.post(url, data)

    html = page(response)
    got = f"{who} {method} {url} → {response.status_code} {response.get('Location', '')}"
    if outcome == "done":
        assert response.status_code == 302, f"expected it done, got {got}\n{field_errors(response)}"
        person = people[target].user if route == "grant_withdraw" else people[target]
        assert response["Location"] == reverse("person_detail", args=[person.pk])
        _assert_done(route, target, people, user)
        return
    if outcome == "created":
        assert response.status_code == 302, f"expected it created, got {got}"
        created = User.objects.get(username=data["username"])
        assert response["Location"] == reverse("person_detail", args=[created.pk])
        assert created.grants.live().get().place_id == int(data["park"])
        actions = set(history_of(created).filter(actor=user).values_list("action", flat=True))
        assert actions == {"person_create", "grant"}
        assert client.get(response["Location"]).status_code == 200, "its author cannot open it"
        return
    if outcome == "page":
        assert response.status_code == 200, got
        if route in ("person_detail", "person_grant_give", "person_password"):
            assert people[target].first_name in html
        if route == "people_province":
            assert people[f"{target}_person"].first_name in html
    elif outcome in ("to_qom", "to_tehran"):
        code = people[outcome[3:]].code
        assert (response.status_code, response.get("Location")) == (
            302,
            reverse("people_province", args=[code]),
        ), got
    elif outcome == "404":
        assert response.status_code == 404, got
        obj = people.get(target)
        if isinstance(obj, User):
            assert obj.first_name not in html
    elif outcome == "405":
        assert response.status_code == 405, got
    elif outcome == "login":
        assert is_login_redirect(response, url), got
    else:  # pragma: no cover
        raise AssertionError(f"unknown outcome {outcome!r}")
    assert people_state() == before, "a refused or read-only request changed people or grants"


# --- what the table cannot say -------------------------------------------------------------


def _persian(message: str, **params: Any) -> str:
    """A message as the Persian page shows it (its translation, with its parameters)."""
    with translation.override("fa"):
        return translation.gettext(message) % params


def _give(client, person: User, **data: Any):
    return client.post(reverse("person_grant_give", args=[person.pk]), data)


def test_an_officer_cannot_give_a_role_over_a_place_in_another_province(
    officer_a, client_for, people, reference
) -> None:
    before = people_state()

    response = _give(
        client_for(officer_a),
        people["qom_person"],
        role=Role.PARK_MANAGER,
        park=reference.park_tehran.pk,
    )

    assert response.status_code == 200
    message = _persian(
        "You can give the role %(role)s only within your own province.",
        role=_persian("park manager"),
    )
    assert message in field_error_text(response, "role")
    assert people_state() == before
    # and the province's own page is not theirs to open
    assert client_for(officer_a).get(reverse("people_province", args=["IR-23"])).status_code == 404


@pytest.mark.parametrize("role", [Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER])
def test_an_officer_cannot_give_a_national_role(
    role, officer_a, client_for, people, reference
) -> None:
    before = people_state()

    response = _give(client_for(officer_a), people["qom_person"], role=role, province="IR-25")

    assert response.status_code == 200
    message = _persian(
        "Only a national administrator can give the role %(role)s.",
        role=_persian(dict(Role.choices)[role]),
    )
    assert message in field_error_text(response, "role")
    assert people_state() == before


def test_the_role_a_province_does_not_hand_out_is_not_offered_to_an_officer(
    officer_a, national_admin, client_for, people
) -> None:
    url = reverse("person_grant_give", args=[people["qom_person"].pk])

    officer_form = page(client_for(officer_a).get(url))
    national_form = page(client_for(national_admin).get(url))

    assert f'value="{Role.PARK_MANAGER}"' in officer_form
    assert f'value="{Role.NATIONAL_ADMIN}"' not in officer_form
    assert f'value="{Role.PROVINCIAL_OFFICER}"' not in officer_form
    assert f'value="{Role.NATIONAL_ADMIN}"' in national_form


def test_national_staff_give_a_bank_officer_role_choosing_the_bank_and_withdraw_it(
    national_admin, client_for, people
) -> None:
    person = people["qom_person"]
    melli = bank("melli")
    url = reverse("person_grant_give", args=[person.pk])
    form = page(client_for(national_admin).get(url))
    assert f'value="{BANK_OFFICER}"' in form and f'value="{MARKET_ADVISER}"' in form
    assert 'name="place_bank"' in form and melli.name in form

    response = _give(client_for(national_admin), person, role=BANK_OFFICER, place_bank=melli.pk)

    assert response.status_code == 302, field_errors(response)
    grant = person.grants.live().get(role=BANK_OFFICER)
    assert (grant.place_kind, grant.place_id) == ("bank", melli.pk)
    assert melli.name in page(
        client_for(national_admin).get(reverse("person_detail", args=[person.pk]))
    )
    response = client_for(national_admin).post(
        reverse("grant_withdraw", args=[grant.pk]), {"note": ""}
    )
    assert response.status_code == 302
    assert reload(grant).withdrawn_on is not None


def test_a_bank_officer_role_given_without_its_bank_is_refused_under_the_bank_list(
    national_admin, client_for, people
) -> None:
    before = people_state()

    response = _give(client_for(national_admin), people["qom_person"], role=BANK_OFFICER)

    assert response.status_code == 200
    message = _persian(
        "The role %(role)s is given over a %(kind)s: choose one.",
        role=_persian("bank officer"),
        kind=_persian("bank"),
    )
    assert message in field_error_text(response, "place_bank")
    assert people_state() == before


def test_an_officer_is_not_offered_the_bank_and_adviser_roles_and_cannot_give_them(
    officer_a, client_for, people
) -> None:
    person = people["qom_person"]
    form = page(client_for(officer_a).get(reverse("person_grant_give", args=[person.pk])))
    assert f'value="{BANK_OFFICER}"' not in form and 'name="place_bank"' not in form
    assert f'value="{MARKET_ADVISER}"' not in form and 'name="place_adviser"' not in form
    before = people_state()

    response = _give(client_for(officer_a), person, role=BANK_OFFICER, place_bank=bank("melli").pk)

    assert response.status_code == 200
    message = _persian(
        "Only a national administrator can give the role %(role)s.", role=_persian("bank officer")
    )
    assert message in field_error_text(response, "role")
    assert people_state() == before


def test_a_role_given_without_its_place_is_refused_under_the_place_field(
    officer_a, client_for, people
) -> None:
    before = people_state()

    response = _give(client_for(officer_a), people["qom_person"], role=Role.PARK_MANAGER)

    assert response.status_code == 200
    message = _persian(
        "The role %(role)s is given over a %(kind)s: choose one.",
        role=_persian("park manager"),
        kind=_persian("park or zone"),
    )
    assert message in field_error_text(response, "park")
    assert _persian("Please correct the fields marked below. Nothing was saved.") in page(response)
    assert people_state() == before


def test_no_role_is_given_to_a_deactivated_person(officer_a, client_for, reference) -> None:
    person = make_user(
        Role.PARK_MANAGER, first_name="کامران", parks=[reference.park_p2], is_active=False
    )
    before = people_state()

    response = _give(
        client_for(officer_a), person, role=Role.PARK_MANAGER, park=reference.park_p.pk
    )

    assert response.status_code == 200
    message = _persian(
        "%(person)s is deactivated: reactivate them before giving a role.",
        person=person.display_name,
    )
    assert message in page(response)
    assert people_state() == before


def test_the_last_national_administrator_keeps_their_role(national_admin, client_for) -> None:
    grant = national_admin.grants.get()
    before = people_state()

    response = client_for(national_admin).post(reverse("grant_withdraw", args=[grant.pk]))

    assert response.status_code == 200
    message = _persian(
        "This would leave nobody as national administrator: give the role to someone else first."
    )
    assert message in page(response)
    assert reload(grant).withdrawn_on is None
    assert people_state() == before


def test_an_officer_cannot_add_a_person_with_a_national_role(
    officer_a, client_for, reference
) -> None:
    before = people_state()

    response = client_for(officer_a).post(
        reverse("person_create", args=["IR-25"]),
        {"username": "would_be_admin", "first_name": "آرش", "last_name": "کمانگیر",
         "role": Role.NATIONAL_ADMIN},
    )  # fmt: skip

    assert response.status_code == 200
    assert "role" in field_errors(response)
    assert people_state() == before
    assert not User.objects.filter(username="would_be_admin").exists()


def test_a_unit_is_chosen_by_its_national_id_typed_in_persian_digits(
    officer_a, client_for, people, reference
) -> None:
    unit = make_enterprise(park=reference.park_p, name="صنایع لوله قم", legal_id=legal_id())
    person = people["qom_person"]

    response = _give(
        client_for(officer_a),
        person,
        role=Role.ENTERPRISE_OWNER,
        province="IR-25",
        enterprise=to_persian_digits(unit.legal_id),
    )

    assert response.status_code == 302, field_errors(response)
    assert person.grants.live().filter(role=Role.ENTERPRISE_OWNER, place_id=unit.pk).exists()


@pytest.mark.parametrize("where", ["nowhere", "tehran"])
def test_a_unit_typed_that_is_not_in_the_province_is_refused_clearly(
    where, officer_a, client_for, people, reference
) -> None:
    typed = (
        legal_id()
        if where == "nowhere"
        else make_enterprise(province=reference.tehran, legal_id=legal_id()).legal_id
    )
    before = people_state()

    response = _give(
        client_for(officer_a),
        people["qom_person"],
        role=Role.ENTERPRISE_OWNER,
        province="IR-25",
        enterprise=typed,
    )

    assert response.status_code == 200
    message = _persian(
        "No unit in %(where)s has the number or national ID %(typed)s.",
        where=reference.qom.name_fa,
        typed=typed,
    )
    assert message in field_error_text(response, "enterprise")
    assert people_state() == before


def test_the_province_page_finds_people_however_their_name_is_typed(
    officer_a, client_for, people, reference
) -> None:
    make_user(Role.PARK_MANAGER, first_name="کاظم", last_name="یزدی", parks=[reference.park_p])
    url = reverse("people_province", args=["IR-25"])

    found = page(client_for(officer_a).get(url, {"q": "كاظم يزدي"}))  # Arabic kaf and yeh

    assert "کاظم" in found
    assert people["qom_person"].first_name not in found
    everyone = page(client_for(officer_a).get(url))
    assert "کاظم" in everyone and people["qom_person"].first_name in everyone


def test_the_province_page_lists_roles_with_their_jalali_date_in_persian_digits(
    officer_a, client_for, people
) -> None:
    html = page(client_for(officer_a).get(reverse("people_province", args=["IR-25"])))

    since = jalali_text(people["qom_grant"].starts_on, persian=True)
    assert since in html
    assert "الغدیر" in html


def test_an_officer_sees_none_of_a_persons_roles_in_another_province(
    officer_a, client_for, reference
) -> None:
    hidden_unit = make_enterprise(
        province=reference.tehran, name="فولاد پنهان تهران", published=False
    )
    person = make_user(Role.PARK_MANAGER, first_name="ژاله", parks=[reference.park_p2])
    grant_give(actor=None, person=person, role=Role.ENTERPRISE_OWNER, place_id=hidden_unit.pk)

    html = page(client_for(officer_a).get(reverse("person_detail", args=[person.pk])))

    assert "ژاله" in html and "الغدیر" in html
    assert hidden_unit.name not in html  # neither in the roles nor in the history
    assert 'data-testid="hidden-grants"' in html
    # Nor may they manage someone who also holds a role elsewhere.
    assert 'data-testid="deactivate"' not in html


def test_the_person_page_shows_withdrawn_roles_with_who_gave_and_withdrew_them(
    national_admin, client_for, people
) -> None:
    person = people["qom_person"]
    grant_withdraw(actor=national_admin, grant=people["qom_grant"], note="پایان مأموریت")

    html = page(client_for(national_admin).get(reverse("person_detail", args=[person.pk])))

    assert 'data-testid="grant-past"' in html
    assert national_admin.username in html
    assert "پایان مأموریت" in html
    assert _persian("role withdrawn") in html  # the audit history, in words


def test_withdrawing_from_the_province_page_comes_back_to_it(officer_a, client_for, people) -> None:
    back = reverse("people_province", args=["IR-25"]) + "?q=%D9%86%D8%B1%DA%AF%D8%B3"

    response = client_for(officer_a).post(
        reverse("grant_withdraw", args=[people["qom_grant"].pk]), {"next": back}
    )

    assert (response.status_code, response["Location"]) == (302, back)
    assert reload(people["qom_grant"]).withdrawn_on is not None


def test_a_next_address_outside_the_people_pages_is_ignored(officer_a, client_for, people) -> None:
    response = client_for(officer_a).post(
        reverse("person_activate", args=[people["qom_person"].pk]),
        {"active": "0", "next": "https://example.com/people/"},
    )

    assert response["Location"] == reverse("person_detail", args=[people["qom_person"].pk])


def test_deactivating_yourself_is_refused_with_a_message(national_admin, client_for) -> None:
    make_user(Role.NATIONAL_ADMIN)  # so that it is not the last one that stops it
    client = client_for(national_admin)

    response = client.post(
        reverse("person_activate", args=[national_admin.pk]), {"active": "0"}, follow=True
    )

    assert _persian("You cannot deactivate yourself.") in page(response)
    assert reload(national_admin).is_active


def test_a_password_the_validators_refuse_is_shown_under_its_field(
    officer_a, client_for, people
) -> None:
    before = people_state()

    response = client_for(officer_a).post(
        reverse("person_password", args=[people["qom_person"].pk]),
        {"password": "123", "password_again": "123"},
    )

    assert response.status_code == 200
    assert "password" in field_errors(response)
    assert people_state() == before


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("national_admin", True),
        ("officer_a", True),
        ("park_manager", False),
        ("owner", False),
        ("cluster_agent", False),
        ("anonymous", False),
    ],
)
def test_the_menu_has_a_people_link_for_national_staff_and_officers_only(
    who, shown, user_of, client_for, db
) -> None:
    html = page(client_for(user_of(who)).get(reverse("home")))

    assert ('data-testid="nav-people"' in html) is shown


def test_the_national_index_counts_each_provinces_people(
    national_admin, client_for, people, reference
) -> None:
    make_user(Role.PARK_MANAGER, parks=[reference.park_p, reference.park_p2])  # counted once

    html = page(client_for(national_admin).get(reverse("people_index")))

    assert reverse("people_province", args=["IR-25"]) in html
    assert 'data-testid="people-count-IR-25">۲<' in html  # qom_person and the new one
    assert 'data-testid="people-count-IR-23">۱<' in html
    assert 'data-testid="people-count-IR-30">۰<' in html
    assert national_admin.username in html  # nation-wide people


def test_the_top_bar_names_every_role_a_person_holds_with_its_place(
    officer_b_and_park_manager, client_for
) -> None:
    html = page(client_for(officer_b_and_park_manager).get(reverse("home")))
    whoami = html.split('data-testid="whoami">')[1].split("</span>")[0]

    assert "کارشناس استانی (تهران)" in whoami
    assert "مدیر شهرک (شکوهیه" in whoami
