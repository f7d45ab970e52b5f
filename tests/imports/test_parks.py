"""A file of parks and zones: the dry run names every bad row in Persian with its number;
the commit registers new parks and updates known ones (by name in their province, never
twice) through the parks' services, audited, all rows or none; an officer imports only
their province's parks."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditRecord
from imports import services
from imports.models import ImportJob
from places.models import Park
from tests.imports.conftest import commit, messages

pytestmark = pytest.mark.django_db

HEADERS = ["نام شهرک", "استان", "نوع", "مالکیت", "مساحت (هکتار)", "تاریخ تأسیس",
           "تعداد قطعات", "قطعات واگذار شده"]  # fmt: skip


def park_row(**over: str) -> dict[str, str]:
    row = {
        "نام شهرک": "ناحیه صنعتی کهک",
        "استان": "قم",
        "نوع": "ناحیه صنعتی",
        "مالکیت": "دولتی",
        "مساحت (هکتار)": "۱۲۰٫۵",
        "تاریخ تأسیس": "۱۳۸۵/۰۳/۰۱",
        "تعداد قطعات": "۲۰۰",
        "قطعات واگذار شده": "۱۵۰",
    }
    row.update(over)
    return row


def parks_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADERS])
    return ("\ufeff" + out.getvalue()).encode()


def parks_dry_run(actor: Any, province: Any, content: bytes) -> ImportJob:
    job = services.import_upload(
        actor=actor,
        province=province,
        upload=SimpleUploadedFile("parks.csv", content),
        target=ImportJob.Target.PARKS,
    )
    job = services.import_map(actor=actor, job=job, mapping=job.mapping)
    return services.import_check(job.pk)


BAD = {
    "unknown province": (park_row(استان="آتلانتیس"), "ناشناخته"),
    "non-existent Jalali date": (park_row(**{"تاریخ تأسیس": "۱۴۰۱/۱۲/۳۰"}), "وجود ندارد"),
    "unknown kind": (park_row(نوع="فرودگاه"), "ناشناخته"),
    "more plots allocated than there are": (park_row(**{"قطعات واگذار شده": "۳۰۰"}), "قطعات"),
    "a row for another province": (park_row(استان="تهران"), "تهران"),
    "not an area": (park_row(**{"مساحت (هکتار)": "زیاد"}), "مساحت"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_park_row_is_named_with_its_row_number_and_nothing_is_written(
    case: str, officer_a: Any, reference: Any
) -> None:
    row, words = BAD[case]
    before = (Park.objects.count(), AuditRecord.objects.count())

    job = parks_dry_run(officer_a, reference.qom, parks_csv([park_row(**{"نام شهرک": "الف"}), row]))

    assert not job.can_commit
    [(number, message)] = messages(job)
    assert number == 3 and words in message, message
    assert commit(job).state == ImportJob.State.CHECKED
    assert (Park.objects.count(), AuditRecord.objects.count()) == before


def test_a_park_twice_in_the_file_names_the_first_row(officer_a: Any, reference: Any) -> None:
    job = parks_dry_run(
        officer_a,
        reference.qom,
        parks_csv([park_row(), park_row(**{"نام شهرک": "ناحيه  صنعتي كهك"})]),
    )

    [(number, message)] = messages(job)
    assert number == 3 and ("۲" in message or "2" in message), message


def test_a_file_of_parks_registers_new_ones_and_updates_known_ones_by_name(
    officer_a: Any, reference: Any
) -> None:
    known = reference.park_p  # شکوهیه, Qom
    rows = [
        park_row(),
        park_row(**{"نام شهرک": "شهرک صنعتی شکوهیه", "نوع": "شهرک", "مالکیت": "خصوصی",
                    "تعداد قطعات": "۹۰۰", "قطعات واگذار شده": "۸۰۰"}),
    ]  # fmt: skip
    parks_before = Park.objects.count()

    job = parks_dry_run(officer_a, reference.qom, parks_csv(rows))
    assert job.can_commit and (job.to_create, job.to_update) == (1, 1), job.problems
    job = commit(job)

    assert job.state == ImportJob.State.DONE and (job.created, job.updated) == (1, 1), job.error
    assert Park.objects.count() == parks_before + 1  # the known park is not registered twice
    new = Park.objects.get(province=reference.qom, name="ناحیه صنعتی کهک")
    assert (new.kind, new.ownership, new.area_ha, new.plots_total, new.plots_allocated) == (
        Park.Kind.ZONE, Park.Ownership.STATE, Decimal("120.50"), 200, 150
    )  # fmt: skip
    known.refresh_from_db()
    assert (known.name, known.ownership, known.plots_total) == ("شکوهیه", "private", 900)
    assert AuditRecord.objects.filter(actor=officer_a, action="create").count() == 1
    assert AuditRecord.objects.filter(actor=officer_a, action="update").count() == 1


def test_a_refused_park_at_commit_writes_no_park(
    officer_a: Any, reference: Any, monkeypatch: Any
) -> None:
    from django.core.exceptions import ValidationError

    from places import services as places

    job = parks_dry_run(
        officer_a, reference.qom, parks_csv([park_row(), park_row(**{"نام شهرک": "ناحیه دوم"})])
    )
    real = places.park_create

    def second_refused(**kwargs: Any) -> Any:
        if kwargs["data"]["name"] == "ناحیه دوم":
            raise ValidationError({"name": "نام پذیرفته نیست."})
        return real(**kwargs)

    monkeypatch.setattr(places, "park_create", second_refused)
    before = (Park.objects.count(), AuditRecord.objects.count())

    job = commit(job)

    assert job.state == ImportJob.State.FAILED and "نام پذیرفته نیست." in job.error
    assert (Park.objects.count(), AuditRecord.objects.count()) == before


def test_an_officer_may_not_import_parks_of_another_province(
    officer_b: Any, reference: Any
) -> None:
    """officer_b keeps Tehran: a national file naming a Qom park is refused row by row."""
    job = parks_dry_run(
        officer_b, None, parks_csv([park_row(), park_row(**{"نام شهرک": "شکوهیه"})])
    )

    assert not job.can_commit
    assert [n for n, _m in messages(job)] == [2, 3]


def test_the_parks_sample_imports_as_it_is(client: Any, officer_a: Any, reference: Any) -> None:
    client.force_login(officer_a)
    response = client.get(reverse("import_sample", args=["parks", "csv"]))
    assert response.status_code == 200

    job = parks_dry_run(officer_a, reference.qom, response.content)

    assert job.can_commit and job.to_create == 1, job.problems


def test_the_upload_page_offers_parks_and_both_samples(client: Any, officer_a: Any) -> None:
    client.force_login(officer_a)

    page = client.get(reverse("import_new")).content.decode()

    assert "شهرک‌ها و نواحی" in page or "parks and zones" in page
    assert reverse("import_sample", args=["parks", "xlsx"]) in page
    assert reverse("import_sample", args=["units", "xlsx"]) in page


def test_an_officer_uploads_a_file_of_parks_and_maps_its_columns_on_the_pages(
    client: Any, officer_a: Any, reference: Any
) -> None:
    client.force_login(officer_a)

    response = client.post(
        reverse("import_new"),
        {
            "target": "parks",
            "province": reference.qom.pk,
            "file": SimpleUploadedFile("parks.csv", parks_csv([park_row()])),
        },
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.target == ImportJob.Target.PARKS
    assert {"name", "kind", "ownership", "area_ha", "plots_total"} <= set(job.mapping)
    page = client.get(reverse("import_columns", args=[job.pk])).content.decode()
    assert 'name="plots_allocated"' in page and 'name="legal_id"' not in page
