"""The open data's pages: ``/open/`` (the datasets, their snapshot, licence and data
dictionary, and the public figures with the API query behind each), the downloads and the
manifest. Public: everyone gets the same, signed in or not (the snapshots hold only what
the public sees, ``opendata.datasets``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import snapshots
from .datasets import DATASETS, FORMATS, TYPES

FORMAT_LABELS = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON"}


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def _built_at(manifest: dict[str, Any]) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(manifest.get("built_at")))
    except ValueError:
        return None


@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    manifest = snapshots.current()
    built = manifest["datasets"] if manifest else {}
    type_labels = _type_labels()
    datasets = []
    for key, dataset in DATASETS.items():
        entry = built.get(key) if isinstance(built.get(key), dict) else None
        files = entry.get("files", {}) if entry else {}
        datasets.append(
            {
                "key": key,
                "title": dataset.title,
                "description": dataset.description,
                "rows": entry.get("rows") if entry else None,
                "downloads": [
                    {
                        "fmt": fmt,
                        "label": FORMAT_LABELS[fmt],
                        "size": files[fmt].get("size"),
                        "sha256": files[fmt].get("sha256", ""),
                    }
                    for fmt in FORMATS
                    if isinstance(files.get(fmt), dict)
                ],
                "fields": [{"field": f, "type_label": type_labels[f.type]} for f in dataset.fields],
            }
        )
    rows = _figure_rows(manifest) if manifest and "figures" in built else []
    places = {
        str(row["place"]): str(row.get("place_name") or row["place"])
        for row in rows
        if row.get("place") != "country"
    }
    place, place_error = "country", ""
    asked = request.GET.get("province", "").replace("\x00", "").strip().upper()
    if asked and asked in places:
        place = asked
    elif asked:
        place_error = _("No province has the code %(code)s; showing the country's figures.") % {
            "code": asked[:10]
        }
    context = {
        "manifest": manifest,
        "places": sorted(places.items()),
        "place": place,
        "place_error": place_error,
        "as_of": _date(manifest.get("as_of")) if manifest else None,
        "built_at": _built_at(manifest) if manifest else None,
        "datasets": datasets,
        "figures": [row for row in rows if row.get("place") == place],
        "licence": snapshots.LICENCE,
        "attributions": snapshots.ATTRIBUTIONS,
    }
    return render(request, "opendata/open.html", context)


def _type_labels() -> dict[str, str]:
    labels = {
        "integer": _("integer"),
        "decimal": _("decimal number"),
        "text": _("text"),
        "boolean": _("true or false"),
        "date": _("date (YYYY-MM-DD)"),
    }
    assert labels.keys() == TYPES.keys()
    return labels


def _figure_rows(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures of the snapshot, each with its API query (read from its JSON file)."""
    try:
        rows = snapshots.read_rows(snapshots.path_of(manifest, "figures", "json"))
    except (OSError, ValueError):
        return []
    return [row for row in rows if isinstance(row, dict) and "place" in row]


def _not_built(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/not_built.html", status=404)


@require_safe
def open_download(request: HttpRequest, dataset: str, fmt: str) -> HttpResponseBase:
    """One file of the current snapshot, as an attachment with its checksum as ETag (a
    client that has it gets 304). Unknown dataset or format: 404; a snapshot not built
    yet (or removed meanwhile): the page that says so, 404."""
    if dataset not in DATASETS or fmt not in FORMATS:
        raise Http404
    manifest = snapshots.current()
    entry = manifest["datasets"].get(dataset) if manifest else None
    info = entry.get("files", {}).get(fmt) if isinstance(entry, dict) else None
    if manifest is None or not isinstance(info, dict):
        return _not_built(request)
    etag = f'"{info.get("sha256", "")}"'
    built_at = _built_at(manifest)
    last_modified = int(built_at.timestamp()) if built_at else None
    unchanged = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if unchanged is not None:
        return unchanged
    try:
        handle = snapshots.path_of(manifest, dataset, fmt).open("rb")
    except OSError:
        return _not_built(request)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=str(info.get("name") or snapshots.file_name(dataset, fmt)),
        content_type=snapshots.CONTENT_TYPES[fmt],
    )
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def open_manifest(request: HttpRequest) -> JsonResponse:
    """The current snapshot's manifest: each dataset's rows, and each file's name, size
    and SHA-256; the licence, the snapshot's date and when it was built."""
    manifest = snapshots.current()
    if manifest is None:
        with translation.override("fa"):
            message_fa = _("The open data has not been built yet.")
        return JsonResponse(
            {
                "code": "not_built",
                "message": "The open data has not been built yet.",
                "message_fa": message_fa,
            },
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["ETag"] = f'"{manifest.get("build", "")}"'
    return response
