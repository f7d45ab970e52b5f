"""Files as the provinces keep them, and an import run from upload to commit."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from imports import services
from imports.models import ImportJob
from persian import jalali
from tests.factories import days_ago, legal_id

HEADERS = [
    "نام واحد", "شناسه ملی", "استان", "شهرک", "وضعیت", "تاریخ وضعیت", "تعداد کارکنان",
    "کد آیسیک", "شماره پروانه بهره‌برداری", "تاریخ پروانه بهره‌برداری",
]  # fmt: skip


def unit_row(**over: Any) -> dict[str, Any]:
    """A good row: an active unit in park شکوهیه of Qom."""
    row = {
        "نام واحد": "صنایع غذایی نمونه",
        "شناسه ملی": legal_id(),
        "استان": "قم",
        "شهرک": "شهرک صنعتی شکوهیه",
        "وضعیت": "فعال",
        "تاریخ وضعیت": jalali.format_date(days_ago(30)),
        "تعداد کارکنان": "۲۵",
        "کد آیسیک": "10",
        "شماره پروانه بهره‌برداری": "۱۲۳۴۵",
        "تاریخ پروانه بهره‌برداری": jalali.format_date(days_ago(400)),
    }
    row.update(over)
    return row


def csv_bytes(rows: list[dict[str, Any]], headers: list[str] = HEADERS, bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def xlsx_bytes(rows: list[dict[str, Any]], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "units.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def dry_run(actor: Any, province: Any, content: bytes, name: str = "units.csv") -> ImportJob:
    job = services.import_upload(actor=actor, province=province, upload=upload(content, name))
    job = services.import_map(actor=actor, job=job, mapping=job.mapping)
    return services.import_check(job.pk)


def commit(job: ImportJob) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.COMMITTING)
    return services.import_commit(job.pk)


def messages(job: ImportJob) -> list[tuple[int, str]]:
    return [(p["row"], p["message"]) for p in job.problems]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "fa"
