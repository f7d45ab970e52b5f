"""The demo's invented people: agents, consultants and the like, without passwords
(``demo_accounts`` gives the named ones theirs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model

from accounts.services import grant_give
from places.models import Province


def demo_person(
    username: str, first: str, last: str, role: str, provinces: Iterable[Province]
) -> Any:
    """The user ``username`` (made once, without a password; kept as it is after), holding
    ``role`` over each of ``provinces`` (given through the audited service when missing)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(
            username=username, first_name=first, last_name=last, email=f"{username}@demo.pishran.ir"
        )
        user.set_unusable_password()
        user.save()
    for province in provinces:
        if not user.grants.live().filter(role=role, place_id=province.pk).exists():
            grant_give(actor=None, person=user, role=role, place_id=province.pk)
    return user
