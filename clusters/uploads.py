"""What an uploaded document really is, read from its content.

Only three types are accepted (PDF, DOCX, XLSX), so this checks them with the standard
library rather than a general detector: a PDF starts with ``%PDF-``; a DOCX or XLSX is a
ZIP archive that ``zipfile`` can actually open and that holds the parts that make it a
Word or Excel document (``[Content_Types].xml`` plus ``word/document.xml`` or
``xl/workbook.xml``). Detectors such as ``filetype`` read only the first bytes and would
accept a truncated archive or any ZIP that mentions the right name.
"""

from __future__ import annotations

import zipfile
from typing import IO

ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_OFFICE_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def claimed_type(filename: str) -> str | None:
    """The type a file's name claims (its extension), if it is one we accept."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ext if ext in ALLOWED else None


def content_type_of(fileobj: IO[bytes]) -> str | None:
    """'pdf', 'docx', 'xlsx' from the content, or None for anything else."""
    fileobj.seek(0)
    head = fileobj.read(1024)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if archive.testzip() is not None:
                return None
    except (zipfile.BadZipFile, EOFError, ValueError):
        return None
    finally:
        fileobj.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for kind, part in _OFFICE_PART.items():
        if part in names:
            return kind
    return None
