"""A large Excel file written in the background: queued from the directory's offer, written
by the worker for its owner's scope with its progress, downloadable by its owner only.

The policy table: ``own`` is a finished job of the person asking, ``other`` one of somebody
else; ``-`` for starting one."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enterprises.models import Status
from ops.exports import run_export, start_directory_export
from ops.models import ExportJob
from tests.access_tables import PEOPLE, with_two_grants
from tests.factories import make_enterprise, make_user
from tests.views_helpers import is_login_redirect, page

pytestmark = pytest.mark.django_db(transaction=True)

OWN_OTHER = ("own", "other")
LOGGED_IN = [p for p in PEOPLE if p != "anonymous"]

ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "export_start": {
            "POST": {**{p: {"-": "created"} for p in LOGGED_IN}, "anonymous": {"-": "login"}},
            "GET": {**{p: {"-": "405"} for p in LOGGED_IN}, "anonymous": {"-": "login"}},
        },
        "export_job": {
            "GET": {
                **{p: {"own": "page", "other": "404"} for p in LOGGED_IN},
                "anonymous": {"own": "login", "other": "login"},
            },
        },
        "export_download": {
            "GET": {
                **{p: {"own": "file", "other": "404"} for p in LOGGED_IN},
                "anonymous": {"own": "login", "other": "login"},
            },
        },
    }
)
CASES = [
    pytest.param(route, method, who, target, outcome, id=f"{route}-{method}-{who}-{target}")
    for route, methods in ACCESS.items()
    for method, table in methods.items()
    for who, row in table.items()
    for target, outcome in row.items()
]


def _finished(owner: Any) -> ExportJob:
    job = start_directory_export(owner, {"status": "active"})
    run_export.call(job.pk)
    return ExportJob.objects.get(pk=job.pk)


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_only_its_owner_follows_and_downloads_a_background_file(
    route, method, who, target, outcome, user_of, client_for, reference, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    make_enterprise(name="واحد فعال", province=reference.qom)
    user = user_of(who)
    kwargs = {}
    if target != "-":
        owner = (
            user if (target == "own" and getattr(user, "is_authenticated", False)) else make_user()
        )
        kwargs = {"pk": _finished(owner).pk}
    url = reverse(route, kwargs=kwargs)
    before = ExportJob.objects.count()
    client = client_for(user)
    response = client.post(url, {"status": "active"}) if method == "POST" else client.get(url)
    got = f"{who} {method} {url} → {response.status_code}"
    if outcome == "created":
        job = ExportJob.objects.latest("pk")
        assert response.status_code == 302 and response["Location"] == reverse(
            "export_job", args=[job.pk]
        ), got
        assert job.owner_id == user.pk and job.params == {"status": "active"}
        return
    assert ExportJob.objects.count() == before, got
    if outcome == "login":
        assert is_login_redirect(response, url), got
    elif outcome == "404":
        assert response.status_code == 404, got
    elif outcome == "405":
        assert response.status_code == 405, got
    elif outcome == "file":
        assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK", (
            got
        )
    else:
        assert response.status_code == 200, got


def test_the_worker_writes_the_owners_rows_with_its_progress(
    reference, officer_a, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    for n in range(5):
        make_enterprise(name=f"واحد قم {n}", province=reference.qom, status=Status.ACTIVE)
    make_enterprise(
        name="واحد تهران", province=reference.tehran, status=Status.ACTIVE, published=False
    )
    job = start_directory_export(officer_a, {"status": "active"})
    assert ExportJob.objects.get(pk=job.pk).state == ExportJob.State.QUEUED
    run_export.call(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.state == ExportJob.State.DONE and job.percent == 100
    assert job.rows_done == job.rows_total
    sheet = load_workbook(io.BytesIO(job.file.read()), read_only=True).worksheets[0]
    names = {row[0] for row in sheet.iter_rows(values_only=True) if row}
    assert {f"واحد قم {n}" for n in range(5)} <= names
    assert "واحد تهران" not in names  # not the officer's, not published


def test_the_progress_page_polls_until_the_file_is_ready(
    reference, officer_a, client_for, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    job = start_directory_export(officer_a, {})
    html = page(client_for(officer_a).get(reverse("export_job", args=[job.pk])))
    assert 'hx-trigger="every 2s"' in html and 'data-testid="export-file"' not in html
    run_export.call(job.pk)
    html = page(
        client_for(officer_a).get(reverse("export_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    )
    assert "hx-trigger" not in html and 'data-testid="export-file"' in html


def test_files_past_their_keeping_time_are_deleted_at_the_end_of_an_export(
    reference, officer_a, client_for, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORTS_KEEP_HOURS = 24
    make_enterprise(name="واحد فعال", province=reference.qom, status=Status.ACTIVE)
    old = _finished(officer_a)
    old_file = Path(old.file.path)
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    # A file no job holds (its worker was killed before recording it), two days old.
    orphan = tmp_path / "exports" / "lost.xlsx"
    orphan.write_bytes(b"x")
    two_days_ago = time.time() - 48 * 3600
    os.utime(orphan, (two_days_ago, two_days_ago))

    fresh = _finished(officer_a)  # the end of this export prunes

    assert not old_file.exists() and not orphan.exists()
    response = client_for(officer_a).get(reverse("export_download", args=[old.pk]))
    assert response.status_code == 404
    response = client_for(officer_a).get(reverse("export_download", args=[fresh.pk]))
    assert response.status_code == 200 and Path(fresh.file.path).exists()


def test_prune_exports_keeps_what_is_younger_than_the_setting(
    reference, officer_a, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORTS_KEEP_HOURS = 2
    job = _finished(officer_a)
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    call_command("prune_exports", stdout=out)
    assert Path(job.file.path).exists() and ExportJob.objects.filter(pk=job.pk).exists()
    assert out.getvalue().startswith("0 export files")
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=3))
    call_command("prune_exports", stdout=out)
    assert not Path(job.file.path).exists() and not ExportJob.objects.filter(pk=job.pk).exists()
