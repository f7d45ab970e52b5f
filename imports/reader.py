"""Reading a province's register safely: an XLSX workbook or a CSV file, as a header row
and rows of text.

An XLSX file is a ZIP archive: before openpyxl opens it, its central directory's
*declared* sizes are judged by the same guard as every office upload
(``clusters.uploads.check_declared_sizes``: members, bytes, compression ratio), and the
prolog of each XML part is read to refuse a document type declaration (an XML entity can
only be declared there), however long a comment hides it. openpyxl then reads the first sheet in read-only
mode, streaming (its sheet parser is defusedxml's when defusedxml is installed, which it
is: a pinned dependency). A formula cell is never evaluated: the row gets a problem
naming the column (``Table.formulas``) and its text is not used.

A CSV file is UTF-8 (a byte-order mark is fine); any other encoding is refused with a
message, not guessed. Both stop at ``settings.PISHRAN_IMPORT_MAX_ROWS`` data rows: a file
with more is refused whole. Every cell is text normalised by ``persian.text.normalize``
(Persian letters and Latin digits), so the checks see one spelling.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from clusters.uploads import ArchiveTooLarge, ZipLimits, check_declared_sizes
from persian.jalali import format_date
from persian.text import normalize

KINDS = ("xlsx", "csv")
# Bytes of each XML part read for its prolog (what comes before the root element: the XML
# declaration, comments, processing instructions and a document type declaration, where
# entities are declared). A prolog longer than this is refused.
_XML_HEAD = 64 * 1024
_PROLOG_ITEM = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->)", re.DOTALL)


def prolog_declares(head: bytes) -> bool | None:
    """Whether an XML part's prolog holds a declaration (``<!DOCTYPE``): True or False,
    or None when ``head`` ends before the root element starts (or is not UTF-8 XML)."""
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while (match := _PROLOG_ITEM.match(head, pos)) is not None:
        pos = match.end()
    rest = head[pos:].lstrip()
    if rest.startswith(b"<!"):
        return True
    if len(rest) > 1 and rest[:1] == b"<" and (rest[1:2].isalpha() or rest[1:2] == b"_"):
        return False
    return None


class ImportFileError(Exception):
    """A file refused whole; ``message`` is for the person (translated)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass
class Row:
    number: int  # the row's number in the sheet as the officer sees it (header = 1)
    cells: list[str]
    formulas: list[int] = field(default_factory=list)  # indexes of formula cells


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]
    counted: int | None = None  # the data rows of a file read for its count only

    @property
    def size(self) -> int:
        return len(self.rows) if self.counted is None else self.counted


def kind_of(filename: str) -> str | None:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ext if ext in KINDS else None


def zip_limits() -> ZipLimits:
    return ZipLimits(
        members=settings.UPLOAD_ZIP_MAX_MEMBERS,
        member_bytes=settings.UPLOAD_ZIP_MAX_MEMBER_BYTES,
        total_bytes=settings.UPLOAD_ZIP_MAX_TOTAL_BYTES,
        ratio=settings.UPLOAD_ZIP_MAX_RATIO,
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return format_date(value, persian_digits=False)
    return normalize(str(value))


def _too_many(limit: int) -> ImportFileError:
    return ImportFileError(
        "rows",
        _("The file has more than %(limit)s rows; split it into smaller files.")
        % {"limit": f"{limit:,}"},
    )


def _guard_archive(fileobj: IO[bytes]) -> None:
    size = fileobj.seek(0, 2)
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            check_declared_sizes(archive, size, zip_limits())
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                raise ImportFileError("format", _("The file is not an Excel workbook."))
            for name in names:
                if name.endswith((".xml", ".rels")):
                    with archive.open(name) as part:
                        head = part.read(_XML_HEAD)
                    if prolog_declares(head) is not False:
                        raise ImportFileError(
                            "entities", _("The workbook declares XML entities; it is refused.")
                        )
    except ArchiveTooLarge as error:
        raise ImportFileError(
            "zip", _("The workbook would inflate far beyond its size; it is refused.")
        ) from error
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError) as error:
        raise ImportFileError(
            "format", _("The file is damaged or is not an Excel workbook.")
        ) from error
    finally:
        fileobj.seek(0)


def _read_xlsx(fileobj: IO[bytes], max_rows: int, header_only: bool = False) -> Table:
    import openpyxl

    _guard_archive(fileobj)
    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(
            "format", _("The file is damaged or is not an Excel workbook.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        # Some programs write a wrong <dimension> (A1): read every row and column there is.
        sheet.reset_dimensions()
        headers: list[str] | None = None
        rows: list[Row] = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values = [_cell_text(c.value) for c in cells]
            formulas = [i for i, c in enumerate(cells) if getattr(c, "data_type", None) == "f"]
            if headers is None:
                if any(values):
                    headers = values
                    if header_only:
                        break
                continue
            if not any(values):
                continue
            if len(rows) >= max_rows:
                raise _too_many(max_rows)
            rows.append(
                Row(number, ["" if i in formulas else v for i, v in enumerate(values)], formulas)
            )
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(
            "format", _("The file is damaged or is not an Excel workbook.")
        ) from error
    finally:
        workbook.close()
    if headers is None:
        raise ImportFileError("empty", _("The file has no header row."))
    return Table(headers, rows)


def _read_csv(fileobj: IO[bytes], max_rows: int, *, count_only: bool = False) -> Table:
    """``count_only``: the rows are counted (and the cap judged), not kept, and only the
    header row is normalised (the upload; the dry run reads the rows)."""
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")
    headers: list[str] | None = None
    rows: list[Row] = []
    counted = 0
    # A register repeats its provinces, parks, statuses, dates and numbers on thousands of
    # rows: each distinct cell is normalised once per file.
    seen: dict[str, str] = {}
    try:
        reader: Iterator[list[str]] = csv.reader(text)
        for number, raw in enumerate(reader, start=1):
            if headers is None:
                values = [normalize(v) for v in raw]
                if any(values):
                    headers = values
                continue
            if count_only:
                if any(normalize(v) for v in raw if v):
                    counted += 1
                    if counted > max_rows:
                        raise _too_many(max_rows)
                continue
            values = []
            for v in raw:
                known = seen.get(v)
                if known is None:
                    known = seen[v] = normalize(v)
                values.append(known)
            if not any(values):
                continue
            if len(rows) >= max_rows:
                raise _too_many(max_rows)
            rows.append(Row(number, values))
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "encoding", _("The CSV file is not in UTF-8; save it again as “CSV UTF-8”.")
        ) from error
    except csv.Error as error:
        raise ImportFileError("format", _("The CSV file is damaged.")) from error
    finally:
        text.detach()
    if headers is None:
        raise ImportFileError("empty", _("The file has no header row."))
    return Table(headers, rows, counted=counted if count_only else None)


def read_table(
    fileobj: IO[bytes], kind: str, *, max_rows: int | None = None, quick: bool = False
) -> Table:
    """The file's header row and data rows (blank rows skipped), or ``ImportFileError``.

    ``quick`` (the upload, while the person waits): a workbook is judged whole (its
    archive and XML parts) but read only up to its header row, no rows returned; its rows
    are read by the worker's dry run. A CSV file's rows are counted (its cap judged), not
    kept: ``Table.counted``."""
    limit = max_rows if max_rows is not None else settings.PISHRAN_IMPORT_MAX_ROWS
    fileobj.seek(0)
    if kind == "xlsx":
        return _read_xlsx(fileobj, limit, header_only=quick)
    if kind == "csv":
        return _read_csv(fileobj, limit, count_only=quick)
    raise ImportFileError("kind", _("Upload an Excel (.xlsx) or CSV file."))
