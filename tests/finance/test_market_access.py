"""Who may open and submit every capital-market page: the policy as a table.

Targets: ``qom`` (a Qom unit in park P owned by ``owner``, advised by the firm of
``adviser_staff``) and ``tehran`` (a Tehran unit, another firm); ``in_qom`` / ``in_tehran``
are units to introduce. Outcomes as in ``tests/finance/test_views_access.py``."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from audit.services import history_of
from cases.models import Case
from enterprises.services import enterprise_set_owners
from finance import market
from finance.models import AdviserFirm, Listing
from finance.roles import MARKET_ADVISER
from finance.services import listing_introduce
from tests.access_tables import ROLES, TWO_GRANTS, as_get, table, with_two_grants
from tests.factories import days_ago, give, make_enterprise, make_user, reload
from tests.views_helpers import is_login_redirect, jalali_text, page

TARGETS = ("qom", "tehran")
UNITS = ("in_qom", "in_tehran")
NONE = ("-",)
PEOPLE = (*ROLES, "adviser_staff")


def _table(columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    return table(columns, rows, PEOPLE)


def _office(outcome_for_others: str = "404") -> dict[str, dict[str, str]]:
    return _table(NONE, {
        "national_admin": ("page",), "officer_a": ("page",), "officer_b": ("page",),
        "park_manager": (outcome_for_others,), "owner": (outcome_for_others,),
        "cluster_agent": (outcome_for_others,), "anonymous": ("login",), "adviser_staff": (outcome_for_others,),
    })  # fmt: skip


# fmt: off
PIPELINE = _table(NONE, {
    "national_admin": ("page",), "officer_a": ("page",), "officer_b": ("page",),
    "park_manager": ("404",), "owner": ("page",), "cluster_agent": ("404",),
    "anonymous": ("login",), "adviser_staff": ("page",),
})
INTRODUCE = _table(UNITS, {
    "national_admin": ("created", "created"),
    "officer_a":      ("created", "refused"),
    "officer_b":      ("refused", "created"),
    "park_manager":   ("404",     "404"),
    "owner":          ("404",     "404"),
    "cluster_agent":  ("404",     "404"),
    "anonymous":      ("login",   "login"),
    "adviser_staff":  ("404",     "404"),
})
DETAIL = _table(TARGETS, {
    "national_admin": ("page",  "page"),
    "officer_a":      ("page",  "404"),
    "officer_b":      ("404",   "page"),
    "park_manager":   ("404",   "404"),
    "owner":          ("page",  "404"),
    "cluster_agent":  ("404",   "404"),
    "anonymous":      ("login", "login"),
    "adviser_staff":  ("page",  "404"),
})
UPDATE = _table(TARGETS, {
    "national_admin": ("done",  "done"),
    "officer_a":      ("done",  "404"),
    "officer_b":      ("404",   "done"),
    "park_manager":   ("404",   "404"),
    "owner":          ("404",   "404"),
    "cluster_agent":  ("404",   "404"),
    "anonymous":      ("login", "login"),
    "adviser_staff":  ("done",  "404"),
})
# fmt: on

ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "capital_pipeline": {"GET": PIPELINE},
        "capital_introduce": {"GET": _office(), "POST": INTRODUCE},
        "capital_readiness": {"GET": _office()},
        "capital_listing_case": {"GET": DETAIL},
        "capital_listing_update": {"GET": as_get(UPDATE), "POST": UPDATE},
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
def files(reference: Any, owner: Any) -> dict[str, Any]:
    amin = AdviserFirm.objects.get_or_create(code="amin", defaults={"name": "مشاور امین"})[0]
    other = AdviserFirm.objects.get_or_create(code="other", defaults={"name": "مشاور دیگر"})[0]
    staff = make_user(username="adviser_staff")
    give(staff, MARKET_ADVISER, amin)
    qom_unit = make_enterprise(name="فولاد قم", park=reference.park_p)
    enterprise_set_owners(actor=None, enterprise=qom_unit, owners=[owner])
    return {
        "adviser_staff": staff,
        "qom": listing_introduce(actor=None, enterprise=qom_unit, date=days_ago(50), adviser=amin),
        "tehran": listing_introduce(
            actor=None, enterprise=make_enterprise(name="پتروشیمی تهران", province=reference.tehran),
            date=days_ago(50), adviser=other,
        ),
    }  # fmt: skip


def _state() -> list:
    return list(
        Listing.objects.order_by("pk").values_list("pk", "adviser_id", "market", "amount_raised")
    )


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_every_person_gets_what_the_policy_table_says_on_every_capital_market_page(
    route, method, who, target, outcome, user_of, client_for, files, reference
) -> None:
    user = files[who] if who == "adviser_staff" else user_of(who)
    listing = files.get(target)
    kwargs = {"pk": listing.case_id} if listing is not None else {}
    unit = None
    if target in UNITS:
        unit = make_enterprise(province=reference.qom if target == "in_qom" else reference.tehran)
    url = reverse(route, kwargs=kwargs)
    data: dict[str, str] = {}
    if method == "POST":
        data = (
            {"unit": str(unit.pk), "date": jalali_text(days_ago(0))}
            if route == "capital_introduce"
            else {"market": "sme", "amount_raised": ""}
        )
    before = _state()

    response = client_for(user).get(url) if method == "GET" else client_for(user).post(url, data)

    got = f"{who} {method} {url} → {response.status_code} {response.get('Location', '')}"
    if outcome == "done":
        assert (
            response.status_code == 302 and response["Location"] == listing.case.get_absolute_url()
        ), got
        assert reload(listing).market == "sme"
        assert "listing_update" in set(
            history_of(reload(listing.case)).filter(actor=user).values_list("action", flat=True)
        )
        return
    if outcome == "created":
        created = Case.objects.get(enterprise=unit, type=market.TYPE)
        assert response.status_code == 302 and response["Location"] == created.get_absolute_url(), (
            got
        )
        return
    assert _state() == before, f"{got} changed the files"
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
