"""The people pages give the promoter role over a consortium typed by its number: a
provincial officer over their province's consortia only; the promoter then keeps that
consortium's readiness and exports."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Grant, Role
from consortia.roles import PROMOTER
from persian.text import to_persian_digits
from tests.consortia.conftest import Consortia
from tests.factories import make_user
from tests.views_helpers import field_errors

pytestmark = pytest.mark.django_db


def _give(client: Any, person: Any, consortium: Any) -> Any:
    return client.post(
        reverse("person_grant_give", args=[person.pk]),
        {"role": PROMOTER, "consortium": to_persian_digits(str(consortium.pk))},
    )


def test_an_officer_makes_someone_the_promoter_of_their_province_s_consortium(
    consortia: Consortia, officer_a: Any, client_for: Any, reference: Any
) -> None:
    person = make_user(Role.PARK_MANAGER, username="new_promoter", parks=[reference.park_p2])

    response = _give(client_for(officer_a), person, consortia.qom)

    assert response.status_code == 302, field_errors(response)
    assert person.grants.live().filter(role=PROMOTER, place_id=consortia.qom.pk).exists()
    page = client_for(person).get(reverse("consortium_readiness", args=[consortia.qom.pk]))
    assert page.status_code == 200


def test_an_officer_cannot_give_another_province_s_consortium(
    consortia: Consortia, officer_a: Any, client_for: Any, reference: Any
) -> None:
    person = make_user(Role.PARK_MANAGER, username="new_promoter", parks=[reference.park_p2])
    before = Grant.objects.count()

    response = _give(client_for(officer_a), person, consortia.tehran)

    assert response.status_code == 200 and "consortium" in field_errors(response)
    assert Grant.objects.count() == before
