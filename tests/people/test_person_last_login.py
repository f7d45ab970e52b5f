"""The person's page tells when they last logged in: Jalali, Persian digits, or "never"."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user
from tests.views_helpers import page


def _last_login(client, person) -> str:
    html = page(client.get(reverse("person_detail", args=[person.pk])))
    found = re.search(r'data-testid="last-login">([^<]*)<', html)
    assert found is not None
    return found.group(1)


def test_the_last_login_is_shown_in_jalali_with_persian_digits(client, national_admin):
    person = make_user(username="reza")
    person.last_login = dt.datetime(2024, 3, 20, 8, 0, tzinfo=dt.UTC)  # 1 Farvardin 1403
    person.save(update_fields=["last_login"])
    client.force_login(national_admin)

    shown = _last_login(client, person)

    assert shown.startswith("۱۴۰۳/۰۱/۰۱"), shown
    assert timezone.localtime(person.last_login).strftime("%H") not in shown  # Persian digits


def test_someone_who_never_logged_in_is_shown_as_never(client, national_admin):
    person = make_user(username="nima")
    client.force_login(national_admin)

    assert _last_login(client, person) == "هرگز"
