"""The directory as a download (``/enterprises/?export=csv|xlsx``): the units behind the
page's filters, in the page's order, with each unit's private fields only for people who
keep it — the same policy as the unit's own page, checked for every role and unit.

``EXPORT[who][unit]`` is derived from the detail page's access table
(tests/enterprises/test_views_access.py): ``full`` (a row with the national ID, business
ID and personal mobile), ``public`` (a row with the directory fields only: those cells are
empty) or ``absent`` (no row, and nothing of the unit anywhere in the file)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl import load_workbook

from enterprises import selectors
from enterprises.models import Enterprise
from persian import jalali
from tests.enterprises.test_views_access import DETAIL
from tests.factories import make_enterprise
from tests.views_helpers import directory_ids, page

DIRECTORY = reverse("enterprise_directory")
EXPORT = {
    who: {
        unit: {"full": "full", "public": "public", "404": "absent"}[got]
        for unit, got in row.items()
    }
    for who, row in DETAIL.items()
}
PRIVATE = ("National ID", "Business ID", "Contact person's mobile")


def content_of(response: Any) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)
    return response.content


def table_of(raw: bytes, fmt: str) -> list[dict[str, str]]:
    """The file's rows as {Persian header: cell text}, '' for an empty cell."""
    if fmt == "csv":
        lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(raw)).active
        lines = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        lines = [[] if not any(line) else line for line in lines]
    start = lines.index([]) + 1
    header = lines[start]
    return [dict(zip(header, line, strict=False)) for line in lines[start + 1 :]]


def label(msgid: str) -> str:
    with override("fa"):
        return _(msgid)


def export(client: Any, fmt: str, **params: Any) -> Any:
    return client.get(DIRECTORY, {**params, "export": fmt})


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", list(EXPORT))
def test_every_role_gets_the_rows_and_fields_the_policy_table_says(
    who, fmt, user_of, client_for, units
) -> None:
    response = export(client_for(user_of(who)), fmt)

    assert response.status_code == 200
    raw = content_of(response)
    text = raw.decode("utf-8-sig") if fmt == "csv" else ""
    rows = {row[label("Name")]: row for row in table_of(raw, fmt)}
    for name, expected in EXPORT[who].items():
        unit = units[name]
        row = rows.get(unit.name)
        where = f"{who} {fmt} {name}"
        if expected == "absent":
            assert row is None, f"{where}: a unit outside their scope is in the file"
            if text:
                assert unit.legal_id not in text and unit.mobile not in text, where
            continue
        assert row is not None, f"{where}: a unit they may see is missing"
        if expected == "full":
            assert row[label("National ID")] == unit.legal_id, where
            assert row[label("Business ID")] == unit.business_id, where
            assert row[label("Contact person's mobile")] == unit.mobile, where
        else:
            assert all(row.get(label(field), "") == "" for field in PRIVATE), where
            if text:
                assert unit.legal_id not in text and unit.mobile not in text, where
    assert len(rows) == sum(1 for v in EXPORT[who].values() if v != "absent")


def test_the_publics_file_has_no_private_columns(anonymous, client_for, units) -> None:
    rows = table_of(content_of(export(client_for(anonymous), "csv")), "csv")

    assert rows
    assert not set(rows[0]) & {label(field) for field in PRIVATE}


def test_the_file_holds_the_units_behind_the_filters_in_the_pages_order(
    national_admin, client_for, units, reference
) -> None:
    client = client_for(national_admin)
    params = {"province": "IR-25", "sort": "-name"}
    on_page = [
        Enterprise.objects.get(pk=pk).name for pk in directory_ids(client.get(DIRECTORY, params))
    ]

    raw = content_of(export(client, "csv", **params))

    assert [row[label("Name")] for row in table_of(raw, "csv")] == on_page
    assert len(on_page) == 4
    head = raw.decode("utf-8-sig").splitlines()[:4]
    assert head[0] == label("Directory of industrial units")
    assert f"{label('Province')}: قم" in head


def test_the_file_is_named_after_the_province(national_admin, client_for, units) -> None:
    response = export(client_for(national_admin), "xlsx", province="IR-25")

    assert response["Content-Disposition"] == 'attachment; filename="enterprises-IR-25.xlsx"'


def test_the_csv_streams_and_cells_are_typed_jalali_and_escaped(
    national_admin, client_for, reference
) -> None:
    unit = make_enterprise(name='=HYPERLINK("http://x")', employees=120, park=reference.park_p)

    response = export(client_for(national_admin), "csv")

    assert isinstance(response, StreamingHttpResponse)
    (row,) = table_of(content_of(response), "csv")
    assert row[label("Name")].startswith("'=")
    assert row[label("Employees")] == "120"
    assert row[label("Status since")] == jalali.format_date(unit.status_since, persian_digits=False)
    assert row[label("Construction progress")] == "0.0"  # a ratio: 0.25 is 25%


def test_the_xlsx_is_a_right_to_left_sheet_with_numbers_as_numbers(
    officer_a, client_for, units
) -> None:
    response = export(client_for(officer_a), "xlsx")

    sheet = load_workbook(io.BytesIO(content_of(response))).active
    assert sheet.sheet_view.rightToLeft is True
    header_row = next(
        r for r in sheet.iter_rows(min_row=1, max_row=12) if r[0].value == label("Name")
    )
    employees_column = [c.value for c in header_row].index(label("Employees"))
    first = sheet[header_row[0].row + 1]
    assert first[employees_column].data_type == "n"
    assert first[employees_column].value == 12


def test_above_the_cap_the_xlsx_is_refused_with_a_way_forward(
    anonymous, national_admin, client_for, units, monkeypatch
) -> None:
    monkeypatch.setattr(selectors, "DIRECTORY_XLSX_CAP", 3)
    staff = client_for(national_admin)
    # Someone logged in is offered the file written in the background, or CSV at once.
    offer = page(export(staff, "xlsx", status="active"))
    assert 'data-testid="export-in-background"' in offer and 'name="status" value="active"' in offer
    assert "CSV" in offer and "۳" in offer
    assert export(staff, "csv", status="active").status_code == 200
    assert export(staff, "xlsx", province="IR-23").status_code == 200  # 2 units: under it

    monkeypatch.setattr(selectors, "DIRECTORY_XLSX_CAP", 0)
    public = client_for(anonymous)
    response = export(public, "xlsx", status="active")
    assert response.status_code == 302
    assert response["Location"] == f"{DIRECTORY}?status=active"
    assert "CSV" in page(public.get(response["Location"]))


@pytest.mark.parametrize("fmt", ["pdf", "xls", "json"])
def test_an_unknown_format_is_not_found(fmt, anonymous, client_for, units) -> None:
    assert export(client_for(anonymous), fmt).status_code == 404


def test_the_export_reads_the_registry_in_a_few_queries_whatever_its_size(
    national_admin, client_for, reference, django_assert_max_num_queries
) -> None:
    for i in range(30):
        make_enterprise(name=f"واحد {i}", park=reference.park_p if i % 2 else None)
    client = client_for(national_admin)

    with django_assert_max_num_queries(12):
        rows = table_of(content_of(export(client, "csv")), "csv")

    assert len(rows) == 30


def test_the_directory_offers_downloads_that_keep_its_filters(officer_a, client_for, units) -> None:
    html = page(client_for(officer_a).get(DIRECTORY, {"province": "IR-25", "kb": ""}))

    assert 'href="?province=IR-25&amp;kb=&amp;export=xlsx"' in html
    assert 'href="?province=IR-25&amp;kb=&amp;export=csv"' in html


def test_the_htmx_fragment_carries_the_buttons_for_its_filters(
    officer_a, client_for, units
) -> None:
    response = client_for(officer_a).get(
        DIRECTORY, {"status": "active"}, headers={"HX-Request": "true"}
    )

    assert 'href="?status=active&amp;export=csv"' in page(response)


def test_every_filter_is_written_in_words_under_the_title(
    national_admin, client_for, units, reference
) -> None:
    params = {
        "q": "بهار", "province": "IR-25", "park": str(reference.park_p.pk),
        "group": reference.group.key, "isic": "10", "size": "small", "status": "active",
        "kb": "1", "exporter": "1",
    }  # fmt: skip

    raw = content_of(export(client_for(national_admin), "csv", **params))

    head = raw.decode("utf-8-sig").split("\r\n\r\n")[0].splitlines()
    with override("fa"):
        expected = [
            f"{_('Search')}: بهار",
            f"{_('Province')}: قم",
            f"{_('Park or zone')}: {reference.park_p.name}",
            f"{_('Industry group')}: {reference.group.name_fa}",
            f"{_('ISIC division')}: {reference.isic}",
            f"{_('Size')}: {_('small (10–49)')}",
            f"{_('Status')}: {_('active')}",
            f"{_('Knowledge-based')}: {_('yes')}",
            f"{_('Exporter')}: {_('yes')}",
        ]
    assert head[2:11] == expected
    assert head[11].endswith(
        "/enterprises/?"
        + "&".join(f"{k}={v}" for k, v in params.items()).replace(
            "بهار", "%D8%A8%D9%87%D8%A7%D8%B1"
        )
    )


@pytest.mark.parametrize(
    ("who", "sees_since"),
    [("anonymous", False), ("officer_b", False), ("officer_a", True), ("national_admin", True)],
)
def test_the_since_date_is_history_given_only_to_those_who_see_it(
    who, sees_since, user_of, client_for, reference
) -> None:
    unit = make_enterprise(name="ریسندگی کویر", park=reference.park_p, published=True)

    rows = table_of(content_of(export(client_for(user_of(who)), "csv")), "csv")

    (row,) = [r for r in rows if r[label("Name")] == unit.name]
    since = jalali.format_date(unit.status_since, persian_digits=False)
    assert row[label("Status since")] == (since if sees_since else "")
