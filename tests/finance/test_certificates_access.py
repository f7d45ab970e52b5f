"""Who may open and submit every certificate page: the policy as a table.

Targets: ``qom`` (a certificate of Bank Melli from a Qom buyer to a Qom supplier owned by
``owner``, who holds it) and ``tehran`` (Bank Mellat, Tehran buyer and supplier). A unit's
owner, its province's officer and national staff act for it; a bank's officers register and
see their bank's certificates."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from enterprises.services import enterprise_set_owners
from finance.certificates import certificate_issue
from finance.models import Certificate, CertificateStep
from tests.access_tables import ROLES, TWO_GRANTS, as_get, table, with_two_grants
from tests.factories import days_ago, make_enterprise
from tests.finance.conftest import bank, make_bank_officer
from tests.views_helpers import is_login_redirect, jalali_text, page

TARGETS = ("qom", "tehran")
NONE = ("-",)
BANKERS = ("melli_officer", "mellat_officer")
PEOPLE = (*ROLES, *BANKERS)


def _table(columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    return table(columns, rows, PEOPLE)


# fmt: off
LIST = _table(NONE, {
    "national_admin": ("page",), "officer_a": ("page",), "officer_b": ("page",), "park_manager": ("404",),
    "owner": ("page",), "cluster_agent": ("404",), "anonymous": ("login",),
    "melli_officer": ("page",), "mellat_officer": ("page",),
})
NEW_FORM = _table(NONE, {
    "national_admin": ("page",), "officer_a": ("404",), "officer_b": ("404",), "park_manager": ("404",),
    "owner": ("404",), "cluster_agent": ("404",), "anonymous": ("login",),
    "melli_officer": ("page",), "mellat_officer": ("page",),
})
NEW = _table(NONE, {
    "national_admin": ("created",), "officer_a": ("404",), "officer_b": ("404",), "park_manager": ("404",),
    "owner": ("404",), "cluster_agent": ("404",), "anonymous": ("login",),
    "melli_officer": ("created",), "mellat_officer": ("refused",),
})
#                     qom      tehran
DETAIL = _table(TARGETS, {
    "national_admin": ("page",  "page"),
    "officer_a":      ("page",  "404"),
    "officer_b":      ("404",   "page"),
    "park_manager":   ("404",   "404"),
    "owner":          ("page",  "404"),
    "cluster_agent":  ("404",   "404"),
    "anonymous":      ("login", "login"),
    "melli_officer":  ("page",  "404"),
    "mellat_officer": ("404",   "page"),
})
HOLDER = _table(TARGETS, {
    "national_admin": ("done",  "done"),
    "officer_a":      ("done",  "404"),
    "officer_b":      ("404",   "done"),
    "park_manager":   ("404",   "404"),
    "owner":          ("done",  "404"),
    "cluster_agent":  ("404",   "404"),
    "anonymous":      ("login", "login"),
    "melli_officer":  ("404",   "404"),
    "mellat_officer": ("404",   "404"),
})
CHAIN = _table(TARGETS, {
    "national_admin": ("page",  "page"),
    "officer_a":      ("page",  "404"),
    "officer_b":      ("404",   "page"),
    "park_manager":   ("404",   "404"),
    "owner":          ("404",   "404"),
    "cluster_agent":  ("404",   "404"),
    "anonymous":      ("login", "login"),
    "melli_officer":  ("404",   "404"),
    "mellat_officer": ("404",   "404"),
})
# fmt: on

ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "finance_certificates": {"GET": LIST},
        "finance_certificate_new": {"GET": NEW_FORM, "POST": NEW},
        "finance_certificate": {"GET": DETAIL},
        "finance_certificate_pass": {"GET": as_get(HOLDER), "POST": HOLDER},
        "finance_certificate_discount": {"GET": as_get(HOLDER), "POST": HOLDER},
        "finance_chain": {"GET": CHAIN},
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
def world(reference: Any, owner: Any) -> dict[str, Any]:
    supplier = make_enterprise(name="قطعه‌ساز قم", park=reference.park_p)
    enterprise_set_owners(actor=None, enterprise=supplier, owners=[owner])

    def issue(code: str, bank_code: str, buyer: Any, seller: Any) -> Certificate:
        return certificate_issue(
            actor=None, code=code, bank=bank(bank_code), buyer=buyer, supplier=seller,
            amount=1_000_000_000, issued_on=days_ago(30), term_months=6,
        )  # fmt: skip

    return {
        "melli_officer": make_bank_officer("melli", "melli_officer"),
        "mellat_officer": make_bank_officer("mellat", "mellat_officer"),
        "qom": issue("GAM-Q", "melli", make_enterprise(name="خریدار قم"), supplier),
        "tehran": issue(
            "GAM-T",
            "mellat",
            make_enterprise(name="خریدار تهران", province=reference.tehran),
            make_enterprise(name="فروشنده تهران", province=reference.tehran),
        ),  # fmt: skip
        "to": make_enterprise(name="گیرنده", province=reference.alborz),
    }


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_every_person_gets_what_the_policy_table_says_on_every_certificate_page(
    route, method, who, target, outcome, user_of, client_for, world
) -> None:
    user = world[who] if who in BANKERS else user_of(who)
    certificate = world.get(target)
    kwargs: dict[str, Any] = {}
    if certificate is not None:
        kwargs = {"pk": certificate.buyer_id if route == "finance_chain" else certificate.pk}
    url = reverse(route, kwargs=kwargs)
    today = jalali_text(days_ago(0))
    data = {
        "finance_certificate_new": {
            "code": "GAM-NEW", "bank": "melli", "buyer": str(world["qom"].buyer_id),
            "supplier": str(world["to"].pk), "amount": "500000000", "term_months": "3", "issued_on": today,
        },
        "finance_certificate_pass": {"to": str(world["to"].pk), "date": today},
        "finance_certificate_discount": {"bank": "melli", "date": today},
    }.get(route, {}) if method == "POST" else {}  # fmt: skip
    before = (Certificate.objects.count(), CertificateStep.objects.count())

    response = client_for(user).get(url) if method == "GET" else client_for(user).post(url, data)

    got = f"{who} {method} {url} → {response.status_code} {response.get('Location', '')}"
    if outcome in ("done", "created"):
        assert response.status_code == 302, got
        assert CertificateStep.objects.count() == before[1] + 1, got
        return
    assert (Certificate.objects.count(), CertificateStep.objects.count()) == before, (
        f"{got} changed something"
    )
    if outcome == "login":
        assert is_login_redirect(response, url), got
    elif outcome == "404":
        assert response.status_code == 404, got
    elif outcome == "refused":
        assert response.status_code == 200 and 'data-field-error="bank"' in page(response), got
    else:
        assert response.status_code == 200, got


def test_the_table_names_every_person() -> None:
    for methods in ACCESS.values():
        for policy in methods.values():
            assert set(policy) == {*PEOPLE, TWO_GRANTS}
