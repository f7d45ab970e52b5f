"""Building the open data's snapshots and finding the current one.

A build writes every dataset as CSV, XLSX and JSON, with ``manifest.json``, into a new
directory ``<MEDIA_ROOT>/opendata/builds/<stamp>.partial``; renames it without
``.partial`` once every file is complete; then replaces ``current.json`` (the manifest of
the build the pages serve) in one ``os.replace``. A download therefore never sees half a
file, and a build that fails or is killed half-way leaves the previous snapshot served:
only its ``.partial`` directory remains, removed by a later build. The build before the
current one is kept too (a download that started from it finishes), older ones removed.

Running it again is harmless (``TASKS_RETRY_ON_WORKER_LOSS``): it makes a new complete
snapshot of the same rows and the older ones are pruned."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exports.tables import Column, Table, escape_text
from exports.writers import UTF8_BOM, write_xlsx
from persian.jalali import today

from .datasets import DATASETS, FORMATS, TYPES, Dataset, jalali_text

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
LICENCE = {
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "id": "CC-BY-4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
PUBLISHER = "Pishran"
# The reference data the datasets carry (places/data/SOURCES.md, sectors/data/SOURCES.md).
ATTRIBUTIONS = (
    "Province codes: ISO 3166-2:IR (as renumbered on 2020-11-24).",
    "Province names and populations: Statistical Centre of Iran, 1395 (2016) census.",
    "Names of industrial parks and zones: ISIPO and provincial reports.",
    "ISIC Rev.4 divisions: United Nations Statistics Division.",
    "Industry groups: Iran Small Industries and Industrial Parks Organization (ISIPO).",
    "Province boundaries and centroids: © OpenStreetMap contributors (ODbL 1.0).",
)
ABANDONED_AFTER = 24 * 3600  # a .partial directory older than this was left by a dead build


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "opendata"


def builds() -> Path:
    return root() / "builds"


def file_name(dataset: str, fmt: str) -> str:
    return f"{dataset}.{fmt}"


def download_name(dataset: str, fmt: str, as_of: str) -> str:
    """``pishran-enterprises-2026-12-07.csv``: the name a download is saved under."""
    return f"pishran-{dataset}-{as_of}.{fmt}"


# --- reading ------------------------------------------------------------------------------


def current() -> dict[str, Any] | None:
    """The manifest of the snapshot being served, or None when none has been built (or
    its manifest cannot be read: then the pages say so, never fail)."""
    try:
        with (root() / "current.json").open(encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("datasets"), dict):
        return None
    return manifest


def path_of(manifest: dict[str, Any], dataset: str, fmt: str) -> Path:
    return builds() / str(manifest["build"]) / file_name(dataset, fmt)


# --- building ------------------------------------------------------------------------------


def build(as_of: dt.date | None = None) -> dict[str, Any]:
    """A new snapshot of every dataset as of ``as_of`` (today by default), made current
    once complete. Returns its manifest."""
    as_of = as_of or today()
    built_at = timezone.now().replace(microsecond=0)
    stamp = built_at.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    builds().mkdir(parents=True, exist_ok=True)
    partial = builds() / f"{stamp}.partial"
    partial.mkdir()
    try:
        with translation.override("fa"), transaction.atomic():
            # One transaction: on PostgreSQL every dataset reads the same moment's rows
            # only under REPEATABLE READ; at the default level each query sees the latest
            # commit, which is what the pages show too.
            datasets = {
                key: _write_dataset(partial, dataset, as_of, built_at)
                for key, dataset in DATASETS.items()
            }
            manifest = _manifest(stamp, as_of, built_at, datasets)
        _write_json_file(partial / "manifest.json", manifest)
        final = builds() / stamp
        os.replace(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    previous = current()
    _write_json_file(root() / "current.json", manifest)
    _prune(keep={stamp, str(previous["build"]) if previous else ""})
    return manifest


def _manifest(
    stamp: str, as_of: dt.date, built_at: dt.datetime, datasets: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    return {
        "publisher": PUBLISHER,
        "licence": LICENCE,
        "attribution": list(ATTRIBUTIONS),
        "build": stamp,
        "as_of": as_of.isoformat(),
        "as_of_jalali": jalali_text(as_of),
        "built_at": built_at.isoformat(),
        "datasets": datasets,
    }


def _write_json_file(path: Path, value: Any) -> None:
    """``value`` as JSON at ``path``, written under a temporary name and renamed over it."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _prune(keep: set[str]) -> None:
    """Remove the builds other than ``keep``, and ``.partial`` ones left by dead builds."""
    now = time.time()
    for entry in builds().iterdir():
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        if entry.name.endswith(".partial"):
            if now - entry.stat().st_mtime > ABANDONED_AFTER:
                shutil.rmtree(entry, ignore_errors=True)
        elif entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def _write_dataset(
    folder: Path, dataset: Dataset, as_of: dt.date, built_at: dt.datetime
) -> dict[str, Any]:
    """The dataset's three files, from one reading of its rows: the XLSX writer pulls the
    rows, and each row goes to the CSV and JSON files on its way."""
    names = [f.name for f in dataset.fields]
    head = _head(dataset, as_of, built_at)
    count = 0
    with (
        (folder / file_name(dataset.key, "csv")).open("w", encoding="utf-8", newline="") as c,
        (folder / file_name(dataset.key, "json")).open("w", encoding="utf-8") as j,
        (folder / file_name(dataset.key, "xlsx")).open("wb") as x,
    ):
        c.write(UTF8_BOM)
        writer = csv.writer(c)
        writer.writerow(names)
        j.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "rows": [')

        def passing() -> Iterator[dict[str, Any]]:
            nonlocal count
            for row in dataset.rows(as_of):
                writer.writerow([_csv_cell(row.get(name)) for name in names])
                j.write((",\n  " if count else "\n  ") + _json_row(row, names))
                count += 1
                yield {name: _xlsx_cell(row.get(name)) for name in names}

        write_xlsx([_data_table(dataset, passing(), as_of, built_at), _dictionary(dataset)], x)
        j.write("\n ]\n}\n")
        for handle in (c, j, x):
            handle.flush()
            os.fsync(handle.fileno())
    files = {}
    for fmt in FORMATS:
        path = folder / file_name(dataset.key, fmt)
        files[fmt] = {
            "name": download_name(dataset.key, fmt, as_of.isoformat()),
            "size": path.stat().st_size,
            "sha256": _sha256(path),
            "content_type": CONTENT_TYPES[fmt],
        }
    return {"title": str(dataset.title), "rows": count, "files": files}


def _head(dataset: Dataset, as_of: dt.date, built_at: dt.datetime) -> dict[str, Any]:
    """What a JSON file says about itself before its rows."""
    return {
        "dataset": dataset.key,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "publisher": PUBLISHER,
        "licence": LICENCE,
        "attribution": list(ATTRIBUTIONS),
        "as_of": as_of.isoformat(),
        "as_of_jalali": jalali_text(as_of),
        "built_at": built_at.isoformat(),
        "fields": [
            {
                "name": f.name,
                "label": str(f.label),
                "type": f.type,
                "meaning": str(f.meaning),
                "example": f.example,
            }
            for f in dataset.fields
        ],
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _json_row(row: dict[str, Any], names: list[str]) -> str:
    values = {
        name: _json_number(v) if isinstance(v, Decimal) else v
        for name in names
        for v in (row.get(name),)
    }
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _csv_cell(value: Any) -> Any:
    """Empty for None, true/false, numbers in full (never 1E+3), text a spreadsheet will
    not run as a formula (``exports.tables.escape_text``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return escape_text(value)
    return value


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _data_table(
    dataset: Dataset, rows: Iterator[dict[str, Any]], as_of: dt.date, built_at: dt.datetime
) -> Table:
    return Table(
        title=str(dataset.title),
        columns=[Column(f.name, f"{f.label} ({f.name})", TYPES[f.type]) for f in dataset.fields],
        rows=rows,
        filename=dataset.key,
        as_of=built_at,
        filters=[
            (_("Licence"), f"{LICENCE['name']} — {LICENCE['url']}"),
            (_("Snapshot date"), f"{jalali_text(as_of)} ({as_of.isoformat()})"),
        ],
        source_url="/open/",
    )


def _dictionary(dataset: Dataset) -> Table:
    return Table(
        title=_("Data dictionary"),
        columns=[
            Column("name", _("Field")),
            Column("label", _("Label")),
            Column("type", _("Type")),
            Column("meaning", _("Meaning")),
            Column("example", _("Example")),
        ],
        rows=[
            {
                "name": f.name,
                "label": str(f.label),
                "type": f.type,
                "meaning": str(f.meaning),
                "example": f.example,
            }
            for f in dataset.fields
        ],
        filename=f"{dataset.key}-dictionary",
    )


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON snapshot file (for the page's list of figures)."""
    with path.open(encoding="utf-8") as f:
        data: Any = json.load(f)
    rows = data.get("rows") if isinstance(data, dict) else None
    return rows if isinstance(rows, list) else []
