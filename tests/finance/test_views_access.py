"""Who may open and submit every finance page: the policy as a table.

Targets: ``qom`` (a Qom unit in park P owned by ``owner``, introduced to Bank Melli) and
``tehran`` (a Tehran unit introduced to Bank Mellat); ``in_qom`` / ``in_tehran`` are units
to introduce. ``melli_officer`` and ``mellat_officer`` hold the bank officer role over their
bank. Outcomes as in ``tests/clinics/test_views_access.py``: the bank decides and records
the payment; the office introduces; the owner sees their own unit's referral."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from audit.services import history_of
from cases.models import Case
from finance import casetype
from finance.models import Decision, Referral
from finance.services import referral_decide
from tests.access_tables import ROLES, TWO_GRANTS, as_get, table, with_two_grants
from tests.factories import days_ago, make_enterprise, reload
from tests.finance.conftest import Finance
from tests.views_helpers import is_login_redirect, jalali_text, page

TARGETS = ("qom", "tehran")
UNITS = ("in_qom", "in_tehran")
NONE = ("-",)
BANKERS = ("melli_officer", "mellat_officer")
PEOPLE = (*ROLES, *BANKERS)


def _table(columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    return table(columns, rows, PEOPLE)


# fmt: off
LIST = _table(NONE, {
    "national_admin": ("page",), "officer_a": ("page",), "officer_b": ("page",),
    "park_manager": ("404",), "owner": ("page",), "cluster_agent": ("404",),
    "anonymous": ("login",), "melli_officer": ("page",), "mellat_officer": ("page",),
})
INTRODUCE_FORM = _table(NONE, {
    "national_admin": ("page",), "officer_a": ("page",), "officer_b": ("page",),
    "park_manager": ("404",), "owner": ("404",), "cluster_agent": ("404",),
    "anonymous": ("login",), "melli_officer": ("404",), "mellat_officer": ("404",),
})
#                     in_qom     in_tehran
INTRODUCE = _table(UNITS, {
    "national_admin": ("created", "created"),
    "officer_a":      ("created", "refused"),
    "officer_b":      ("refused", "created"),
    "park_manager":   ("404",     "404"),
    "owner":          ("404",     "404"),
    "cluster_agent":  ("404",     "404"),
    "anonymous":      ("login",   "login"),
    "melli_officer":  ("404",     "404"),
    "mellat_officer": ("404",     "404"),
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
BANK = _table(TARGETS, {
    "national_admin": ("done",  "done"),
    "officer_a":      ("404",   "404"),
    "officer_b":      ("404",   "404"),
    "park_manager":   ("404",   "404"),
    "owner":          ("404",   "404"),
    "cluster_agent":  ("404",   "404"),
    "anonymous":      ("login", "login"),
    "melli_officer":  ("done",  "404"),
    "mellat_officer": ("404",   "done"),
})
# fmt: on

ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "finance_referrals": {"GET": LIST},
        "finance_introduce": {"GET": INTRODUCE_FORM, "POST": INTRODUCE},
        "finance_referral_case": {"GET": DETAIL},
        "finance_decide": {"GET": as_get(BANK), "POST": BANK},
        "finance_pay": {"GET": as_get(BANK), "POST": BANK},
    }
)
AUDIT = {"finance_decide": "referral_decide", "finance_pay": "referral_pay"}

CASES = [
    pytest.param(route, method, who, target, outcome, id=f"{route}-{method}-{who}-{target}")
    for route, methods in ACCESS.items()
    for method, table in methods.items()
    for who, row in table.items()
    for target, outcome in row.items()
]


def _state() -> list:
    return list(
        Referral.objects.order_by("pk").values_list("pk", "decision", "paid_on", "case__stage")
    )


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_every_person_gets_what_the_policy_table_says_on_every_finance_page(
    route, method, who, target, outcome, user_of, client_for, finance: Finance, reference
) -> None:
    user = getattr(finance, who) if who in BANKERS else user_of(who)
    units: dict[str, Any] = {}
    kwargs: dict[str, Any] = {}
    referral = getattr(finance, target) if target in TARGETS else None
    if referral is not None:
        if route == "finance_pay":
            referral = referral_decide(
                actor=None, referral=referral, decision=Decision.APPROVED, date=days_ago(20)
            )
        kwargs = {"pk": referral.case_id}
    if target in UNITS:
        units[target] = make_enterprise(
            province=reference.qom if target == "in_qom" else reference.tehran
        )
    url = reverse(route, kwargs=kwargs)
    today = jalali_text(days_ago(0))
    data = {
        "finance_decide": {"decision": "approved", "date": today},
        "finance_pay": {"amount_paid": "20000000000", "date": today},
        "finance_introduce": {
            "unit": str(units[target].pk) if target in units else "", "bank": "melli", "branch": "مرکزی",
            "instrument": "working_capital", "amount_requested": "5000000000", "date": today,
        },
    }.get(route, {}) if method == "POST" else {}  # fmt: skip
    before = _state()

    client = client_for(user)
    response = client.get(url) if method == "GET" else client.post(url, data)

    got = f"{who} {method} {url} → {response.status_code} {response.get('Location', '')}"
    if outcome == "done":
        assert (
            response.status_code == 302 and response["Location"] == referral.case.get_absolute_url()
        ), got
        assert AUDIT[route] in set(
            history_of(reload(referral.case)).filter(actor=user).values_list("action", flat=True)
        )
        return
    if outcome == "created":
        created = Case.objects.get(enterprise=units[target], type=casetype.TYPE)
        assert response.status_code == 302 and response["Location"] == created.get_absolute_url(), (
            got
        )
        return
    assert _state() == before, f"{got} changed the referrals"
    if outcome == "login":
        assert is_login_redirect(response, url), got
    elif outcome == "404":
        assert response.status_code == 404, got
    elif outcome == "refused":
        assert response.status_code == 200 and 'data-field-error="unit"' in page(response), got
    else:
        assert response.status_code == 200, got


def test_the_table_names_every_person() -> None:
    for methods in ACCESS.values():
        for policy in methods.values():
            assert set(policy) == {*PEOPLE, TWO_GRANTS}
