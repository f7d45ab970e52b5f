"""Small real files for upload tests: a PDF, a DOCX and an XLSX built in memory."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _office(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


DOCX = _office({"word/document.xml": "<w:document/>"})
XLSX = _office({"xl/workbook.xml": "<workbook/>"})
PLAIN_ZIP = _office({"notes.txt": "hello"})


def office_bomb(zeros: int, *, members: int = 0) -> bytes:
    """An XLSX whose sheet is ``zeros`` zero bytes, deflated (about a thousand to one), with
    ``members`` extra empty members: small on the wire, large once inflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(zeros))
        for n in range(members):
            archive.writestr(f"xl/media/{n}.bin", b"")
    return buffer.getvalue()
