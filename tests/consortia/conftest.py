"""The consortia's people and rows.

``consortia.qom``: a Qom consortium of four active Qom units, one of them ``enterprise_e``
(the ``owner``'s unit); ``consortia.tehran``: a Tehran consortium of four Tehran units.
``consortia.promoter`` holds the promoter role over the Qom consortium,
``consortia.tehran_promoter`` over the Tehran one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from consortia.models import Consortium
from consortia.roles import PROMOTER
from consortia.services import consortium_form, readiness_record
from enterprises.models import Enterprise
from tests.clusters.files import PDF
from tests.factories import days_ago, give, make_enterprise, make_user

PROMOTERS = ("promoter", "tehran_promoter")


def form(province: Any, units: list[Enterprise], *, days: int = 100, **kw: Any) -> Consortium:
    data: dict[str, Any] = {
        "name": "کنسرسیوم صادراتی",
        "products": "قطعات خودرو",
        "markets": ["IQ", "AF"],
    }
    data.update(kw)
    return consortium_form(
        actor=None, province=province, formed_on=days_ago(days), units=units, **data
    )


def units_in(province: Any, n: int, **kw: Any) -> list[Enterprise]:
    return [make_enterprise(province=province, **kw) for _ in range(n)]


def make_promoter(consortium: Consortium, username: str | None = None) -> User:
    person = make_user(username=username)
    give(person, PROMOTER, consortium)
    return person


def pdf(name: str = "card.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class Consortia:
    qom: Consortium
    tehran: Consortium
    promoter: User
    tehran_promoter: User


@pytest.fixture
def consortia(reference: Any, enterprise_e: Enterprise, owner: User) -> Consortia:
    qom = form(
        reference.qom, [enterprise_e, *units_in(reference.qom, 3)], name="کنسرسیوم زعفران قم"
    )
    tehran = form(reference.tehran, units_in(reference.tehran, 4), name="کنسرسیوم پوشاک تهران")
    for consortium in (qom, tehran):
        member = consortium.members.first()
        assert member is not None
        readiness_record(
            actor=None,
            member=member,
            kind="certificate",
            title="کارت بازرگانی",
            number="123",
            date=days_ago(50),
            upload=pdf(),
        )
    return Consortia(
        qom, tehran, make_promoter(qom, "promoter"), make_promoter(tehran, "tehran_promoter")
    )
