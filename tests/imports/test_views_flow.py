"""An officer brings a file in through the pages: upload, columns, the dry run's report,
the commit, its progress and its result; a file with problems gives its report to
download."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enterprises.models import Enterprise
from imports.models import ImportJob
from tests.imports.conftest import csv_bytes, unit_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _upload(client: Any, province: Any, rows: list[dict[str, Any]]) -> ImportJob:
    response = client.post(
        reverse("import_new"),
        {"province": province.pk, "file": SimpleUploadedFile("qom.csv", csv_bytes(rows))},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "import_columns", kwargs={"pk": job.pk}
    )
    page = client.get(response["Location"]).content.decode()
    assert "شناسه ملی" in page  # the file's headers offered for each field
    mapping = {key: str(index) for key, index in job.mapping.items()}
    response = client.post(reverse("import_columns", kwargs={"pk": job.pk}), mapping)
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def test_a_good_file_goes_from_upload_to_imported_units(
    client_for: Any, officer_a: Any, reference: Any
) -> None:
    client = client_for(officer_a)
    rows = [unit_row(), unit_row()]

    job = _upload(client, reference.qom, rows)
    page = client.get(reverse("import_detail", kwargs={"pk": job.pk})).content.decode()
    assert 'data-testid="ready"' in page and 'data-testid="commit"' in page
    assert not Enterprise.objects.filter(legal_id=rows[0]["شناسه ملی"]).exists()

    client.post(reverse("import_commit", kwargs={"pk": job.pk}))

    fragment = client.get(
        reverse("import_detail", kwargs={"pk": job.pk}), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-state="done"' in fragment and "<html" not in fragment
    assert Enterprise.objects.filter(legal_id__in=[r["شناسه ملی"] for r in rows]).count() == 2


def test_a_file_with_problems_lists_them_with_their_rows_and_gives_the_report(
    client_for: Any, officer_a: Any, reference: Any
) -> None:
    client = client_for(officer_a)
    job = _upload(client, reference.qom, [unit_row(), unit_row(**{"تاریخ وضعیت": "1401/12/30"})])

    page = client.get(reverse("import_detail", kwargs={"pk": job.pk})).content.decode()
    assert 'data-testid="problems"' in page and 'data-testid="commit"' not in page
    assert "۱۴۰۱/۱۲/۳۰" in page or "1401/12/30" in page

    client.post(reverse("import_commit", kwargs={"pk": job.pk}))  # refused: nothing written
    assert ImportJob.objects.get().state == ImportJob.State.CHECKED

    response = client.get(reverse("import_report", kwargs={"pk": job.pk, "fmt": "csv"}))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any(line[:1] == ["3"] and "وجود ندارد" in line[-1] for line in lines), lines
    response = client.get(reverse("import_report", kwargs={"pk": job.pk, "fmt": "xlsx"}))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    from openpyxl import load_workbook

    cells = [
        c for row in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True) for c in row
    ]
    assert 3 in cells and any("وجود ندارد" in str(c) for c in cells)


def test_a_refused_file_says_why_on_the_upload_page(
    client_for: Any, officer_a: Any, reference: Any
) -> None:
    response = client_for(officer_a).post(
        reverse("import_new"),
        {"province": reference.qom.pk, "file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04junk")},
    )

    assert response.status_code == 200 and b'data-field-error="file"' in response.content
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "shown"),
    [("national_admin", True), ("officer_a", True), ("park_manager", False), ("owner", False)],
)
def test_the_menu_shows_imports_to_those_who_may_import(
    who: str, shown: bool, user_of: Any, client_for: Any
) -> None:
    html = client_for(user_of(who)).get(reverse("enterprise_directory")).content.decode()

    assert ('data-testid="nav-imports"' in html) is shown


@pytest.mark.parametrize(("language", "shown", "other"), [("en", "25%", "٪"), ("fa", "۲۵٪", "%<")])
def test_an_import_in_progress_shows_its_percent_in_the_page_language(
    client_for: Any, officer_a: Any, reference: Any, language: str, shown: str, other: str
) -> None:
    """The progress bar's text: "25%" on an English page, «۲۵٪» on a Persian one."""
    client = client_for(officer_a)
    job = _upload(client, reference.qom, [unit_row() for _ in range(4)])
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.CHECKING, rows_total=4, rows_done=1
    )
    client.cookies["django_language"] = language

    page = client.get(reverse("import_detail", kwargs={"pk": job.pk})).content.decode()

    bar = page[page.index("<progress") : page.index("</progress>") + len("</progress>")]
    assert f">{shown}</progress>" in bar and other not in bar
