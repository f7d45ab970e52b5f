"""The dashboards' tables as XLSX and CSV (``?export=``), the province report as PDF: the
same figures and the same scope as the page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from enterprises.models import Status
from indicators import facts
from indicators.catalogue import load_indicators
from indicators.models import Indicator, Target
from persian.jalali import year_of
from persian.text import to_latin_digits
from tests.factories import days_ago, make_enterprise
from tests.views_helpers import page

HEADLINE_HEADER = ["شاخص", "مقدار", "یکا", "هدف", "پیشرفت", "فاصله تا هدف", "تعریف"]


@pytest.fixture
def built(registry, reference):
    load_indicators()
    make_enterprise(province=reference.qom, status=Status.IDLE, status_date=days_ago(50))
    make_enterprise(park=reference.park_p2, status=Status.CLOSED, status_date=days_ago(50))
    facts.rebuild()
    return reference


def _sheet(ws: Any) -> tuple[list[Any], list[list[Any]]]:
    """(header, data rows) of a sheet: the header follows the first empty row."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    blank = next(i for i, r in enumerate(rows) if all(v is None for v in r))
    return rows[blank + 1], rows[blank + 2 :]


def _workbook(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # Streamed from its spool, or whole when the public's copy is kept (``pagecache``).
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(body))


def _card_figure(html: str, key: str) -> str:
    import re

    match = re.search(rf'data-testid="card-{key}">([^<]+)<', html)
    assert match, key
    return to_latin_digits(match.group(1)).replace("٬", "")


def test_the_country_xlsx_holds_the_pages_tables_right_to_left_with_its_numbers(
    anonymous, client_for, built
) -> None:
    year = year_of(days_ago(0))
    active = Indicator.objects.get(key="units-active")
    Target.objects.create(indicator=active, province=None, year=year, value=Decimal(10))
    client = client_for(anonymous)
    shown = client.get(reverse("home"))
    html = page(shown)
    assert 'data-testid="export-buttons"' in html and "export=xlsx" in html

    workbook = _workbook(client.get(reverse("home") + "?export=xlsx"))

    # cards, ranking, series, three breakdowns, units and jobs by park kind and ownership,
    # the clinics' stages and causes
    assert len(workbook.worksheets) == 9
    assert all(ws.sheet_view.rightToLeft for ws in workbook.worksheets)
    header, rows = _sheet(workbook.worksheets[0])
    assert header == HEADLINE_HEADER
    by_name = {r[0]: r for r in rows}
    for card in shown.context["cards"]:
        row = by_name[card.indicator.name]
        assert row[1] == card.value
        if row[1] is not None:
            assert str(row[1]) == _card_figure(html, card.indicator.key)
    assert [by_name[active.name][i] for i in (1, 3, 5)] == [6, 10, 4]  # as the card: 60%, gap 4
    assert by_name[active.name][4] == pytest.approx(0.6)
    header, rows = _sheet(workbook.worksheets[1])
    assert header == ["رتبه", "استان", active.name]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (r["rank"], str(r["province"]), r["value"]) for r in shown.context["ranking"]
    ]
    _, rows = _sheet(workbook.worksheets[2])
    assert [r[2] for r in rows] == shown.context["series"]["y"]
    header, rows = _sheet(workbook.worksheets[3])
    assert header == ["وضعیت", "واحدها"]
    assert [(r[0], r[1]) for r in rows] == [
        (str(lab), n) for lab, n, _ in shown.context["by_status"]
    ]


def test_the_province_csv_has_a_bom_and_the_headline_rows(anonymous, client_for, built) -> None:
    client = client_for(anonymous)
    url = reverse("province_detail", args=["IR-25"])
    html = page(client.get(url))

    response = client.get(url + "?export=csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][0]  # the title
    assert any(line and line[0].endswith(url) for line in lines)  # the source, without export
    header = lines[lines.index([]) + 1]
    assert header == HEADLINE_HEADER
    rows = {line[0]: line for line in lines[lines.index([]) + 2 :]}
    units = Indicator.objects.get(key="units")
    assert rows[units.name][1] == _card_figure(html, "units") == "6"


@pytest.mark.parametrize(
    "route, args", [("park_detail", "park_p"), ("province_list", None), ("stats", None)]
)
def test_every_dashboard_exports_for_anyone_who_may_see_it(
    anonymous, client_for, built, route, args
) -> None:
    url = reverse(route, args=[getattr(built, args).pk] if args else [])
    client = client_for(anonymous)
    assert client.get(url).status_code == 200

    assert _workbook(client.get(url + "?export=xlsx")).worksheets
    assert client.get(url + "?export=csv").status_code == 200


def test_public_statistics_export_no_private_indicator(anonymous, client_for, built) -> None:
    Indicator.objects.filter(key="jobs").update(is_public=False)
    jobs = Indicator.objects.get(key="jobs")
    client = client_for(anonymous)

    for query in ("?export=xlsx", "?export=xlsx&indicator=jobs"):
        workbook = _workbook(client.get(reverse("stats") + query))
        cells = {
            str(v)
            for ws in workbook.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        }
        assert not any(jobs.name in cell for cell in cells), query
        assert Indicator.objects.get(key="units").name in cells


@pytest.mark.parametrize("fmt", ["pdf", "json", "XLSX"])
def test_an_unknown_format_is_not_found(anonymous, client_for, built, fmt) -> None:
    client = client_for(anonymous)
    assert client.get(reverse("home") + f"?export={fmt}").status_code == 404
    assert client.get(reverse("stats") + f"?export={fmt}").status_code == 404
    if fmt != "pdf":
        url = reverse("province_report", args=["IR-25"])
        assert client.get(url + f"?export={fmt}").status_code == 404


def test_an_unknown_province_or_park_is_not_found_in_any_format(
    anonymous, client_for, built
) -> None:
    client = client_for(anonymous)
    assert (
        client.get(reverse("province_detail", args=["IR-99"]) + "?export=xlsx").status_code == 404
    )
    assert client.get(reverse("province_report", args=["IR-99"]) + "?export=pdf").status_code == 404
    assert client.get(reverse("park_detail", args=[999999]) + "?export=csv").status_code == 404


def test_the_province_report_is_a_pdf_offered_on_the_report_page(
    anonymous, client_for, built
) -> None:
    client = client_for(anonymous)
    url = reverse("province_report", args=["IR-25"])
    html = page(client.get(url))
    assert 'data-export="pdf"' in html and "export=pdf" in html

    response = client.get(url + "?export=pdf")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="province-IR-25-report.pdf"'
