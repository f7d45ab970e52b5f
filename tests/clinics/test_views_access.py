"""Who may open and submit every business-clinic and case page: the policy as a table.

Read like ``tests/clusters/test_views_access.py``. Targets are two clinic cases: ``qom``
(an idle unit in park P owned by ``owner``, assigned to ``consultant`` who holds a clinic
consultant grant for Qom) and ``tehran`` (assigned to ``other_consultant``, Tehran);
``-`` for pages about no case; ``in_qom`` / ``in_tehran`` are the units a case is opened for.

Outcomes: ``full`` (200, the whole case: diagnosis, notes, change history), ``page`` (200: a
form or a list; on a case page, the owner's view: stage, plan and documents, no notes),
``done`` (302 back to the case, audited under the person's name), ``created``, ``refused``
(200, the unit marked, nothing saved), ``file``, ``404``, ``405``, ``login``. Every outcome
but ``done`` and ``created`` leaves the cases exactly as they were. The park manager and the
cluster agent keep no case; the public sees the clinics' figures only.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.services import history_of
from cases.models import Case, CaseDocument, CaseEvent, FollowUp, Note
from cases.services import document_upload, follow_up_add
from clinics import casetype
from clinics.models import RemedyAction
from clinics.services import action_add
from enterprises.models import Status
from enterprises.services import enterprise_set_owners
from tests.access_tables import ROLES, TWO_GRANTS, as_get, table, with_two_grants
from tests.clinics.conftest import make_consultant, open_case
from tests.clusters.files import PDF
from tests.factories import days_ago, make_enterprise, reload
from tests.views_helpers import is_login_redirect, jalali_text, page

TARGETS = ("qom", "tehran")
UNITS = ("in_qom", "in_tehran")
NO_CASE = ("-",)
CONSULTANTS = ("consultant", "other_consultant")
PEOPLE = (*ROLES, *CONSULTANTS)


def _table(columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    return table(columns, rows, PEOPLE)


# fmt: off
#                       qom      tehran
DETAIL = _table(TARGETS, {
    "national_admin":   ("full",  "full"),
    "officer_a":        ("full",  "404"),
    "officer_b":        ("404",   "full"),
    "park_manager":     ("404",   "404"),
    "owner":            ("page",  "404"),
    "cluster_agent":    ("404",   "404"),
    "anonymous":        ("login", "login"),
    "consultant":       ("full",  "404"),
    "other_consultant": ("404",   "full"),
})

# Working a case: the nation, the office holding it, the consultant it is assigned to.
WORK = _table(TARGETS, {
    "national_admin":   ("done",  "done"),
    "officer_a":        ("done",  "404"),
    "officer_b":        ("404",   "done"),
    "park_manager":     ("404",   "404"),
    "owner":            ("404",   "404"),
    "cluster_agent":    ("404",   "404"),
    "anonymous":        ("login", "login"),
    "consultant":       ("done",  "404"),
    "other_consultant": ("404",   "done"),
})

# Assigning and transferring: the office only.
OFFICE = _table(TARGETS, {
    "national_admin":   ("done",  "done"),
    "officer_a":        ("done",  "404"),
    "officer_b":        ("404",   "done"),
    "park_manager":     ("404",   "404"),
    "owner":            ("404",   "404"),
    "cluster_agent":    ("404",   "404"),
    "anonymous":        ("login", "login"),
    "consultant":       ("404",   "404"),
    "other_consultant": ("404",   "404"),
})

# Documents: whoever works the case, and the unit's owner (they bring the papers).
UPLOAD = _table(TARGETS, {
    "national_admin":   ("done",  "done"),
    "officer_a":        ("done",  "404"),
    "officer_b":        ("404",   "done"),
    "park_manager":     ("404",   "404"),
    "owner":            ("done",  "404"),
    "cluster_agent":    ("404",   "404"),
    "anonymous":        ("login", "login"),
    "consultant":       ("done",  "404"),
    "other_consultant": ("404",   "done"),
})

DOWNLOAD = _table(TARGETS, {
    "national_admin":   ("file",  "file"),
    "officer_a":        ("file",  "404"),
    "officer_b":        ("404",   "file"),
    "park_manager":     ("404",   "404"),
    "owner":            ("file",  "404"),
    "cluster_agent":    ("404",   "404"),
    "anonymous":        ("login", "login"),
    "consultant":       ("file",  "404"),
    "other_consultant": ("404",   "file"),
})

LIST = _table(NO_CASE, {
    "national_admin":   ("page",),
    "officer_a":        ("page",),
    "officer_b":        ("page",),
    "park_manager":     ("404",),
    "owner":            ("page",),
    "cluster_agent":    ("404",),
    "anonymous":        ("login",),
    "consultant":       ("page",),
    "other_consultant": ("page",),
})

MINE = _table(NO_CASE, {
    "national_admin":   ("page",),
    "officer_a":        ("page",),
    "officer_b":        ("page",),
    "park_manager":     ("404",),
    "owner":            ("404",),
    "cluster_agent":    ("404",),
    "anonymous":        ("login",),
    "consultant":       ("page",),
    "other_consultant": ("page",),
})

OFFICE_PAGE = _table(NO_CASE, {
    "national_admin":   ("page",),
    "officer_a":        ("page",),
    "officer_b":        ("page",),
    "park_manager":     ("404",),
    "owner":            ("404",),
    "cluster_agent":    ("404",),
    "anonymous":        ("login",),
    "consultant":       ("404",),
    "other_consultant": ("404",),
})

#                       in_qom     in_tehran
OPEN = _table(UNITS, {
    "national_admin":   ("created", "created"),
    "officer_a":        ("created", "refused"),
    "officer_b":        ("refused", "created"),
    "park_manager":     ("404",     "404"),
    "owner":            ("404",     "404"),
    "cluster_agent":    ("404",     "404"),
    "anonymous":        ("login",   "login"),
    "consultant":       ("404",     "404"),
    "other_consultant": ("404",     "404"),
})

LOGGED_IN_405 = _table(TARGETS, {
    **{who: ("405", "405") for who in PEOPLE if who != "anonymous"},
    "anonymous": ("login", "login"),
})
# fmt: on

ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "clinic_cases": {"GET": LIST},
        "clinic_mine": {"GET": MINE},
        "clinic_candidates": {"GET": OFFICE_PAGE},
        "clinic_open": {"GET": OFFICE_PAGE, "POST": OPEN},
        "clinic_case": {"GET": DETAIL},
        "case_document": {"GET": DOWNLOAD, "POST": LOGGED_IN_405},
        "case_document_upload": {"GET": as_get(UPLOAD), "POST": UPLOAD},
        **{
            route: {"GET": as_get(OFFICE), "POST": OFFICE}
            for route in ("case_assign", "case_transfer")
        },
        **{
            route: {"GET": as_get(WORK), "POST": WORK}
            for route in (
                "case_stage",
                "case_due",
                "case_follow_up_add",
                "case_follow_up_done",
                "case_note_add",
                "clinic_diagnosis",
                "clinic_action_add",
                "clinic_action_edit",
            )
        },
    }
)

AUDIT_ACTION = {
    "case_stage": "case_stage",
    "case_due": "case_due",
    "case_follow_up_add": "case_follow_up",
    "case_follow_up_done": "case_follow_up_done",
    "case_note_add": "case_note",
    "case_document_upload": "case_document",
    "case_assign": "case_assign",
    "case_transfer": "case_transfer",
    "clinic_diagnosis": "clinic_diagnosis",
    "clinic_action_add": "clinic_action_add",
    "clinic_action_edit": "clinic_action_update",
}

CASES = [
    pytest.param(route, method, who, target, outcome, id=f"{route}-{method}-{who}-{target}")
    for route, methods in ACCESS.items()
    for method, table in methods.items()
    for who, row in table.items()
    for target, outcome in row.items()
]


@pytest.fixture
def world(reference: Any, owner: Any) -> dict[str, Any]:
    consultant = make_consultant(reference.qom, username="consultant")
    other = make_consultant(reference.tehran, username="other_consultant")
    spare = make_consultant(reference.qom, reference.tehran, username="spare_consultant")
    qom_unit = make_enterprise(
        name="ریسندگی خاموش", park=reference.park_p, status=Status.IDLE, status_date=days_ago(400)
    )
    enterprise_set_owners(actor=None, enterprise=qom_unit, owners=[owner])
    tehran_unit = make_enterprise(
        name="آجر تهران", province=reference.tehran, status=Status.IDLE, status_date=days_ago(300)
    )
    return {
        "consultant": consultant,
        "other_consultant": other,
        "spare": spare,
        "qom": open_case(qom_unit, assignee=consultant, days=100),
        "tehran": open_case(tehran_unit, assignee=other, days=100),
        "in_qom": make_enterprise(
            name="لبنیات نیمه‌جان",
            province=reference.qom,
            status=Status.SEMI_ACTIVE,
            status_date=days_ago(200),
        ),
        "in_tehran": make_enterprise(
            name="کاشی تهران",
            province=reference.tehran,
            status=Status.IDLE,
            status_date=days_ago(200),
        ),
    }


def _prepare(route: str, case: Case) -> dict[str, Any]:
    if route == "clinic_action_edit":
        action = action_add(
            actor=None,
            case=case,
            data={
                "kind": "advice",
                "description": "مشاوره فروش",
                "owner": "مشاور",
                "due_on": days_ago(10),
            },
        )
        return {"item_pk": action.pk}
    if route == "case_follow_up_done":
        return {
            "item_pk": follow_up_add(actor=None, case=case, due_on=days_ago(5), title="تماس").pk
        }
    if route == "case_document":
        document = document_upload(
            actor=None, case=case, title="صورت‌های مالی", upload=SimpleUploadedFile("f.pdf", PDF)
        )
        return {"doc_pk": document.pk}
    return {}


def _post_data(route: str, target: str, world: dict[str, Any], reference: Any) -> dict[str, Any]:
    today = jalali_text(days_ago(0))
    return {
        "case_stage": {"to_stage": casetype.DIAGNOSIS, "date": today, "reason": "شروع عارضه‌یابی"},
        "case_due": {"due_on": jalali_text(days_ago(-30))},
        "case_follow_up_add": {"title": "بازدید از کارخانه", "due_on": jalali_text(days_ago(-7))},
        "case_follow_up_done": {"date": today, "outcome": "انجام شد"},
        "case_note_add": {"text": "مالک همکاری می‌کند."},
        "case_document_upload": {"title": "ترازنامه", "file": SimpleUploadedFile("b.pdf", PDF)},
        "case_assign": {"assignee": str(world["spare"].pk), "date": today},
        "case_transfer": {
            "province": reference.alborz.code,
            "date": today,
            "reason": "انتقال واحد",
        },
        "clinic_diagnosis": {
            "causes": ["working_capital", "market"],
            "primary": "working_capital",
            "finding": "کمبود نقدینگی",
            "date": today,
        },
        "clinic_action_add": {
            "kind": "finance_referral",
            "description": "معرفی به بانک",
            "owner": "استان",
            "due_on": jalali_text(days_ago(-20)),
        },
        "clinic_action_edit": {"status": "done", "outcome": "وام گرفت", "done_on": today},
        "clinic_open": {
            "unit": str(world.get(target).pk) if target in UNITS else "",
            "date": today,
        },
    }.get(route, {})


def _state() -> tuple:
    return (
        list(
            Case.objects.order_by("pk").values_list(
                "pk", "stage", "province_id", "assignee_id", "due_on"
            )
        ),
        CaseEvent.objects.count(),
        FollowUp.objects.filter(done_on__isnull=False).count(),
        FollowUp.objects.count(),
        Note.objects.count(),
        CaseDocument.objects.count(),
        list(RemedyAction.objects.values_list("pk", "status")),
    )


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_every_person_gets_what_the_policy_table_says_on_every_clinic_page(
    route, method, who, target, outcome, user_of, client_for, world, reference, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    user = world[who] if who in CONSULTANTS else user_of(who)
    case = world[target] if target in TARGETS else None
    kwargs: dict[str, Any] = {}
    if case is not None:
        kwargs = {"pk": case.pk, **_prepare(route, case)}
    url = reverse(route, kwargs=kwargs)
    data = _post_data(route, target, world, reference) if method == "POST" else {}
    before = _state()

    client = client_for(user)
    response = client.get(url) if method == "GET" else client.post(url, data)

    got = f"{who} {method} {url} → {response.status_code} {response.get('Location', '')}"
    if outcome == "done":
        assert response.status_code == 302, f"expected it done, got {got}"
        assert response["Location"] == case.get_absolute_url()
        actions = set(history_of(reload(case)).filter(actor=user).values_list("action", flat=True))
        assert AUDIT_ACTION[route] in actions, got
        return
    if outcome == "created":
        assert response.status_code == 302, f"expected a case, got {got}"
        created = Case.objects.get(enterprise=world[target])
        assert response["Location"] == created.get_absolute_url()
        return
    assert _state() == before, f"{got} changed the cases"
    if outcome == "login":
        assert is_login_redirect(response, url), got
    elif outcome == "404":
        assert response.status_code == 404, got
    elif outcome == "405":
        assert response.status_code == 405, got
    elif outcome == "file":
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(
            b"%PDF"
        ), got
    elif outcome == "refused":
        assert response.status_code == 200, got
        assert 'data-field-error="unit"' in page(response), got
    else:
        assert response.status_code == 200, got
        html = page(response)
        if route == "clinic_case":
            assert ('data-testid="notes"' in html) == (outcome == "full"), got
            assert ('data-testid="diagnosis"' in html) == (outcome == "full"), got


def test_the_table_names_every_person_the_suite_knows() -> None:
    for methods in ACCESS.values():
        for policy in methods.values():
            assert set(policy) == {*PEOPLE, TWO_GRANTS}
