"""Changing one's own password and resetting a forgotten one by e-mail: both save through
``accounts.services.password_change_own``, audited without the password."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditRecord
from tests.factories import PASSWORD, make_user
from tests.views_helpers import page

NEW = "Ab3-new-garden-path"


@pytest.fixture
def person(db):
    sara = make_user(username="sara")
    sara.email = "sara@example.org"
    sara.save(update_fields=["email"])
    return sara


def _password_records(person) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action="password", target_id=str(person.pk)))


def test_a_person_changes_their_password_stays_logged_in_and_it_is_audited(client, person):
    client.force_login(person)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("password_change_done"))
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert 'data-testid="whoami"' in page(client.get(reverse("home")))
    [record] = _password_records(person)
    assert record.actor_id == person.pk
    assert NEW not in str(record.changes)


def test_a_wrong_old_password_changes_nothing(client, person):
    client.force_login(person)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert _password_records(person) == []


def test_the_top_bar_and_the_login_page_link_to_the_password_pages(client, person):
    assert reverse("password_reset") in page(client.get(reverse("login")))
    client.force_login(person)
    assert reverse("password_change") in page(client.get(reverse("home")))


def test_a_reset_link_is_mailed_and_following_it_sets_the_password(client, person):
    response = client.post(reverse("password_reset"), {"email": "sara@example.org"})

    assert (response.status_code, response["Location"]) == (302, reverse("password_reset_done"))
    [message] = mail.outbox
    assert message.to == ["sara@example.org"]
    assert message.subject == "پیشران: انتخاب گذرواژهٔ جدید"
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert 'name="new_password1"' in page(form)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert (done.status_code, done["Location"]) == (302, reverse("password_reset_complete"))
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert len(_password_records(person)) == 1
    # The link works once.
    assert 'data-testid="reset-invalid"' in page(client.get(link.group(1), follow=True))


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, person):
    known = client.post(reverse("password_reset"), {"email": "sara@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1
