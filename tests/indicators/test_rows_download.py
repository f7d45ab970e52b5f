"""The download of the rows behind a figure (``?export=csv|xlsx``) read the fast way
(``rows.download_rows``: one cursor per branch, cells made in one pass): the same rows,
in the same order, with the same values as the rows pages show (``rows.described``), for
every person and date; the first rows read along the name index and the rest in one read
joined without a row lost or repeated."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.scope import Scope
from enterprises import services
from enterprises.models import Status
from exports.tables import cell_value
from indicators import facts, rows, sources
from indicators.catalogue import load_indicators
from indicators.models import Indicator
from persian.jalali import format_date
from tests.factories import days_ago, make_enterprise

THEN = days_ago(60)


@pytest.fixture
def registry(reference):
    """Units of Qom (in park P and outside), one moved to Tehran since ``THEN``, one that
    changed status since, one registered after ``THEN``, one whose head count grew since,
    one unpublished; units of Tehran."""
    load_indicators()
    make_enterprise(
        name="الف پارک",
        park=reference.park_p,
        employees=22,
        published=True,
        status_date=days_ago(300),
    )
    make_enterprise(name="ب بیرون", province=reference.qom, employees=130, published=True)
    moved = make_enterprise(
        name="پ رفته", province=reference.qom, published=True, status_date=days_ago(200)
    )
    services.enterprise_move(
        actor=None,
        enterprise=moved,
        province=reference.tehran,
        park=None,
        date=days_ago(20),
        reason="جابجایی",
    )
    changed = make_enterprise(
        name="ت راکد شده", province=reference.qom, published=True, status_date=days_ago(150)
    )
    services.enterprise_change_status(
        actor=None, enterprise=changed, to_status=Status.IDLE, date=days_ago(10), reason="-"
    )
    make_enterprise(name="ث تازه", province=reference.qom, published=True, status_date=days_ago(5))
    grown = make_enterprise(
        name="ح بزرگ‌شده", province=reference.qom, employees=8, published=True,
        status_date=days_ago(300),
    )  # fmt: skip
    # 8 people until a month ago, 120 since: as of ``THEN`` a micro unit of 8
    services.enterprise_record_measures(
        actor=None, enterprise=grown, date=days_ago(30), employees=120
    )
    make_enterprise(name="ج پنهان", province=reference.qom, published=False)
    for n in range(4):
        make_enterprise(name=f"چ تهران {n}", province=reference.tehran, published=n % 2 == 0)
    facts.rebuild()
    sources.forget()


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    return lines[lines.index([]) + 2 :]


def _as_the_page_shows(user, key: str, as_of, province_id) -> list[list[str]]:
    """The rows as the rows pages describe them (``rows.described``, page by page), each
    cell as the writers store it, as CSV text."""
    asked = rows.Asked(province_id=province_id)
    branches = rows.counted(Indicator.objects.get(key=key), Scope.of(user), as_of, asked)
    out = []
    for chunk in rows.chunks_of(branches, as_of, chunk=2):
        for row in chunk:
            status = row.status if row.unit.with_history else f"{row.status} ({_('today')})"
            cells = [
                cell_value(row.unit.name, "text"),
                cell_value(status, "text"),
                cell_value(row.since, "date"),
                cell_value(row.province, "text"),
                cell_value(row.park, "text"),
                cell_value(row.park_kind, "text"),
                cell_value(row.ownership, "text"),
                cell_value(row.employees, "int"),
                cell_value(row.size, "text"),
            ]
            out.append(["" if c is None else str(c) for c in cells])
    return out


@pytest.mark.parametrize("who", ["national_admin", "officer_a", "officer_b", "anonymous"])
@pytest.mark.parametrize("days", [0, 60], ids=["today", "a past date"])
@pytest.mark.parametrize("where", ["", "IR-25"])
@pytest.mark.parametrize("first", [1000, 2], ids=["all at once", "first two, then the rest"])
def test_the_download_holds_the_rows_the_pages_show(
    who, days, where, first, request, client_for, registry, reference, monkeypatch
) -> None:
    monkeypatch.setattr(rows, "DOWNLOAD_FIRST", first)
    user = request.getfixturevalue(who)
    as_of = days_ago(days)
    params = {"as_of": format_date(as_of, persian_digits=False), "export": "csv"}
    if where:
        params["province"] = where
    expected = _as_the_page_shows(user, "units", as_of, reference.qom.pk if where else None)

    response = client_for(user).get(reverse("indicator_rows", args=["units"]), params)

    assert response.status_code == 200
    assert _csv(response) == expected
    assert expected  # the case lists something


def test_a_past_date_lists_the_units_where_they_stood_with_their_status_then(
    national_admin, client_for, registry, reference
) -> None:
    params = {"as_of": format_date(THEN, persian_digits=False), "province": "IR-25"}
    response = client_for(national_admin).get(
        reverse("indicator_rows", args=["units"]), {**params, "export": "csv"}
    )

    listed = {row[0]: row for row in _csv(response)}
    assert "پ رفته" in listed  # in Qom that day, in Tehran today
    assert listed["پ رفته"][3] == reference.qom.name_fa
    assert listed["ت راکد شده"][1] == str(Status.ACTIVE.label)  # active that day
    assert listed["ت راکد شده"][2] == format_date(days_ago(150), persian_digits=False)
    assert "ث تازه" not in listed  # registered after the date
    assert listed["الف پارک"][4] == reference.park_p.name
    assert listed["الف پارک"][7] == "22"


def test_the_public_gets_todays_status_marked_and_no_history(
    anonymous, client_for, registry
) -> None:
    response = client_for(anonymous).get(
        reverse("indicator_rows", args=["units"]),
        {"as_of": format_date(THEN, persian_digits=False), "export": "csv"},
    )

    listed = {row[0]: row for row in _csv(response)}
    assert "ج پنهان" not in listed
    assert listed["ت راکد شده"][1] == f"{Status.IDLE.label} (امروز)"
    assert all(row[2] == "" for row in listed.values())  # since when is history


def test_the_xlsx_holds_the_same_rows_as_the_csv(
    officer_a, client_for, registry, monkeypatch
) -> None:
    monkeypatch.setattr(rows, "DOWNLOAD_FIRST", 2)
    client = client_for(officer_a)
    url = reverse("indicator_rows", args=["units"])
    params = {"as_of": format_date(THEN, persian_digits=False), "province": "IR-25"}
    from_csv = _csv(client.get(url, {**params, "export": "csv"}))

    response = client.get(url, {**params, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    data = values[[i for i, r in enumerate(values) if not any(r)][0] + 2 :]

    assert [["" if c is None else str(c) for c in r] for r in data] == from_csv
    assert sheet.cell(row=len(values), column=8).number_format == "#,##0"  # employees


def test_todays_download_is_read_along_the_name_index_with_no_row_fetched_and_no_sort(
    national_admin, client_for, registry
) -> None:
    """Today's rows (no history to read) leave in the name index's order as PostgreSQL
    reads it: the index carries every column listed, so no row of the registry is fetched
    and nothing is sorted (a sweep and a sort held the national list under 50,000 rows a
    second). The plan is asked under the settings the download itself set."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan")
    with CaptureQueriesContext(connection) as captured:
        response = client_for(national_admin).get(
            reverse("indicator_rows", args=["units"]), {"export": "csv"}
        )
        assert len(_csv(response)) == 11
    statements = [q["sql"] for q in captured]
    # The whole list's read: a server-side cursor.
    read = next(i for i, sql in enumerate(statements) if sql.startswith("DECLARE"))
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements[:read]:
            if sql.startswith("SET LOCAL"):
                cursor.execute(sql)
        cursor.execute("EXPLAIN " + statements[read].split(" CURSOR FOR ", 1)[1])
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert "Index Only Scan using ent_sort" in plan, plan
    assert "Sort" not in plan.replace("ent_sort", ""), plan
