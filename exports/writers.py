"""The CSV and XLSX writers behind ``exports.responses``.

Both stream: the CSV writer yields encoded chunks a few hundred rows at a time, and the
XLSX writer uses openpyxl's write-only mode (rows go to a temporary file as they come),
so a generator of a million rows never sits in memory.
"""

from __future__ import annotations

import csv
import functools
import io
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
CSV_PREPARED_ROWS = 2000
CSV_FIRST_ROWS = 100
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
    if table.prepared:
        yield from _csv_prepared(table)
        return
    chunk: list[str] = []
    for row in table.rows:
        chunk.append(writer.writerow([_csv_text(v) for v in _row_cells(table.columns, row)]))
        if len(chunk) >= CSV_CHUNK_ROWS:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


def _csv_prepared(table: Table) -> Iterator[bytes]:
    """Prepared rows (``Table.prepared``) written ``CSV_PREPARED_ROWS`` at a time by one
    ``writerows`` call into a buffer: no per-cell conversion, no call per row in Python.
    Decimals and floats still go through ``_csv_text`` (never 1E+3)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    rows = iter(table.rows)
    # Numbers with a fraction live in decimal and percent columns.
    fractions = any(column.kind in ("decimal", "percent") for column in table.columns)
    size = CSV_FIRST_ROWS  # the first rows leave at once, before a slower read of the rest
    batch: list[Any]
    while batch := list(itertools.islice(rows, size)):
        size = CSV_PREPARED_ROWS
        if fractions:
            batch = [[_csv_text(v) for v in row] for row in batch]
        writer.writerows(batch)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


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


# --- XLSX, streamed ----------------------------------------------------------------------


class _Pipe:
    """A file that keeps what is written until it is taken (``zipfile`` writing into a
    response as it goes: a stream that cannot seek gets data descriptors)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.written = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts = []
        return out


_XLSX_ROWS_PER_CHUNK = 500
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
    '<fonts count="4"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/></font>'
    '<font><i/><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# Style indexes in ``_STYLES``: title, italic preamble line, bold header, #,##0, 0.0%.
_TITLE, _LINE, _HEADER, _INT, _PERCENT = 1, 2, 3, 4, 5


def _xml_text(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _xlsx_cell(ref: str, value: Any, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return f'<c r="{ref}"{s}><v>{_csv_text(value)}</v></c>'
    text = _xml_text(str(value))
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{text}</t></is></c>'


def _xlsx_row(number: int, values: Sequence[Any], styles: Sequence[int]) -> str:
    cells = "".join(
        _xlsx_cell(f"{get_column_letter(i)}{number}", v, st)
        for i, (v, st) in enumerate(zip(values, styles, strict=True), start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def _xlsx_row_maker(formats: Sequence[int]) -> Any:
    """A function writing one data row as ``_xlsx_row`` does (the same cells and styles),
    with the column letters, the style attributes and each cell's fixed text worked out
    once: a download of a million rows spends its time here. A text's escaped form is
    kept for the texts that recur (statuses, provinces, parks: a national list holds a few
    thousand distinct ones), in a bounded cache so that the names do not fill memory."""
    columns = [
        (
            f'<c r="{get_column_letter(i)}',
            f'"{f" s={chr(34)}{f}{chr(34)}" if f else ""}><v>',
            '" t="inlineStr"><is><t xml:space="preserve">',
        )
        for i, f in enumerate(formats, start=1)
    ]
    escaped = functools.lru_cache(maxsize=8192)(_xml_text)

    def row_xml(number: int, values: Sequence[Any]) -> str:
        n = str(number)
        parts = [f'<row r="{n}">']
        for (ref, number_tail, text_tail), value in zip(columns, values, strict=True):
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is str:
                parts.append(f"{ref}{n}{text_tail}{escaped(value)}</t></is></c>")
            elif kind is int or (kind is not bool and isinstance(value, int | float | Decimal)):
                parts.append(f"{ref}{n}{number_tail}{_csv_text(value)}</v></c>")
            else:
                parts.append(f"{ref}{n}{text_tail}{escaped(str(value))}</t></is></c>")
        parts.append("</row>")
        return "".join(parts)

    return row_xml


def xlsx_chunks(table: Table) -> Iterator[bytes]:
    """One right-to-left sheet of ``table`` as an XLSX file, yielded as it is written: the
    workbook's small parts and the sheet's head first, then the rows a few hundred at a time
    (the same cells, preamble, frozen bold header and number formats as ``write_xlsx``), so
    the first bytes leave at once and memory holds one chunk, however many rows."""
    import zipfile

    pipe = _Pipe()
    # The fastest deflate: the sheet's repetitive XML still shrinks ~8 times, in a third of
    # the time of the default level (a streamed sheet is written while the person waits).
    archive = zipfile.ZipFile(  # type: ignore[call-overload]
        pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
    )
    title = sheet_title(table.title, set())
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{_xml_text(title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _STYLES,
    }
    for name, text in parts.items():
        archive.writestr(name, text)
    yield pipe.take()

    lines = preamble(table)
    header_row = len(lines) + 2
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{max(WIDTHS[c.kind], min(len(c.label) + 4, 40))}" '
        'customWidth="1"/>'
        for i, c in enumerate(table.columns, start=1)
    )
    head = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView rightToLeft="1" workbookViewId="0">'
        f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews>'
        f"<cols>{widths}</cols><sheetData>"
    ]
    for number, line in enumerate(lines, start=1):
        head.append(_xlsx_row(number, [line], [_TITLE if number == 1 else _LINE]))
    head.append(
        _xlsx_row(
            header_row,
            [escape_text(c.label) for c in table.columns],
            [_HEADER] * len(table.columns),
        )
    )
    formats = [
        _INT if c.kind == "int" else _PERCENT if c.kind == "percent" else 0 for c in table.columns
    ]
    with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
        sheet.write("".join(head).encode())
        yield pipe.take()
        chunk: list[str] = []
        number = header_row
        cells = _xlsx_row_maker(formats)
        for row in table.rows:
            number += 1
            chunk.append(cells(number, row if table.prepared else _row_cells(table.columns, row)))
            if len(chunk) >= _XLSX_ROWS_PER_CHUNK:
                sheet.write("".join(chunk).encode())
                chunk = []
                if taken := pipe.take():
                    yield taken
        sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    archive.close()
    yield pipe.take()
