"""Tables as XLSX and CSV downloads, read back as a person's spreadsheet would read them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import override
from openpyxl import load_workbook

from exports.responses import FORMATS, export_response
from exports.tables import Column, Table
from exports.writers import xlsx_chunks

ESFAND_30_1403 = dt.date(2025, 3, 20)  # a leap Esfand's last day

COLUMNS = [
    Column("name", "نام واحد"),
    Column("employees", "تعداد کارکنان", "int"),
    Column("capital", "سرمایه (میلیارد ریال)", "decimal"),
    Column("share", "سهم", "percent"),
    Column("since", "از تاریخ", "date"),
    Column("recorded", "ثبت", "datetime"),
]

ROWS = [
    {
        "name": "صنایع غذایی البرز",
        "employees": 42,
        "capital": Decimal("12.50"),
        "share": 0.253,
        "since": ESFAND_30_1403,
        "recorded": dt.datetime(2025, 3, 20, 10, 35, tzinfo=dt.UTC),  # 14:05 in Tehran
    },
    {"name": '=HYPERLINK("http://evil.example","click")', "employees": -3},
    {"name": "@SUM(A1:A9)", "employees": None},
    {"name": "+98 25 3333", "capital": -1.5},
    {"name": "-2+3"},
    {"name": "\tcmd"},
    {"name": "\r=1+1"},
    {"name": "\x01=1+1"},
]

# The names of ROWS[1:] as they must be written: text that would run as a formula, with
# an apostrophe in front.
ESCAPED_NAMES = [
    '\'=HYPERLINK("http://evil.example","click")',
    "'@SUM(A1:A9)",
    "'+98 25 3333",
    "'-2+3",
    "'\tcmd",
    "'\r=1+1",
    "'=1+1",  # the control character that hid the sign is dropped, the sign escaped
]


def make_table(rows: Any = None, **kwargs: Any) -> Table:
    defaults: dict[str, Any] = {
        "title": "واحدهای صنعتی استان قم",
        "columns": COLUMNS,
        "rows": ROWS if rows is None else rows,
        "filename": "province-IR-25-units",
        "as_of": dt.datetime(2025, 3, 20, 10, 35, tzinfo=dt.UTC),
        "filters": [("استان", "قم"), ("وضعیت", "فعال")],
        "source_url": "/enterprises/?province=IR-25",
    }
    return Table(**{**defaults, **kwargs})


def content_of(response: Any) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)
    return response.content


def workbook_of(response: Any) -> Any:
    return load_workbook(io.BytesIO(content_of(response)))


def csv_lines(response: Any) -> list[list[str]]:
    raw = content_of(response)
    assert raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would garble Persian"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def data_rows(lines: list[list[str]]) -> list[list[str]]:
    """The rows after the header (the first line after the first empty line)."""
    return lines[lines.index([]) + 2 :]


# --- XLSX ---------------------------------------------------------------------------------


def test_it_answers_an_xlsx_attachment_with_the_tables_file_name() -> None:
    response = export_response(make_table(), "xlsx")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="province-IR-25-units.xlsx"'


def test_the_sheet_is_right_to_left_with_title_lines_and_a_bold_frozen_persian_header() -> None:
    with override("fa"):
        ws = workbook_of(export_response(make_table(), "xlsx")).active

    assert ws.sheet_view.rightToLeft is True
    column_a = [row[0] for row in ws.iter_rows(min_col=1, max_col=1, values_only=True)]
    assert column_a[:5] == [
        "واحدهای صنعتی استان قم",
        "به‌روز تا ۱۴۰۳/۱۲/۳۰ ۱۴:۰۵",
        "استان: قم",
        "وضعیت: فعال",
        "منبع: /enterprises/?province=IR-25",
    ]
    header = [cell.value for cell in ws[7]]
    assert header == [c.label for c in COLUMNS]
    assert all(cell.font.b for cell in ws[7])
    assert ws.freeze_panes == "A8"
    assert ws.column_dimensions["A"].width >= 20


def test_numbers_are_numeric_cells_and_dates_jalali_text() -> None:
    ws = workbook_of(export_response(make_table(), "xlsx")).active

    first = [cell for cell in ws[8]]
    assert [c.value for c in first] == [
        "صنایع غذایی البرز", 42, 12.5, 0.253, "1403/12/30", "1403/12/30 14:05",
    ]  # fmt: skip
    assert first[1].data_type == "n" and first[1].number_format == "#,##0"
    assert first[3].number_format == "0.0%"
    assert ws["B9"].value == -3, "a negative number must stay a number"
    assert ws["C11"].value == -1.5


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_escaped() -> None:
    ws = workbook_of(export_response(make_table(), "xlsx")).active

    names = [ws.cell(row=r, column=1) for r in range(9, 16)]
    assert [c.value for c in names] == ESCAPED_NAMES
    assert all(c.data_type == "s" for c in names), "a cell became a formula"


def test_several_tables_become_sheets_with_names_excel_accepts() -> None:
    long_title = "تعداد واحدهای صنعتی فعال به تفکیک استان و گروه صنعتی: ۱۴۰۳/۱۲"
    tables = [make_table(title=long_title), make_table(title=long_title), make_table(title="[?]")]

    workbook = workbook_of(export_response(tables, "xlsx"))

    names = workbook.sheetnames
    assert len(names) == 3 and len(set(names)) == 3
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names)
    assert names[0].startswith("تعداد واحدهای صنعتی")
    assert all(ws.sheet_view.rightToLeft for ws in workbook.worksheets)


def test_a_generator_of_rows_is_written_row_by_row() -> None:
    def rows() -> Iterator[dict[str, Any]]:
        for i in range(5000):
            yield {"name": f"واحد {i}", "employees": i}

    ws = workbook_of(export_response(make_table(rows()), "xlsx")).active

    assert ws.max_row == 7 + 5000
    assert ws.cell(row=7 + 5000, column=2).value == 4999


# --- CSV ----------------------------------------------------------------------------------


def test_csv_is_utf8_with_a_bom_persian_headers_jalali_dates_and_latin_digits() -> None:
    with override("fa"):
        response = export_response(make_table(), "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="province-IR-25-units.csv"'
    lines = csv_lines(response)
    assert lines[0] == ["واحدهای صنعتی استان قم"]
    assert lines[1] == ["به‌روز تا ۱۴۰۳/۱۲/۳۰ ۱۴:۰۵"]
    assert lines[lines.index([]) + 1] == [c.label for c in COLUMNS]
    assert data_rows(lines)[0] == [
        "صنایع غذایی البرز", "42", "12.50", "0.253", "1403/12/30", "1403/12/30 14:05",
    ]  # fmt: skip


def test_csv_escapes_formulas_but_not_negative_numbers() -> None:
    rows = data_rows(csv_lines(export_response(make_table(), "csv")))

    assert [row[0] for row in rows[1:]] == ESCAPED_NAMES
    assert rows[1][1] == "-3"
    assert rows[3][2] == "-1.5"


def test_csv_of_a_generator_is_streamed_and_reads_rows_only_as_it_is_sent() -> None:
    read: list[int] = []

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(2000):
            read.append(i)
            yield {"name": f"واحد {i}", "employees": i}

    response = export_response(make_table(rows()), "csv")

    assert isinstance(response, StreamingHttpResponse)
    assert read == [], "the rows were read before the response was sent"
    chunks = iter(response.streaming_content)
    head = next(chunks)
    assert head.startswith(b"\xef\xbb\xbf")
    assert "نام واحد".encode() in head
    assert len(read) < 2000
    rest = b"".join(chunks)
    assert rest.count(b"\n") == 2000
    assert len(read) == 2000


def test_csv_of_several_tables_holds_the_first() -> None:
    lines = csv_lines(export_response([make_table(), make_table(title="دیگری")], "csv"))

    assert lines[0] == ["واحدهای صنعتی استان قم"]
    assert ["دیگری"] not in lines


def test_without_as_of_filters_or_source_only_the_title_stands_above_the_header() -> None:
    lines = csv_lines(export_response(make_table(as_of=None, filters=[], source_url=""), "csv"))

    assert lines[:3] == [["واحدهای صنعتی استان قم"], [], [c.label for c in COLUMNS]]


def test_empty_cells_stay_empty_and_booleans_read_yes_or_no() -> None:
    columns = [Column("name", "نام"), Column("kb", "دانش‌بنیان"), Column("n", "تعداد", "int")]
    rows = [{"name": "الف", "kb": True, "n": None}, {"name": "ب", "kb": False}]
    with override("fa"):
        lines = csv_lines(export_response(make_table(rows, columns=columns), "csv"))

    assert data_rows(lines) == [["الف", "بله", ""], ["ب", "خیر", ""]]


# --- the interface --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "xls", "", "CSV", "../csv"])
def test_an_unknown_format_is_not_found(fmt: str) -> None:
    with pytest.raises(Http404):
        export_response(make_table(), fmt)


def test_the_formats_offered_are_xlsx_and_csv() -> None:
    assert FORMATS == ("xlsx", "csv")


def test_a_file_name_that_is_not_an_ascii_slug_is_made_one() -> None:
    response = export_response(make_table(filename='واحدها "قم"/\r\nx'), "csv")

    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_naive_datetimes_are_written_as_they_are() -> None:
    columns = [Column("at", "زمان", "datetime")]
    naive = dt.datetime(2024, 3, 19, 23, 59)  # noqa: DTZ001 - what a caller might pass
    rows = [{"at": naive}, {"at": timezone.now().date()}]

    lines = csv_lines(export_response(make_table(rows, columns=columns), "csv"))

    assert data_rows(lines)[0] == ["1402/12/29 23:59"]
    assert len(data_rows(lines)[1][0]) == 10


def test_a_streamed_xlsx_sends_its_head_before_reading_a_row_and_reads_back_whole() -> None:
    read: list[int] = []

    def rows() -> Iterator[dict[str, Any]]:
        for n in range(1500):
            read.append(n)
            yield {"name": f"=واحد {n}", "employees": n}

    table = Table(
        title="واحدهای فعال",
        columns=[Column("name", "نام"), Column("employees", "کارکنان", "int")],
        rows=rows(),
        filename="rows",
        filters=[("تعریف", "واحدهای فعال در تاریخ گزارش")],
    )
    chunks = xlsx_chunks(table)
    first = next(chunks)

    assert first and read == []  # the file starts before any row is read
    data = first + b"".join(chunks)
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "واحدهای فعال"
    assert values[1][0] == "تعریف: واحدهای فعال در تاریخ گزارش"
    assert values[3] == ("نام", "کارکنان")
    assert values[4] == ("'=واحد 0", 0)  # formula escaped, number kept a number
    assert len(values) == 4 + 1500
    assert sheet.sheet_view.rightToLeft
    assert sheet.freeze_panes == "A5"
