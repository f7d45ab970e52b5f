"""The open data's pages: /open/ (snapshot date, rows, downloads, licence, dictionary,
figures with their API queries), the downloads (types, names, ETag) and the bad input:
an unknown dataset or format, a snapshot not built yet."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.utils import translation

from opendata import datasets, snapshots
from persian.jalali import format_date, today


@pytest.fixture
def built(registry, catalogue):  # type: ignore[no-untyped-def]
    return snapshots.build()


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def test_the_page_without_a_snapshot_says_so_in_persian_and_still_gives_the_dictionary(
    client, catalogue
) -> None:
    response = client.get("/open/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "هنوز ساخته نشده" in html
    assert 'data-testid="download-' not in html
    assert "legal_id" not in html
    for dataset in datasets.DATASETS.values():
        for field in dataset.fields:
            assert f">{field.name}</code>" in html


def test_the_page_gives_each_dataset_its_date_rows_and_downloads_and_the_licence(
    client, built
) -> None:
    response = client.get("/open/")

    html = response.content.decode()
    assert response.status_code == 200 and 'dir="rtl"' in html
    assert built["as_of"] in html  # ISO
    with translation.override("fa"):
        assert format_date(today()) in html  # Jalali, Persian digits
    assert "CC BY 4.0" in html and "https://creativecommons.org/licenses/by/4.0/" in html
    assert 'data-testid="rows-enterprises">۲<' in html
    for key in datasets.DATASETS:
        for fmt in datasets.FORMATS:
            assert f'href="/open/{key}.{fmt}"' in html
    assert "OpenStreetMap" in html  # the reference data's attributions


def test_every_public_figure_on_the_page_links_to_the_api_query_that_answers_it(
    client, built
) -> None:
    html = client.get("/open/").content.decode()

    links = re.findall(r'href="(/api/v1/indicators/[^"]+)" data-testid="api-([^"]+)"', html)
    country = [r for r in snapshots.read_rows(snapshots.path_of(built, "figures", "json"))
               if r["place"] == "country"]  # fmt: skip
    assert len(links) == len(country) > 30
    url, key = links[0]
    url = url.replace("&amp;", "&")
    answer = client.get(url).json()
    row = next(r for r in country if r["indicator"] == key)
    assert answer["indicator"] == key and answer["value"] == row["value"]
    assert answer["as_of"] == built["as_of"]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("json", "application/json"),
    ],
)
def test_a_download_is_the_snapshots_file_with_its_type_name_and_etag(
    client, built, fmt, content_type
) -> None:
    response = client.get(f"/open/enterprises.{fmt}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    name = f"pishran-enterprises-{built['as_of']}.{fmt}"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    body = _body(response)
    info = built["datasets"]["enterprises"]["files"][fmt]
    assert hashlib.sha256(body).hexdigest() == info["sha256"]
    assert response["ETag"] == f'"{info["sha256"]}"'
    assert response["Last-Modified"]

    again = client.get(f"/open/enterprises.{fmt}", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    since = client.get(
        f"/open/enterprises.{fmt}", headers={"If-Modified-Since": response["Last-Modified"]}
    )
    assert since.status_code == 304


def test_a_download_after_a_rebuild_is_the_new_file(client, built, registry) -> None:
    registry.tehran_published.published = False
    registry.tehran_published.save(update_fields=["published"])
    snapshots.build()

    rows = json.loads(_body(client.get("/open/enterprises.json")))["rows"]

    assert [r["id"] for r in rows] == [registry.p_published.pk]


def test_everyone_gets_the_same_files_staff_included(client, built, national_admin) -> None:
    anonymous = _body(client.get("/open/enterprises.csv"))
    client.force_login(national_admin)

    assert _body(client.get("/open/enterprises.csv")) == anonymous


@pytest.mark.parametrize(
    "path",
    [
        "/open/people.csv",
        "/open/enterprises.exe",
        "/open/enterprises.CSV",
        "/open/enterprises.csv.json",
        "/open/../current.json",
        "/open/enterprises",
        "/open/manifest.csv",
    ],
)
def test_an_unknown_dataset_or_format_is_not_found(client, built, path) -> None:
    assert client.get(path).status_code == 404


def test_a_download_before_any_snapshot_is_a_persian_page_not_a_server_error(
    client, catalogue
) -> None:
    response = client.get("/open/enterprises.csv")

    assert response.status_code == 404
    assert "هنوز ساخته نشده" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_a_file_removed_under_the_manifest_is_a_persian_page_not_a_server_error(
    client, built
) -> None:
    snapshots.path_of(built, "parks", "xlsx").unlink()

    response = client.get("/open/parks.xlsx")

    assert response.status_code == 404 and "هنوز ساخته نشده" in response.content.decode()


def test_the_manifest_is_served_and_says_when_nothing_is_built(client, catalogue) -> None:
    missing = client.get("/open/manifest.json")
    assert missing.status_code == 404 and missing.json()["code"] == "not_built"
    assert "ساخته" in missing.json()["message_fa"]

    built = snapshots.build()

    answer = client.get("/open/manifest.json")
    assert answer.status_code == 200 and answer.json() == built


def test_a_post_is_refused(client, built) -> None:
    assert client.post("/open/").status_code == 405
    assert client.post("/open/enterprises.csv").status_code == 405


def test_a_provinces_figures_on_the_page_link_to_the_provinces_api_queries(client, built) -> None:
    html = client.get("/open/?province=ir-25").content.decode()

    links = re.findall(r'href="(/api/v1/indicators/[^"]+)" data-testid="api-([^"]+)"', html)
    qom = [r for r in snapshots.read_rows(snapshots.path_of(built, "figures", "json"))
           if r["place"] == "IR-25"]  # fmt: skip
    assert len(links) == len(qom) > 10
    assert all("province=IR-25" in url for url, _key in links)
    url, key = links[0]
    answer = client.get(url.replace("&amp;", "&")).json()
    assert answer["place"] == "IR-25"
    assert answer["value"] == next(r["value"] for r in qom if r["indicator"] == key)
    assert '<option value="IR-25" selected>' in html


@pytest.mark.parametrize("asked", ["IR-99", "<script>", "x" * 500, "\x00"])
def test_an_unknown_province_on_the_page_is_explained_and_the_country_shown(
    client, built, asked
) -> None:
    response = client.get("/open/", {"province": asked})

    assert response.status_code == 200
    html = response.content.decode()
    if asked.strip("\x00"):
        assert "هیچ استانی" in html
    assert "<script>" not in html.split("<main", 1)[1]
    links = re.findall(r'href="(/api/v1/indicators/[^"]+)" data-testid="api-', html)
    assert links and not any("province=" in url for url in links)
