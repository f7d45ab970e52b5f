"""Files refused whole, before any row is judged: a ZIP bomb, XML entities, a damaged or
truncated workbook, a CSV not in UTF-8, more rows than the cap, another kind of file. A
formula cell is never evaluated: its row gets a problem."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from enterprises.models import Enterprise
from imports import services
from imports.models import ImportJob
from imports.reader import ImportFileError, read_table
from tests.imports.conftest import (
    HEADERS,
    csv_bytes,
    dry_run,
    messages,
    unit_row,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def _refused(actor: Any, province: Any, content: bytes, name: str) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        services.import_upload(actor=actor, province=province, upload=upload(content, name))
    assert ImportJob.objects.count() == 0
    return caught.value


def test_a_zip_bomb_is_refused_by_its_declared_sizes(officer_a: Any, reference: Any) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))

    error = _refused(officer_a, reference.qom, out.getvalue(), "bomb.xlsx")

    assert error.code == "zip" and "بزرگ" in error.message


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><workbook>&lol2;</workbook>'
)


@pytest.mark.parametrize(
    "laughs",
    [
        '<?xml version="1.0"?>' + LAUGHS,
        '<?xml version="1.0"?><!--' + "x" * 20_000 + "-->\n" + LAUGHS,
    ],
    ids=["at the top", "behind a long comment"],
)
def test_a_workbook_declaring_xml_entities_is_refused(
    laughs: str, officer_a: Any, reference: Any
) -> None:
    out = io.BytesIO(xlsx_bytes([unit_row()]))
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(rebuilt, "w") as target:
        for info in source.infolist():
            data = laughs.encode() if info.filename == "xl/workbook.xml" else source.read(info)
            target.writestr(info, data)

    error = _refused(officer_a, reference.qom, rebuilt.getvalue(), "entities.xlsx")

    assert error.code == "entities"


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"PK\x03\x04 truncated", "cut.xlsx", "format"),
        (xlsx_bytes([unit_row()])[:-200], "cut.xlsx", "format"),
        ("نام,شناسه\nالف,1\n".encode("cp1256"), "ansi.csv", "encoding"),
        (b"%PDF-1.7", "units.pdf", "kind"),
    ],
    ids=["not a zip", "truncated workbook", "csv not in utf-8", "a pdf"],
)
def test_a_damaged_or_foreign_file_is_refused_with_a_message(
    content: bytes, name: str, code: str, officer_a: Any, reference: Any
) -> None:
    error = _refused(officer_a, reference.qom, content, name)

    assert error.code == code and error.message


def test_a_file_over_the_row_cap_is_refused(officer_a: Any, reference: Any, settings: Any) -> None:
    settings.PISHRAN_IMPORT_MAX_ROWS = 2

    error = _refused(officer_a, reference.qom, csv_bytes([unit_row() for _ in range(3)]), "big.csv")

    assert error.code == "rows" and "2" in error.message


def test_a_file_over_the_size_cap_is_refused(officer_a: Any, reference: Any, settings: Any) -> None:
    settings.PISHRAN_IMPORT_MAX_BYTES = 100

    error = _refused(officer_a, reference.qom, csv_bytes([unit_row()]), "big.csv")

    assert error.code == "size"


def test_a_formula_cell_is_never_evaluated_and_its_row_is_refused(
    officer_a: Any, reference: Any
) -> None:
    content = xlsx_bytes([unit_row(**{"تعداد کارکنان": "=10*10"})])
    before = Enterprise.objects.count()

    job = dry_run(officer_a, reference.qom, content, "formula.xlsx")

    assert [row for row, _ in messages(job)] == [2] and "فرمول" in messages(job)[0][1]
    assert Enterprise.objects.count() == before


def test_persian_and_arabic_digits_and_letters_are_read_as_one_spelling() -> None:
    content = csv_bytes(
        [unit_row(**{"نام واحد": "كارخانه  علي", "تعداد کارکنان": "٣٠"})], bom=False
    )

    table = read_table(io.BytesIO(content), "csv")

    assert table.headers == [h.replace("\u200c", "\u200c") for h in HEADERS]
    assert table.rows[0].cells[0] == "کارخانه علی" and table.rows[0].cells[6] == "30"


@pytest.mark.parametrize(
    ("head", "declares"),
    [
        (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<workbook xmlns="x">', False),
        (b"\xef\xbb\xbf<?xml version='1.0'?><!-- c --><?pi x?> <sst>", False),
        (b"<?xml version='1.0'?><!DOCTYPE x>", True),
        (b"<?xml version='1.0'?><!-- never closed", True),  # refused either way
        ("<?xml?><a>".encode("utf-16"), None),
    ],
)
def test_the_prolog_of_each_xml_part_is_read_for_a_declaration(
    head: bytes, declares: bool | None
) -> None:
    from imports.reader import prolog_declares

    assert prolog_declares(head) is declares


def test_openpyxl_parses_the_sheets_through_defusedxml() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_the_file_of_an_old_import_is_deleted_and_its_job_kept(
    officer_a: Any, reference: Any, settings: Any
) -> None:
    import datetime as dt
    from pathlib import Path

    from django.utils import timezone

    job = dry_run(officer_a, reference.qom, csv_bytes([unit_row()]))
    path = Path(job.file.path)
    assert path.exists()

    assert services.prune_imports(timezone.now() + dt.timedelta(days=29)) == 0
    assert services.prune_imports(timezone.now() + dt.timedelta(days=31)) == 1

    job.refresh_from_db()
    assert not path.exists() and not job.file and job.state == ImportJob.State.CHECKED
    assert services.import_check(job.pk).state == ImportJob.State.FAILED  # said, not a crash


def test_a_workbook_that_misstates_its_dimension_is_read_whole() -> None:
    import re

    original = io.BytesIO(xlsx_bytes([unit_row(), unit_row()]))
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(rebuilt, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
            target.writestr(info, data)

    table = read_table(rebuilt, "xlsx")

    assert [row.number for row in table.rows] == [2, 3]
    assert len(table.rows[0].cells) == len(HEADERS)


def test_a_workbook_over_the_row_cap_is_refused_by_the_dry_run_and_nothing_is_written(
    officer_a: Any, reference: Any, settings: Any
) -> None:
    settings.PISHRAN_IMPORT_MAX_ROWS = 2
    before = Enterprise.objects.count()

    job = dry_run(officer_a, reference.qom, xlsx_bytes([unit_row() for _ in range(3)]), "big.xlsx")

    assert job.state == ImportJob.State.FAILED and "2" in job.error
    assert Enterprise.objects.count() == before
