"""The responses a view answers with: a table as XLSX or CSV, a template as PDF.

``export_response(table, fmt)`` is all a view needs for a table::

    if fmt := request.GET.get("export"):
        return export_response(table, fmt)

and ``pdf_response(request, "exports/pdf_base.html", context, filename)`` for a report.
See ``docs/exports.md``."""

from __future__ import annotations

import mimetypes
import re
import tempfile
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

from .tables import Table
from .writers import csv_chunks, write_xlsx, xlsx_chunks

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def attachment_name(slug: str, extension: str) -> str:
    """An ASCII file name (``province-IR-25-units.xlsx``) whatever the slug holds."""
    stem = _UNSAFE_FILENAME.sub("-", slug).strip("-.") or "export"
    stem = stem.removesuffix(f".{extension}")
    return f"{stem[:100]}.{extension}"


def _attach(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(
    tables: Table | Sequence[Table], fmt: str, stream_xlsx: bool = False
) -> HttpResponseBase:
    """``tables`` as a download: ``fmt`` "xlsx" (one right-to-left sheet per table) or
    "csv" (the first table only: a CSV file holds one table). Any other ``fmt`` is 404.

    CSV is streamed when the rows are not a list or tuple (a generator of a million rows
    never sits in memory); XLSX is written in openpyxl's write-only mode to a temporary
    file and sent from there; with ``stream_xlsx`` (one table) it is written as it is sent
    (``writers.xlsx_chunks``: first bytes at once, memory flat)."""
    if fmt not in FORMATS:
        raise Http404
    every = [tables] if isinstance(tables, Table) else list(tables)
    if not every:
        raise ValueError("export_response needs at least one table")
    first = every[0]
    filename = attachment_name(first.filename, fmt)
    response: HttpResponseBase
    if fmt == "csv":
        if isinstance(first.rows, list | tuple):
            response = HttpResponse(b"".join(csv_chunks(first)), content_type=CONTENT_TYPES["csv"])
        else:
            response = StreamingHttpResponse(csv_chunks(first), content_type=CONTENT_TYPES["csv"])
        return _attach(response, filename)
    if stream_xlsx and len(every) == 1:
        response = StreamingHttpResponse(xlsx_chunks(first), content_type=CONTENT_TYPES["xlsx"])
        return _attach(response, filename)
    spool = tempfile.TemporaryFile()  # closed by FileResponse once sent
    write_xlsx(every, spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=CONTENT_TYPES["xlsx"])
    return _attach(response, filename)


# --- PDF -------------------------------------------------------------------------------


def _static_file(path: str) -> str | None:
    """The local file behind a static URL path (collected or found in the sources)."""
    if not path.startswith(settings.STATIC_URL):
        return None
    name = unquote(path.removeprefix(settings.STATIC_URL)).lstrip("/")
    if not name or ".." in name.split("/"):
        return None
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
    except NotImplementedError:  # a storage without local paths
        pass
    found = finders.find(name)
    return found if isinstance(found, str) else None


def _url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that reads static files from disk and refuses everything
    else: rendering a PDF never fetches anything over the network (nor a file outside
    the static files)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_file(urlsplit(url).path)
            if path is None:
                raise ValueError(f"not a static file, not fetched: {url}")
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as f:
                return URLFetcherResponse(url, f.read(), {"Content-Type": content_type})

    return StaticFilesOnly()


def render_pdf(request: HttpRequest, template_name: str, context: dict[str, Any]) -> bytes:
    """The template rendered to PDF by WeasyPrint (Pango and HarfBuzz shape Persian:
    joined letters, right-to-left lines) with the vendored Vazirmatn font."""
    import weasyprint  # imported here: loading Pango costs every other request nothing

    html = render_to_string(template_name, context, request=request)
    document = weasyprint.HTML(
        string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_url_fetcher()
    )
    return bytes(document.write_pdf())


def pdf_response(
    request: HttpRequest, template_name: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """A Django template as a PDF download named ``<filename>.pdf``."""
    response = HttpResponse(
        render_pdf(request, template_name, context), content_type=CONTENT_TYPES["pdf"]
    )
    _attach(response, attachment_name(filename, "pdf"))
    return response


def stored_file_response(stored: Any, filename: str, content_type: str) -> FileResponse:
    """A file kept in private storage (a document, a prepared download) as an attachment
    under the name the person knows it by; 404 when the file is missing on disk. Callers
    check first that the person may have it."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
