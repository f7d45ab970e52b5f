from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from enterprises.models import Enterprise, Status
from finance.models import Bank, Referral
from finance.roles import BANK_OFFICER
from finance.services import referral_introduce
from tests.factories import days_ago, give, make_enterprise, make_user


def bank(code: str) -> Bank:
    # Loaded by a migration; a transactional test's flush removes them, so make them again.
    found, _ = Bank.objects.get_or_create(code=code, defaults={"name": f"بانک {code}"})
    return found


def make_bank_officer(code: str, username: str | None = None) -> User:
    person = make_user(username=username)
    give(person, BANK_OFFICER, bank(code))
    return person


def introduce(
    unit: Enterprise,
    code: str = "melli",
    *,
    amount: int = 20_000_000_000,
    days: int = 60,
    **kw: Any,
) -> Referral:
    return referral_introduce(
        actor=None,
        enterprise=unit,
        bank=bank(code),
        branch="شعبه مرکزی",
        instrument="working_capital",
        amount_requested=amount,
        date=days_ago(days),
        **kw,
    )


@dataclass
class Finance:
    melli_officer: User
    mellat_officer: User
    qom: Referral  # a Qom unit (park P, owned by ``owner``) to Melli
    tehran: Referral  # a Tehran unit to Mellat


@pytest.fixture
def finance(reference: Any, owner: User) -> Finance:
    from enterprises.services import enterprise_set_owners

    qom_unit = make_enterprise(name="ریخته‌گری قم", park=reference.park_p)
    enterprise_set_owners(actor=None, enterprise=qom_unit, owners=[owner])
    tehran_unit = make_enterprise(
        name="پلاستیک تهران", province=reference.tehran, status=Status.SEMI_ACTIVE
    )
    return Finance(
        make_bank_officer("melli", "melli_officer"),
        make_bank_officer("mellat", "mellat_officer"),
        introduce(qom_unit, "melli"),
        introduce(tehran_unit, "mellat"),
    )
