"""Clusters at each of the ten stages as of any date (issue 20, item 4): counted from the
dated stage history, by province and for the country, each number opening the directory at
that stage on that day, and downloadable."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clusters import services
from clusters.selectors import counts_by_stage, stages_on, suspended_on
from persian import jalali
from tests.factories import advance_cluster, make_cluster
from tests.views_helpers import page

ROW = re.compile(r'data-testid="cluster-row"><td><a href="/clusters/(\d+)/">')


def j(text: str) -> dt.date:
    return jalali.parse(text)


@pytest.fixture
def history(reference):
    """A Qom cluster identified on 1400/01/10 that reached feasibility on 1401/05/02 and an
    agent on 1401/05/03; a Tehran cluster identified on 1402/03/01, suspended on 1402/08/01
    and resumed on 1403/01/15; a Qom cluster kept from the public (not published)."""
    qom = make_cluster(name="خوشه فرش قم", province=reference.qom, start=j("1400/01/10"))
    advance_cluster(qom, "agent_selected", start=j("1401/05/01"))
    tehran = make_cluster(name="خوشه پوشاک تهران", province=reference.tehran, start=j("1402/03/01"))
    services.cluster_suspend(actor=None, cluster=tehran, date=j("1402/08/01"), reason="بودجه")
    services.cluster_resume(actor=None, cluster=tehran, date=j("1403/01/15"))
    hidden = make_cluster(
        name="خوشه پنهان", province=reference.qom, start=j("1400/02/01"), published=False
    )
    return {"qom": qom, "tehran": tehran, "hidden": hidden}


def test_a_cluster_is_counted_at_the_stage_it_stood_at_that_day(history) -> None:
    qom = history["qom"]
    assert stages_on(j("1399/12/29")) == {}  # nothing recorded yet
    assert stages_on(j("1400/06/01"), [qom.pk]) == {qom.pk: "identified"}
    assert stages_on(j("1401/05/02"), [qom.pk]) == {qom.pk: "feasibility"}
    assert stages_on(j("1401/05/03"), [qom.pk]) == {qom.pk: "agent_selected"}

    table = counts_by_stage(j("1401/05/02"))
    assert table["IR-25"]["identified"] == 1  # the unpublished one
    assert table["IR-25"]["feasibility"] == 1
    assert table["IR-25"]["agent_selected"] == 0
    assert sum(table["IR-23"].values()) == 0  # Tehran's was recorded in 1402
    assert set(table["IR-23"]) == {s for s in table["IR-25"]} and len(table["IR-25"]) == 10


def test_suspended_is_read_from_the_dated_suspensions(history) -> None:
    tehran = history["tehran"].pk
    assert tehran not in suspended_on(j("1402/07/30"))
    assert tehran in suspended_on(j("1402/08/01"))
    assert tehran not in suspended_on(j("1403/01/15"))
    # Suspended, it is still counted at its stage.
    assert counts_by_stage(j("1402/09/01"))["IR-23"]["identified"] == 1


def _cell(html: str, row: str, stage: str) -> str:
    found = re.search(rf'data-testid="stage-{row}">(.*?)</tr>', html, re.S)
    assert found is not None, row
    cells = re.findall(r'<td class="text-end num">(.*?)</td>', found.group(1))
    order = [
        "committee", "identified", "feasibility", "agent_selected", "diagnosis",
        "trust_building", "action_plan", "implementation", "evaluation", "completed", "total",
    ]  # fmt: skip
    return cells[order.index(stage)]


def test_the_national_page_counts_each_stage_and_each_number_opens_its_clusters(
    client, history
) -> None:
    html = page(client.get(reverse("cluster_national"), {"as_of": "1401/05/02"}))
    qom_feasibility = _cell(html, "IR-25", "feasibility")
    assert ">۱</a>" in qom_feasibility
    link = re.search(r'href="([^"]+)"', qom_feasibility)
    assert link is not None
    assert link.group(1).replace("&amp;", "&") == (
        "/clusters/?stage=feasibility&province=IR-25&as_of=1401/05/02"
    )
    assert ">۲</a>" in _cell(html, "country", "total")  # Qom's two; Tehran's not yet
    assert _cell(html, "country", "agent_selected") == "۰"

    # The link lists the cluster that stood there that day, with that day's stage.
    listed = page(client.get(link.group(1).replace("&amp;", "&")))
    assert ROW.findall(listed) == [str(history["qom"].pk)]
    assert 'data-testid="stage-then">امکان‌سنجی<' in listed
    assert "مرحله در ۱۴۰۱/۰۵/۰۲" in listed


def test_the_directory_as_of_a_date_leaves_out_clusters_recorded_later(client, history) -> None:
    url = reverse("cluster_directory")
    assert set(ROW.findall(page(client.get(url, {"as_of": "1401/01/01"})))) == {
        str(history["qom"].pk)  # the public does not see the unpublished one
    }
    on_stage = page(client.get(url, {"as_of": "1401/06/01", "stage": "identified"}))
    assert ROW.findall(on_stage) == []  # the Qom cluster had moved on by then
    suspended = page(client.get(url, {"as_of": "1402/09/01", "stage": "suspended"}))
    assert ROW.findall(suspended) == [str(history["tehran"].pk)]
    assert ROW.findall(page(client.get(url, {"as_of": "1403/02/01", "stage": "suspended"}))) == []


@pytest.mark.parametrize("given", ["1401/12/30", "فردا", "1401-13-01"])
def test_a_date_that_does_not_exist_is_said_and_ignored(client, history, given) -> None:
    html = page(client.get(reverse("cluster_directory"), {"as_of": given}))
    assert 'data-testid="ignored-filters"' in html
    assert len(ROW.findall(html)) == 2  # today's published clusters, the filter left out


def test_the_stage_table_downloads_with_its_day_and_every_province(client, history) -> None:
    url = reverse("cluster_national")
    response = client.get(url, {"as_of": "1401/05/02", "export": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "۱۴۰۱/۰۵/۰۲" in text  # the day counted, on top of the file
    rows = list(csv.reader(io.StringIO(text)))
    header = next(r for r in rows if r and r[0] == "استان")
    assert header[2] == "شناسایی و اولویت‌بندی" and header[-1] == "جمع" and len(header) == 12
    qom = next(r for r in rows if r and r[0] == "قم")
    assert qom[1:] == ["0", "1", "1", "0", "0", "0", "0", "0", "0", "0", "2"]
    assert next(r for r in rows if r and r[0] == "کل کشور")[-1] == "2"
    assert sum(1 for r in rows if len(r) == 12) == 1 + 31 + 1  # header, provinces, country

    workbook = client.get(url, {"as_of": "1401/05/02", "export": "xlsx"})
    sheets = load_workbook(io.BytesIO(b"".join(workbook.streaming_content)), read_only=True)
    assert len(sheets.worksheets) == 3
