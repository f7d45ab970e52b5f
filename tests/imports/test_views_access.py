"""Who may open and submit every import page: the policy as a table.

Target ``qom``: an import of a Qom register started by ``officer_a`` and checked without a
problem. National staff import for any province and see every import; a provincial
officer imports for their provinces and sees their own imports; everyone else gets a 404
(the anonymous visitor, the login page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from enterprises.models import Enterprise
from imports.models import ImportJob
from tests.access_tables import ROLES, TWO_GRANTS, cases, table, with_app_roles, with_two_grants
from tests.imports.conftest import csv_bytes, dry_run, unit_row
from tests.views_helpers import is_login_redirect

pytestmark = pytest.mark.django_db

TARGETS = ("qom",)


def _table(rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    return table(TARGETS, rows, ROLES)


# fmt: off
START = _table({
    "national_admin": ("page",), "officer_a": ("page",), "officer_b": ("page",),
    "park_manager": ("404",), "owner": ("404",), "cluster_agent": ("404",),
    "anonymous": ("login",),
})
UPLOAD = _table({
    "national_admin": ("created",), "officer_a": ("created",), "officer_b": ("refused",),
    "park_manager": ("404",), "owner": ("404",), "cluster_agent": ("404",),
    "anonymous": ("login",),
})
OWN = _table({
    "national_admin": ("page",), "officer_a": ("page",), "officer_b": ("404",),
    "park_manager": ("404",), "owner": ("404",), "cluster_agent": ("404",),
    "anonymous": ("login",),
})
# fmt: on
SAMPLE = {
    who: {t: "file" if o == "page" else o for t, o in row.items()} for who, row in START.items()
}
DONE = {who: {t: "done" if o == "page" else o for t, o in row.items()} for who, row in OWN.items()}
FILE = {who: {t: "file" if o == "page" else o for t, o in row.items()} for who, row in OWN.items()}

# A bank's officer, an adviser firm's staff, a promoter and a clinic consultant import
# nothing: like the cluster agent.
ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_app_roles(
    with_two_grants(
        {
            "import_list": {"GET": START},
            "import_new": {"GET": START, "POST": UPLOAD},
            "import_sample": {"GET": SAMPLE},
            "import_detail": {"GET": OWN},
            "import_columns": {"GET": OWN, "POST": DONE},
            "import_commit": {"POST": DONE},
            "import_report": {"GET": FILE},
        }
    ),
    "cluster_agent",
)

CASES = cases(ACCESS, pytest)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_every_person_gets_what_the_policy_table_says_on_every_import_page(
    route, method, who, target, outcome, user_of, client_for, officer_a, reference
) -> None:
    user = user_of(who)
    job = dry_run(officer_a, reference.qom, csv_bytes([unit_row()]))
    assert job.can_commit, job.problems
    kwargs: dict[str, Any] = {}
    if route == "import_sample":
        kwargs = {"target": "parks", "fmt": "xlsx"}
    elif route not in ("import_list", "import_new"):
        kwargs = {"pk": job.pk}
    if route == "import_report":
        kwargs["fmt"] = "csv"
    url = reverse(route, kwargs=kwargs)
    data: dict[str, Any] = {}
    if route == "import_new":
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {
            "province": reference.qom.pk,
            "file": SimpleUploadedFile("qom.csv", csv_bytes([unit_row()])),
        }
    elif route == "import_columns":
        data = {key: str(index) for key, index in job.mapping.items()}
    jobs_before = ImportJob.objects.count()
    units_before = Enterprise.objects.count()

    client = client_for(user)
    response = client.get(url) if method == "GET" else client.post(url, data)

    got = f"{who} {method} {url} → {response.status_code} {response.get('Location', '')}"
    if outcome == "created":
        assert response.status_code == 302 and ImportJob.objects.count() == jobs_before + 1, got
        return
    if outcome == "done":
        assert response.status_code == 302, got
        assert response["Location"] == reverse("import_detail", kwargs={"pk": job.pk}), got
        if route == "import_commit":
            assert Enterprise.objects.count() == units_before + 1, got
        return
    assert ImportJob.objects.count() == jobs_before, got
    assert Enterprise.objects.count() == units_before, got
    if outcome == "login":
        assert is_login_redirect(response, url), got
    elif outcome == "404":
        assert response.status_code == 404, got
    elif outcome == "refused":
        assert response.status_code == 200 and b'data-field-error="province"' in response.content, (
            got
        )
    elif outcome == "file":
        assert response.status_code == 200 and b"".join(
            response.streaming_content if response.streaming else [response.content]
        ), got
    else:
        assert response.status_code == 200, got


def test_the_table_names_every_person() -> None:
    from tests.access_tables import APP_ROLES

    for methods in ACCESS.values():
        for policy in methods.values():
            assert set(policy) == {*ROLES, *APP_ROLES, TWO_GRANTS}
