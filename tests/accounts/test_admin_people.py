"""Changes to people made in the Django admin go through the audited services: creating a
person, (de)activating, superuser and staff status, a password set there. Grants are shown
but not edited there (the people pages give and withdraw them)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Grant, Role, User
from audit.models import AuditRecord
from tests.factories import PASSWORD, make_user, reload


@pytest.fixture
def root(reference) -> User:
    return make_user(Role.NATIONAL_ADMIN, username="root", is_staff=True, is_superuser=True)


def _change_data(person: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        "grants-TOTAL_FORMS": "0",
        "grants-INITIAL_FORMS": str(person.grants.count()),
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
    }
    flags = {"is_active": person.is_active, "is_staff": person.is_staff,
             "is_superuser": person.is_superuser}  # fmt: skip
    flags.update({k: v for k, v in changes.items() if k in flags})
    data.update({k: "on" for k, v in flags.items() if v})
    data.update({k: v for k, v in changes.items() if k not in flags})
    return data


def _records(person: User, action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action, target_id=str(person.pk)))


def test_making_someone_a_superuser_in_the_admin_is_audited_under_the_admin(
    root, officer_a, client_for
) -> None:
    url = reverse("admin:accounts_user_change", args=[officer_a.pk])

    response = client_for(root).post(url, _change_data(officer_a, is_superuser=True, is_staff=True))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert reload(officer_a).is_superuser
    (record,) = _records(officer_a, "superuser")
    assert record.actor == root and record.actor_name == "root"
    assert record.changes["is_superuser"] == [False, True]


def test_deactivating_in_the_admin_is_audited(root, officer_a, client_for) -> None:
    url = reverse("admin:accounts_user_change", args=[officer_a.pk])

    client_for(root).post(url, _change_data(officer_a, is_active=False))

    assert not reload(officer_a).is_active
    assert len(_records(officer_a, "deactivate")) == 1


def test_the_admin_refuses_to_leave_nobody_national_and_saves_nothing(root, client_for) -> None:
    # ``root`` (a superuser with a national grant) is the only national person
    url = reverse("admin:accounts_user_change", args=[root.pk])
    before = AuditRecord.objects.count()

    response = client_for(root).post(url, _change_data(root, is_superuser=False))

    # the grant keeps root national: allowed
    assert response.status_code == 302
    assert not reload(root).is_superuser
    grant = Grant.objects.get(user=root, role=Role.NATIONAL_ADMIN)
    Grant.objects.filter(pk=grant.pk).delete()  # as if it had never been given
    User.objects.filter(pk=root.pk).update(is_superuser=True)
    before = AuditRecord.objects.count()

    response = client_for(reload(root)).post(url, _change_data(reload(root), is_superuser=False))

    assert response.status_code == 200
    assert "national administrator" in response.content.decode() or "مدیر ملی" in (
        response.content.decode()
    )
    assert reload(root).is_superuser
    assert AuditRecord.objects.count() == before


def test_a_password_set_in_the_admin_is_audited_without_the_password(
    root, officer_a, client_for
) -> None:
    url = reverse("admin:auth_user_password_change", args=[officer_a.pk])
    new = "a-new-long-password-1405"

    response = client_for(root).post(
        url, {"password1": new, "password2": new, "set_usable_password": "true"}
    )

    assert response.status_code == 302
    assert reload(officer_a).check_password(new)
    (record,) = _records(officer_a, "password")
    assert record.actor == root
    assert new not in str(record.changes) and PASSWORD not in str(record.changes)


def test_a_person_created_in_the_admin_is_audited_and_holds_no_grant_yet(root, client_for) -> None:
    response = client_for(root).post(
        reverse("admin:accounts_user_add"),
        {"username": "newcomer", "password1": "a-long-password-1405",
         "password2": "a-long-password-1405", "usable_password": "true",
         "grants-TOTAL_FORMS": "0", "grants-INITIAL_FORMS": "0"},
    )  # fmt: skip

    assert response.status_code == 302
    person = User.objects.get(username="newcomer")
    assert person.check_password("a-long-password-1405")
    assert len(_records(person, "person_create")) == 1
    assert not Grant.objects.filter(user=person).exists()
