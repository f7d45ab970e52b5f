"""The open data's snapshots: what they hold (only published units, only public fields,
the public figures equal to what the API answers), their manifest, and a rebuild that is
atomic (a failed build leaves the previous snapshot served) and safe to run again."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from enterprises.models import Enterprise
from enterprises.services import enterprise_record_measures
from indicators import facts, selectors, sources
from opendata import datasets, snapshots
from opendata.tasks import build_open_data_task
from persian.jalali import today
from places.models import Park
from tests.factories import make_enterprise

PRIVATE = ("legal_id", "business_id", "permit_number", "permit_date", "mobile", "phone",
           "email", "construction_progress", "published", "status_since", "latitude")  # fmt: skip


def _csv(manifest: dict[str, Any], key: str) -> list[dict[str, str]]:
    raw = snapshots.path_of(manifest, key, "csv").read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads Persian as UTF-8 with the BOM
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _json(manifest: dict[str, Any], key: str) -> dict[str, Any]:
    return json.loads(snapshots.path_of(manifest, key, "json").read_text(encoding="utf-8"))


def _xlsx(manifest: dict[str, Any], key: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The data sheet's header (field names in brackets) and rows."""
    book = load_workbook(snapshots.path_of(manifest, key, "xlsx"), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and r[0] and "(id)" in str(r[0]))
    return [str(c) for c in rows[header_at]], rows[header_at + 1 :]


def test_the_units_are_the_published_ones_with_the_public_fields_only_in_every_format(
    registry, catalogue
) -> None:
    registry.tehran_published.phone = "02144556677"
    registry.tehran_published.save(update_fields=["phone"])

    manifest = snapshots.build()

    published = {registry.p_published.pk, registry.tehran_published.pk}
    csv_rows = _csv(manifest, "enterprises")
    assert {int(r["id"]) for r in csv_rows} == published
    assert not set(csv_rows[0]) & set(PRIVATE)
    data = _json(manifest, "enterprises")
    assert {r["id"] for r in data["rows"]} == published
    assert not set(data["rows"][0]) & set(PRIVATE)
    header, rows = _xlsx(manifest, "enterprises")
    assert len(rows) == 2 and not any(f"({name})" in " ".join(header) for name in PRIVATE)
    assert manifest["datasets"]["enterprises"]["rows"] == 2
    text = b"".join(
        snapshots.path_of(manifest, "enterprises", fmt).read_bytes() for fmt in ("csv", "json")
    ).decode("utf-8", "replace")
    assert registry.e.name not in text and registry.tehran_unpublished.name not in text
    assert "02144556677" not in text and registry.tehran_published.legal_id not in text
    row = next(r for r in data["rows"] if r["id"] == registry.tehran_published.pk)
    assert row["province"] == "IR-23" and row["park_name"] == "پرند"
    assert row["status"] == "active" and row["knowledge_based"] is False


def test_a_unit_unpublished_leaves_the_next_snapshot(registry, catalogue) -> None:
    snapshots.build()
    Enterprise.objects.filter(pk=registry.p_published.pk).update(published=False)

    manifest = snapshots.build()

    assert [r["id"] for r in _json(manifest, "enterprises")["rows"]] == [
        registry.tehran_published.pk
    ]


def test_a_units_head_count_is_the_one_in_force_on_the_snapshots_date_as_the_api_says(
    registry, catalogue, client, national_admin
) -> None:
    unit = registry.tehran_published
    enterprise_record_measures(
        actor=national_admin, enterprise=unit, date=today() - dt.timedelta(days=30), employees=150
    )

    manifest = snapshots.build()

    row = next(r for r in _json(manifest, "enterprises")["rows"] if r["id"] == unit.pk)
    assert (row["employees"], row["size_band"]) == (150, "large")
    answer = client.get(f"/api/v1/enterprises/{unit.pk}", {"as_of": manifest["as_of"]}).json()
    assert (answer["employees"], answer["size_band"]) == (150, "large")


def test_every_park_is_in_the_parks_dataset_with_iso_and_jalali_dates(reference, catalogue):
    manifest = snapshots.build()

    rows = _json(manifest, "parks")["rows"]
    assert len(rows) == Park.objects.count() == manifest["datasets"]["parks"]["rows"]
    park = reference.park_p
    park.established_on = today().replace(year=2019, month=9, day=6)
    park.save(update_fields=["established_on"])
    row = next(r for r in _json(snapshots.build(), "parks")["rows"] if r["id"] == park.pk)
    assert row["established_on"] == "2019-09-06" and row["established_on_jalali"] == "1398-06-15"


def test_the_figures_are_the_public_ones_and_each_equals_what_its_api_query_answers(
    registry, catalogue, client, settings
) -> None:
    settings.PISHRAN_RATE_LIMITS_ENABLED = False  # a hundred questions in a row
    facts.rebuild()
    sources.forget()
    manifest = snapshots.build()

    rows = _json(manifest, "figures")["rows"]
    public = {i.key for i in selectors.all_indicators() if i.is_public}
    assert {r["indicator"] for r in rows} == public
    assert any(not i.is_public for i in selectors.all_indicators())  # some are left out
    assert manifest["datasets"]["figures"]["rows"] == len(rows)
    # Every public figure's country row, and every province row of one, asked of the API.
    asked = [r for r in rows if r["place"] == "country"]
    asked += [r for r in rows if r["indicator"] == "units-active" and r["place"] != "country"]
    assert len(asked) > 40
    for row in asked:
        answer = client.get(row["api_url"])
        assert answer.status_code == 200, row["api_url"]
        got = answer.json()["value"]
        want = row["value"]
        assert (None if got is None else Decimal(str(got))) == (
            None if want is None else Decimal(str(want))
        ), row["api_url"]
    active = next(r for r in rows if r["indicator"] == "units-active" and r["place"] == "IR-23")
    assert active["value"] == 2  # Tehran's two active units (published or not: a figure)
    assert active["as_of"] == manifest["as_of"] == today().isoformat()
    csv_rows = _csv(manifest, "figures")
    assert len(csv_rows) == len(rows) and csv_rows[0]["api_url"].startswith("/api/v1/indicators/")


def test_the_manifest_gives_each_files_size_and_checksum_the_licence_and_the_dates(
    registry, catalogue, media
) -> None:
    manifest = snapshots.build()

    assert manifest == json.loads((Path(media) / "opendata" / "current.json").read_text())
    assert manifest["licence"]["id"] == "CC-BY-4.0"
    assert manifest["as_of"] == today().isoformat() and manifest["as_of_jalali"]
    assert manifest["built_at"]
    for key in datasets.DATASETS:
        for fmt in datasets.FORMATS:
            info = manifest["datasets"][key]["files"][fmt]
            body = snapshots.path_of(manifest, key, fmt).read_bytes()
            assert info["size"] == len(body)
            assert info["sha256"] == hashlib.sha256(body).hexdigest()
            assert info["name"] == f"pishran-{key}-{manifest['as_of']}.{fmt}"
        data = _json(manifest, key)
        assert data["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
        assert data["as_of"] == manifest["as_of"]
        assert [f["name"] for f in data["fields"]] == [
            f.name for f in datasets.DATASETS[key].fields
        ]
    book = load_workbook(snapshots.path_of(manifest, "parks", "xlsx"), read_only=True)
    head = " ".join(str(r[0]) for r in book.worksheets[0].iter_rows(max_row=4, values_only=True))
    assert "CC BY 4.0" in head
    assert len(book.worksheets) == 2  # the data, then its dictionary


# openpyxl's writer, stopped mid-sheet by the failure, complains when it is collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_build_that_fails_half_way_leaves_the_previous_snapshot_served(
    registry, catalogue, media, monkeypatch
) -> None:
    first = snapshots.build()

    def broken(as_of: Any) -> Any:
        yield {"id": 1}
        raise RuntimeError("the database went away")

    dataset = datasets.DATASETS["parks"]
    monkeypatch.setitem(
        datasets.DATASETS,
        "parks",
        datasets.Dataset(dataset.key, dataset.title, dataset.description, dataset.fields, broken),
    )
    with pytest.raises(RuntimeError):
        snapshots.build()
    gc.collect()

    assert snapshots.current() == first
    assert [p.name for p in snapshots.builds().iterdir()] == [first["build"]]
    assert snapshots.path_of(first, "parks", "csv").exists()


def test_rebuilding_keeps_the_previous_snapshot_and_prunes_older_ones(registry, catalogue) -> None:
    first = snapshots.build()
    second = snapshots.build()
    assert {p.name for p in snapshots.builds().iterdir()} == {first["build"], second["build"]}

    result = build_open_data_task.call()

    third = snapshots.current()
    assert third is not None and result["build"] == third["build"]
    assert {p.name for p in snapshots.builds().iterdir()} == {second["build"], third["build"]}
    assert result["rows"]["enterprises"] == 2
    # The same rows make the same CSV: a rebuild changes nothing a reader would see.
    for key in datasets.DATASETS:
        assert (
            first["datasets"][key]["files"]["csv"]["sha256"]
            == third["datasets"][key]["files"]["csv"]["sha256"]
        )


def test_the_command_builds_a_snapshot_or_enqueues_the_task(registry, catalogue) -> None:
    out = io.StringIO()
    call_command("build_open_data", stdout=out)
    assert "enterprises 2 rows" in out.getvalue()
    assert snapshots.current() is not None

    out = io.StringIO()
    call_command("build_open_data", "--enqueue", stdout=out)
    assert "enqueued open data build" in out.getvalue()


def test_text_a_spreadsheet_would_run_as_a_formula_is_escaped_in_csv_not_in_json(
    reference, catalogue
) -> None:
    unit = make_enterprise(name='=HYPERLINK("http://x")', park=reference.park_p, published=True)

    manifest = snapshots.build()

    assert _csv(manifest, "enterprises")[0]["name"] == "'" + unit.name
    assert _json(manifest, "enterprises")["rows"][0]["name"] == unit.name


def test_a_damaged_manifest_reads_as_no_snapshot(media) -> None:
    folder = Path(media) / "opendata"
    folder.mkdir(parents=True)
    (folder / "current.json").write_text("{not json")

    assert snapshots.current() is None
