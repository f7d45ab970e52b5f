"""Who may open and submit every consortia page: the policy as a table.

Targets: ``qom`` (a Qom consortium, ``enterprise_e`` — the ``owner``'s unit — among its
members, promoted by ``promoter``) and ``tehran`` (a Tehran consortium promoted by
``tehran_promoter``); ``in_qom`` / ``in_tehran``: a consortium to form of three units of
that province. The office keeps members and support; the promoter records readiness and
exports of their own consortium; the owner sees their unit's consortium; the public sees
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from audit.services import history_of
from consortia.models import Consortium, ExportYear, Member, Readiness, SupportCap, SupportEntry
from persian import jalali
from tests.access_tables import ROLES, TWO_GRANTS, as_get, cases, table, with_two_grants
from tests.consortia.conftest import PROMOTERS, Consortia, units_in
from tests.factories import days_ago, make_enterprise, reload
from tests.views_helpers import is_login_redirect, jalali_text, page

TARGETS = ("qom", "tehran")
NEW = ("in_qom", "in_tehran")
NONE = ("-",)
PEOPLE = (*ROLES, *PROMOTERS)


def _table(columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    return table(columns, rows, PEOPLE)


# fmt: off
LIST = _table(NONE, {
    "national_admin": ("page",), "officer_a": ("page",), "officer_b": ("page",),
    "park_manager": ("404",), "owner": ("page",), "cluster_agent": ("404",),
    "anonymous": ("login",), "promoter": ("page",), "tehran_promoter": ("page",),
})
NATIONAL = _table(NONE, {
    "national_admin": ("page",), "officer_a": ("404",), "officer_b": ("404",),
    "park_manager": ("404",), "owner": ("404",), "cluster_agent": ("404",),
    "anonymous": ("login",), "promoter": ("404",), "tehran_promoter": ("404",),
})
CAP = {who: {t: "done" if o == "page" else o for t, o in row.items()} for who, row in NATIONAL.items()}
FORM_PAGE = _table(NONE, {
    "national_admin": ("page",), "officer_a": ("page",), "officer_b": ("page",),
    "park_manager": ("404",), "owner": ("404",), "cluster_agent": ("404",),
    "anonymous": ("login",), "promoter": ("404",), "tehran_promoter": ("404",),
})
#                      in_qom     in_tehran
FORM = _table(NEW, {
    "national_admin":  ("created", "created"),
    "officer_a":       ("created", "refused"),
    "officer_b":       ("refused", "created"),
    "park_manager":    ("404",     "404"),
    "owner":           ("404",     "404"),
    "cluster_agent":   ("404",     "404"),
    "anonymous":       ("login",   "login"),
    "promoter":        ("404",     "404"),
    "tehran_promoter": ("404",     "404"),
})
#                      qom      tehran
DETAIL = _table(TARGETS, {
    "national_admin":  ("page",  "page"),
    "officer_a":       ("page",  "404"),
    "officer_b":       ("404",   "page"),
    "park_manager":    ("404",   "404"),
    "owner":           ("page",  "404"),
    "cluster_agent":   ("404",   "404"),
    "anonymous":       ("login", "login"),
    "promoter":        ("page",  "404"),
    "tehran_promoter": ("404",   "page"),
})
FILE = {who: {t: "file" if o == "page" else o for t, o in row.items()} for who, row in DETAIL.items()}
MANAGE = _table(TARGETS, {
    "national_admin":  ("done",  "done"),
    "officer_a":       ("done",  "404"),
    "officer_b":       ("404",   "done"),
    "park_manager":    ("404",   "404"),
    "owner":           ("404",   "404"),
    "cluster_agent":   ("404",   "404"),
    "anonymous":       ("login", "login"),
    "promoter":        ("404",   "404"),
    "tehran_promoter": ("404",   "404"),
})
RECORD = _table(TARGETS, {
    "national_admin":  ("done",  "done"),
    "officer_a":       ("done",  "404"),
    "officer_b":       ("404",   "done"),
    "park_manager":    ("404",   "404"),
    "owner":           ("404",   "404"),
    "cluster_agent":   ("404",   "404"),
    "anonymous":       ("login", "login"),
    "promoter":        ("done",  "404"),
    "tehran_promoter": ("404",   "done"),
})
# fmt: on

ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "consortium_list": {"GET": LIST},
        "consortium_new": {"GET": FORM_PAGE, "POST": FORM},
        "consortium_caps": {"GET": NATIONAL, "POST": CAP},
        "consortium_detail": {"GET": DETAIL},
        "consortium_member_add": {"GET": as_get(MANAGE), "POST": MANAGE},
        "consortium_member_remove": {"GET": as_get(MANAGE), "POST": MANAGE},
        "consortium_support": {"GET": as_get(MANAGE), "POST": MANAGE},
        "consortium_readiness": {"GET": as_get(RECORD), "POST": RECORD},
        "consortium_readiness_file": {"GET": FILE},
        "consortium_exports": {"GET": as_get(RECORD), "POST": RECORD},
    }
)
AUDIT = {
    "consortium_member_add": "consortium_member_add",
    "consortium_member_remove": "consortium_member_remove",
    "consortium_support": "consortium_support",
    "consortium_readiness": "consortium_readiness",
    "consortium_exports": "consortium_exports",
}

CASES = cases(ACCESS, pytest)


def _state() -> list[Any]:
    return [
        list(Consortium.objects.values_list("pk", flat=True)),
        list(Member.objects.values_list("pk", "left_on")),
        Readiness.objects.count(),
        list(ExportYear.objects.values_list("pk", "amount_usd")),
        SupportEntry.objects.count(),
        list(SupportCap.objects.values_list("year", "amount")),
    ]


def _data(
    route: str, consortium: Consortium | None, units: list[Any], reference: Any, target: str
) -> dict[str, Any]:
    today = jalali_text(days_ago(0))
    member = consortium.members.last() if consortium is not None else None
    if route == "consortium_new":
        province = reference.qom if target == "in_qom" else reference.tehran
        return {
            "name": f"کنسرسیوم تازه {target}", "province": province.code, "products": "زعفران",
            "markets": ["IQ", "AE"], "formed_on": today, "units": "\n".join(str(u.pk) for u in units),
        }  # fmt: skip
    if route == "consortium_member_add":
        return {"unit": str(units[0].pk), "joined_on": today}
    if route == "consortium_member_remove":
        return {"left_on": today, "reason": "خروج داوطلبانه"}
    if route == "consortium_readiness":
        return {"member": member.pk, "kind": "certificate", "title": "ایزو ۹۰۰۱", "date": today}  # type: ignore[union-attr]
    if route == "consortium_exports":
        year = jalali.year_of(days_ago(0))
        return {"member": member.pk, "year": str(year), "amount_usd": "25000"}  # type: ignore[union-attr]
    if route == "consortium_support":
        return {"date": today, "kind": "fair", "amount": "100000000"}
    if route == "consortium_caps":
        return {"year": "1410", "amount": "5000000000"}
    return {}


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_every_person_gets_what_the_policy_table_says_on_every_consortia_page(
    route, method, who, target, outcome, user_of, client_for, consortia: Consortia, reference
) -> None:
    user = getattr(consortia, who) if who in PROMOTERS else user_of(who)
    consortium = getattr(consortia, target) if target in TARGETS else None
    kwargs: dict[str, Any] = {}
    units: list[Any] = []
    if consortium is not None:
        kwargs = {"pk": consortium.pk}
        if route == "consortium_member_remove":
            kwargs["member_pk"] = consortium.members.last().pk  # type: ignore[union-attr]
        if route == "consortium_readiness_file":
            kwargs["doc_pk"] = Readiness.objects.get(member__consortium=consortium).pk
        if route == "consortium_member_add":
            units = [make_enterprise(province=consortium.province)]
    if target in NEW:
        units = units_in(reference.qom if target == "in_qom" else reference.tehran, 3)
    url = reverse(route, kwargs=kwargs)
    data = _data(route, consortium, units, reference, target) if method == "POST" else {}
    before = _state()

    client = client_for(user)
    response = client.get(url) if method == "GET" else client.post(url, data)

    got = f"{who} {method} {url} → {response.status_code} {response.get('Location', '')}"
    if outcome == "done":
        assert response.status_code == 302, got
        if route == "consortium_caps":
            assert response["Location"] == url and SupportCap.objects.filter(year=1410).exists()
            return
        assert response["Location"] == consortium.get_absolute_url(), got  # type: ignore[union-attr]
        actions = history_of(reload(consortium)).filter(actor=user).values_list("action", flat=True)
        assert AUDIT[route] in set(actions), got
        return
    if outcome == "created":
        created = Consortium.objects.get(name=f"کنسرسیوم تازه {target}")
        assert response.status_code == 302 and response["Location"] == created.get_absolute_url(), (
            got
        )
        assert created.members.count() == 3
        return
    assert _state() == before, f"{got} changed the consortia"
    if outcome == "login":
        assert is_login_redirect(response, url), got
    elif outcome == "404":
        assert response.status_code == 404, got
    elif outcome == "refused":
        assert response.status_code == 200 and 'data-field-error="province"' in page(response), got
    elif outcome == "file":
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(
            b"%PDF"
        ), got
    else:
        assert response.status_code == 200, got


def test_the_table_names_every_person() -> None:
    for methods in ACCESS.values():
        for policy in methods.values():
            assert set(policy) == {*PEOPLE, TWO_GRANTS}
