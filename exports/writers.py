"""The CSV and XLSX writers behind ``exports.responses``.

Both stream: the CSV writer yields encoded chunks a few hundred rows at a time, and the
XLSX writer uses openpyxl's write-only mode (rows go to a temporary file as they come),
so a generator of a million rows never sits in memory.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from persian.templatetags.persian import jdatetime

from .tables import Column, Table, cell_value, escape_text

CSV_CHUNK_ROWS = 500
UTF8_BOM = "\ufeff"

NUMBER_FORMATS = {"int": "#,##0", "percent": "0.0%"}
# Characters a column is given per kind; text columns grow to fit their label.
WIDTHS = {"int": 12, "decimal": 14, "percent": 10, "date": 12, "datetime": 17, "text": 24}
SHEET_TITLE_MAX = 31  # Excel's limit
SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def preamble(table: Table) -> list[str]:
    """The lines above the header: title, "as of", filters and source, in the active
    language (Persian digits in Persian: these lines are for people, not programs)."""
    lines = [table.title]
    if table.as_of is not None:
        lines.append(_("As of %(when)s") % {"when": jdatetime(table.as_of)})
    lines.extend(f"{label}: {value}" for label, value in table.filters)
    if table.source_url:
        lines.append(_("Source: %(url)s") % {"url": table.source_url})
    return [escape_text(line) for line in lines]


def _row_cells(columns: Sequence[Column], row: Any) -> list[Any]:
    return [cell_value(row.get(column.key), column.kind) for column in columns]


# --- CSV -------------------------------------------------------------------------------


class _Echo:
    """A file whose ``write`` hands back what it was given (csv.writer into a stream)."""

    def write(self, value: str) -> str:
        return value


def _csv_text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")  # never 1E+3
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return value


def csv_chunks(table: Table) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (Excel then reads Persian correctly): the preamble,
    one empty line, the header of Persian labels, then the rows. The head is written at
    once (in the language of the request); the rows are read as the response is sent."""
    writer = csv.writer(_Echo())
    head = [writer.writerow([line]) for line in preamble(table)]
    head.append(writer.writerow([]))
    head.append(writer.writerow([escape_text(column.label) for column in table.columns]))
    return itertools.chain([(UTF8_BOM + "".join(head)).encode()], _csv_rows(writer, table))


def _csv_rows(writer: Any, table: Table) -> Iterator[bytes]:
    chunk: list[str] = []
    for row in table.rows:
        chunk.append(writer.writerow([_csv_text(v) for v in _row_cells(table.columns, row)]))
        if len(chunk) >= CSV_CHUNK_ROWS:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


# --- XLSX ------------------------------------------------------------------------------


def sheet_title(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, no apostrophe at
    either end, not empty, unique in the workbook (case-insensitively)."""
    base = " ".join(title.translate(SHEET_TITLE_FORBIDDEN).split()).strip("'") or _("Sheet")
    candidate = base[:SHEET_TITLE_MAX].strip()
    n = 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: SHEET_TITLE_MAX - len(suffix)].strip() + suffix
    taken.add(candidate.casefold())
    return candidate


def _write_sheet(ws: WriteOnlyWorksheet, table: Table) -> None:
    # Column settings must come before the first row in write-only mode.
    ws.sheet_view.rightToLeft = True
    for index, column in enumerate(table.columns, start=1):
        width = WIDTHS[column.kind]
        width = max(width, min(len(column.label) + 4, 40))
        ws.column_dimensions[get_column_letter(index)].width = width
    lines = preamble(table)
    header_row = len(lines) + 2  # the preamble, one empty row, the header
    ws.freeze_panes = f"A{header_row + 1}"

    title_font, bold = Font(bold=True, size=14), Font(bold=True)
    for number, line in enumerate(lines):
        cell = WriteOnlyCell(ws, value=line)
        cell.font = title_font if number == 0 else Font(italic=True)
        ws.append([cell])
    ws.append([])
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(ws, value=escape_text(column.label))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    ws.append(header)

    formats = [NUMBER_FORMATS.get(column.kind) for column in table.columns]
    for row in table.rows:
        values = _row_cells(table.columns, row)
        cells: list[Any] = []
        for value, number_format in zip(values, formats, strict=True):
            if number_format and value is not None and not isinstance(value, str):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = number_format
                cells.append(cell)
            else:
                # Jalali dates are text: a spreadsheet cannot hold a Jalali date natively
                # (its date cells are Gregorian serial numbers), and zero-padded text
                # sorts in date order.
                cells.append(value)
        ws.append(cells)


def write_xlsx(tables: Iterable[Table], out: IO[bytes]) -> None:
    """One right-to-left sheet per table, written to ``out`` in write-only mode."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for table in tables:
        ws = workbook.create_sheet(title=sheet_title(table.title, taken))
        _write_sheet(ws, table)
    workbook.save(out)
