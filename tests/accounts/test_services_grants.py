"""Giving and withdrawing grants, and adding people with their first role: who may, what is
written (the grant and its audit record, in one transaction, naming the actor as they were)
and what a refusal leaves behind (nothing: the same grants, people and audit records).

People come from tests/conftest.py: ``officer_a`` (Qom), ``officer_b`` (Tehran),
``national_admin``; ``reference`` has the parks (``park_p``, ``park_p2`` in Qom,
``park_tehran``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from accounts import services
from accounts.models import Grant, Role, User
from accounts.services import grant_give, grant_withdraw, person_create
from audit.models import AuditRecord
from audit.services import history_of
from persian.jalali import today
from tests.factories import make_enterprise, make_user, reload


def counts() -> dict[str, int]:
    return {
        "grants": Grant.objects.count(),
        "live": Grant.objects.live().count(),
        "people": User.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


@pytest.fixture
def person(reference: Any) -> User:
    """Somebody of Qom: manager of the الغدیر park."""
    return make_user(Role.PARK_MANAGER, first_name="نرگس", last_name="پارسا",
                     parks=[reference.park_p2])  # fmt: skip


def said(message: str, **params: Any) -> str:
    """A service's message as the person reads it (Persian unless told otherwise)."""
    return gettext(message) % {k: gettext(v) for k, v in params.items()}


def refused(field: str, call: Any, **kwargs: Any) -> str:
    """Runs ``call`` and checks it was refused on ``field`` with nothing written."""
    before = counts()
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert counts() == before, "a refusal wrote something"
    assert field in caught.value.message_dict, caught.value.message_dict
    return " ".join(caught.value.message_dict[field])


# --- giving --------------------------------------------------------------------------------


def test_a_grant_is_written_with_its_audit_record_naming_the_actor(
    national_admin, person, reference
) -> None:
    national_admin.first_name, national_admin.last_name = "سارا", "رحیمی"
    national_admin.save()
    before = counts()

    grant = grant_give(
        actor=national_admin, person=person, role=Role.PARK_MANAGER, place_id=reference.park_p.pk,
        note="حکم ۱۲۳",
    )  # fmt: skip

    assert counts() == {**before, "grants": before["grants"] + 1, "live": before["live"] + 1,
                        "audit": before["audit"] + 1}  # fmt: skip
    assert (grant.starts_on, grant.given_by, grant.place_kind) == (today(), national_admin, "park")
    record = history_of(person).get(action="grant", target_id=str(grant.pk))
    assert record.actor == national_admin
    assert record.actor_name == "سارا رحیمی (national_admin)"
    assert record.target_id == str(grant.pk)
    assert record.changes["role"] == [None, Role.PARK_MANAGER]
    assert record.changes["place"] == [None, reference.park_p.name]
    assert record.note == "حکم ۱۲۳"


def test_a_grant_and_its_audit_record_are_one_transaction(
    national_admin, person, reference, monkeypatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(services, "audit_record", broken)
    before = counts()

    with pytest.raises(RuntimeError):
        grant_give(actor=national_admin, person=person, role=Role.PARK_MANAGER,
                   place_id=reference.park_p.pk)  # fmt: skip

    assert counts() == before


def test_an_officer_gives_the_roles_a_province_hands_out_within_it(
    officer_a, person, reference
) -> None:
    grant = grant_give(
        actor=officer_a, person=person, role=Role.CLUSTER_AGENT, place_id=reference.qom.pk
    )

    assert grant.is_live()
    assert history_of(person).get(action="grant", target_id=str(grant.pk)).actor == officer_a


def test_an_officer_cannot_give_a_role_in_another_province(officer_a, person, reference) -> None:
    message = refused(
        "role", grant_give, actor=officer_a, person=person, role=Role.PARK_MANAGER,
        place_id=reference.park_tehran.pk,
    )  # fmt: skip

    assert message == said(
        "You can give the role %(role)s only within your own province.", role="park manager"
    )


@pytest.mark.parametrize("role", [Role.NATIONAL_ADMIN, Role.PROVINCIAL_OFFICER])
def test_an_officer_cannot_give_a_national_role(role, officer_a, person, reference) -> None:
    place = None if role == Role.NATIONAL_ADMIN else reference.qom.pk

    message = refused("role", grant_give, actor=officer_a, person=person, role=role,
                      place_id=place)  # fmt: skip

    assert message == said(
        "Only a national administrator can give the role %(role)s.", role=dict(Role.choices)[role]
    )


@pytest.mark.parametrize("who", ["park_manager", "owner", "cluster_agent"])
def test_nobody_else_gives_anything(who, user_of, person, reference) -> None:
    refused("role", grant_give, actor=user_of(who), person=person, role=Role.PARK_MANAGER,
            place_id=reference.park_p.pk)  # fmt: skip


def test_a_role_over_a_place_needs_its_place(officer_a, person) -> None:
    message = refused("place", grant_give, actor=officer_a, person=person,
                      role=Role.PARK_MANAGER)  # fmt: skip

    assert message == said(
        "The role %(role)s is given over a %(kind)s: choose one.",
        role="park manager",
        kind="park or zone",
    )


def test_a_nation_wide_role_takes_no_place(national_admin, person, reference) -> None:
    refused("place", grant_give, actor=national_admin, person=person, role=Role.NATIONAL_ADMIN,
            place_id=reference.qom.pk)  # fmt: skip


def test_a_place_that_does_not_exist_is_refused(national_admin, person) -> None:
    refused("place", grant_give, actor=national_admin, person=person, role=Role.PARK_MANAGER,
            place_id=10**9)  # fmt: skip


def test_an_unknown_role_is_refused(national_admin, person) -> None:
    refused("role", grant_give, actor=national_admin, person=person, role="astronaut")


def test_no_role_is_given_to_a_deactivated_person(officer_a, reference) -> None:
    person = make_user(Role.PARK_MANAGER, parks=[reference.park_p2], is_active=False)

    message = refused("person", grant_give, actor=officer_a, person=person,
                      role=Role.PARK_MANAGER, place_id=reference.park_p.pk)  # fmt: skip

    assert message == said(
        "%(person)s is deactivated: reactivate them before giving a role.",
        person=person.display_name,
    )


def test_the_same_role_over_the_same_place_is_not_given_twice(officer_a, person, reference):
    refused("role", grant_give, actor=officer_a, person=person, role=Role.PARK_MANAGER,
            place_id=reference.park_p2.pk)  # fmt: skip


def test_a_grant_starts_at_most_a_year_ahead(national_admin, person, reference) -> None:
    refused("starts_on", grant_give, actor=national_admin, person=person,
            role=Role.PARK_MANAGER, place_id=reference.park_p.pk,
            starts_on=today() + dt.timedelta(days=400))  # fmt: skip


# --- withdrawing ---------------------------------------------------------------------------


def test_a_withdrawn_grant_is_kept_as_history_with_its_audit_record(officer_a, person) -> None:
    grant = person.grants.get()

    grant_withdraw(actor=officer_a, grant=grant, note="پایان مأموریت")

    grant = reload(grant)
    assert (grant.withdrawn_on, grant.withdrawn_by) == (today(), officer_a)
    assert not grant.is_live()
    record = history_of(person).get(action="grant_withdraw")
    assert (record.actor, record.target_id, record.note) == (officer_a, str(grant.pk),
                                                             "پایان مأموریت")  # fmt: skip
    assert record.actor_name == "officer_a"


def test_the_last_national_administrator_keeps_their_role(national_admin) -> None:
    message = refused("grant", grant_withdraw, actor=national_admin,
                      grant=national_admin.grants.get())  # fmt: skip

    assert message == said(
        "This would leave nobody as national administrator: give the role to someone else first."
    )


def test_a_national_administrator_may_step_down_when_another_remains(national_admin) -> None:
    make_user(Role.NATIONAL_ADMIN)

    grant_withdraw(actor=national_admin, grant=national_admin.grants.get())

    assert not reload(national_admin).grants.live().exists()


def test_an_officer_withdraws_nothing_in_another_province(officer_b, person) -> None:
    refused("grant", grant_withdraw, actor=officer_b, grant=person.grants.get())


def test_an_officer_cannot_withdraw_an_officers_role(officer_a) -> None:
    colleague = make_user(Role.PROVINCIAL_OFFICER, province="IR-25")

    refused("grant", grant_withdraw, actor=officer_a, grant=colleague.grants.get())


def test_a_role_is_withdrawn_once(officer_a, person) -> None:
    grant = person.grants.get()
    grant_withdraw(actor=officer_a, grant=grant)

    message = refused("grant", grant_withdraw, actor=officer_a, grant=grant)

    assert message == said("This role was already withdrawn.")


# --- adding a person with their first role -------------------------------------------------


def test_an_officer_adds_a_person_with_their_first_role(officer_a, reference) -> None:
    before = counts()

    person = person_create(
        actor=officer_a,
        data={"username": "samira", "first_name": "سمیرا", "last_name": "نوروزی"},
        role=Role.PARK_MANAGER,
        place_id=reference.park_p.pk,
    )

    assert counts() == {"grants": before["grants"] + 1, "live": before["live"] + 1,
                        "people": before["people"] + 1, "audit": before["audit"] + 2}  # fmt: skip
    assert not person.has_usable_password()
    assert set(history_of(person).values_list("action", "actor")) == {
        ("person_create", officer_a.pk),
        ("grant", officer_a.pk),
    }


@pytest.mark.parametrize(
    ("role", "place", "field"),
    [
        ("", None, "role"),  # an officer adds nobody without a role
        (Role.NATIONAL_ADMIN, None, "role"),
        (Role.PARK_MANAGER, "park_tehran", "role"),
        (Role.PARK_MANAGER, None, "place"),
    ],
)
def test_a_person_whose_first_role_is_refused_is_not_added(
    role, place, field, officer_a, reference
) -> None:
    place_id = getattr(reference, place).pk if place else None

    refused(field, person_create, actor=officer_a,
            data={"username": "nobody", "first_name": "هیچ", "last_name": "کس"},
            role=role, place_id=place_id)  # fmt: skip

    assert not User.objects.filter(username="nobody").exists()


def test_a_weak_password_is_refused_under_the_password_field(officer_a, reference) -> None:
    refused("password", person_create, actor=officer_a,
            data={"username": "weak", "first_name": "ضعیف", "last_name": "رمز"},
            role=Role.PARK_MANAGER, place_id=reference.park_p.pk, password="123")  # fmt: skip


def test_a_username_already_taken_is_refused(officer_a, person, reference) -> None:
    refused("username", person_create, actor=officer_a,
            data={"username": person.username, "first_name": "دو", "last_name": "بار"},
            role=Role.PARK_MANAGER, place_id=reference.park_p.pk)  # fmt: skip


# --- who may manage whom -------------------------------------------------------------------


def test_an_officer_manages_only_people_whose_roles_all_lie_in_their_province(
    officer_a, person, reference
) -> None:
    from accounts.scope import Scope

    scope = Scope.of(officer_a)
    assert services.may_manage_person(scope, person)

    unit = make_enterprise(province=reference.tehran)
    grant_give(actor=None, person=person, role=Role.ENTERPRISE_OWNER, place_id=unit.pk)

    assert not services.may_manage_person(scope, reload(person))
    refused("person", services.person_set_active, actor=officer_a, person=reload(person),
            active=False)  # fmt: skip


# --- roles over places in no province (a bank, an adviser firm) -------------------------------


@pytest.mark.parametrize("role", ["bank_officer", "market_adviser"])
def test_national_staff_give_and_withdraw_a_role_over_a_place_in_no_province(
    role, national_admin, person
) -> None:
    from finance.models import AdviserFirm, Bank

    place = (
        Bank.objects.get_or_create(code="melli", defaults={"name": "بانک ملی"})[0]
        if role == "bank_officer"
        else AdviserFirm.objects.create(code="sabz", name="مشاور سبز")
    )

    grant = grant_give(actor=national_admin, person=person, role=role, place_id=place.pk)
    grant_withdraw(actor=national_admin, grant=grant)

    assert reload(grant).withdrawn_by == national_admin
    actions = list(history_of(person).values_list("action", flat=True))
    assert actions.count("grant") == 2 and actions.count("grant_withdraw") == 1


def test_an_officer_neither_gives_nor_withdraws_a_bank_officer_role(
    officer_a, national_admin, person
) -> None:
    from finance.models import Bank

    melli = Bank.objects.get_or_create(code="melli", defaults={"name": "بانک ملی"})[0]
    before = counts()
    with pytest.raises(ValidationError) as refused:
        grant_give(actor=officer_a, person=person, role="bank_officer", place_id=melli.pk)
    assert refused.value.message_dict == {
        "role": [gettext("Only a national administrator can give the role %(role)s.")
                 % {"role": gettext("bank officer")}]
    }  # fmt: skip
    assert counts() == before

    grant = grant_give(actor=national_admin, person=person, role="bank_officer", place_id=melli.pk)
    with pytest.raises(ValidationError, match=gettext("You may not withdraw this role.")):
        grant_withdraw(actor=officer_a, grant=grant)
    assert reload(grant).withdrawn_on is None
