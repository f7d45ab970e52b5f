"""What an uploaded document really is, read from its content.

Only three types are accepted (PDF, DOCX, XLSX), so this checks them with the standard
library rather than a general detector: a PDF starts with ``%PDF-``; a DOCX or XLSX is a
ZIP archive that ``zipfile`` can actually open and that holds the parts that make it a
Word or Excel document (``[Content_Types].xml`` plus ``word/document.xml`` or
``xl/workbook.xml``). Detectors such as ``filetype`` read only the first bytes and would
accept a truncated archive or any ZIP that mentions the right name.

Checking that an archive opens means inflating every member (``testzip``), so a small
document holding gigabytes of zeros (a "zip bomb") would tie up a worker for minutes.
Before anything is inflated, the central directory's *declared* sizes are judged against
``ZipLimits`` (how many members, how big each and all together, how much bigger than
their compressed bytes); ``zipfile`` never inflates a member past its declared size (it
stops there and checks the CRC), so the declared sizes bound the work that follows.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

# Below this many declared bytes the compression ratio is not judged: a small member of
# repeated text (an empty sheet) compresses very well and costs nothing to inflate.
RATIO_FLOOR = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    """What a ZIP-based upload may declare (settings ``UPLOAD_ZIP_*``)."""

    members: int
    member_bytes: int
    total_bytes: int
    ratio: int


class ArchiveTooLarge(Exception):
    """An archive refused by its declared sizes: ``what`` is ``members``, ``member``,
    ``total`` or ``ratio``; ``found`` and ``limit`` are in members, bytes or times."""

    def __init__(self, what: str, found: int, limit: int) -> None:
        super().__init__(f"{what}: {found} > {limit}")
        self.what, self.found, self.limit = what, found, limit


def check_declared_sizes(archive: zipfile.ZipFile, size: int, limits: ZipLimits) -> None:
    """Refuse an archive whose central directory declares too much; reads no member."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise ArchiveTooLarge("members", len(infos), limits.members)
    total = 0
    for info in infos:
        if info.file_size > limits.member_bytes:
            raise ArchiveTooLarge("member", info.file_size, limits.member_bytes)
        if info.file_size > RATIO_FLOOR:
            ratio = info.file_size // max(info.compress_size, 1)
            if ratio > limits.ratio:
                raise ArchiveTooLarge("ratio", ratio, limits.ratio)
        total += info.file_size
    if total > limits.total_bytes:
        raise ArchiveTooLarge("total", total, limits.total_bytes)
    if total > RATIO_FLOOR and total // max(size, 1) > limits.ratio:
        raise ArchiveTooLarge("ratio", total // max(size, 1), limits.ratio)


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


def content_type_of(fileobj: IO[bytes], limits: ZipLimits) -> str | None:
    """'pdf', 'docx', 'xlsx' from the content, or None for anything else; raises
    ``ArchiveTooLarge`` for an archive that declares more than ``limits``."""
    size = fileobj.seek(0, 2)
    fileobj.seek(0)
    head = fileobj.read(1024)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(fileobj) as archive:
            check_declared_sizes(archive, size, limits)
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
