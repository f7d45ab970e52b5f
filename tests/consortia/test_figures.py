"""The consortia's figures (``indicators/consortia.py``): consortia, members and support
against the cap, for the country and a province, as of any date — each opening its rows
(the consortia list as of that date)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from consortia import services
from indicators.base import Place
from indicators.models import Indicator
from indicators.selectors import rows_link, value_of
from persian import jalali
from tests.consortia.conftest import Consortia
from tests.factories import days_ago

pytestmark = pytest.mark.django_db
COUNTRY = Place("c")


def _figure(key: str, place: Place = COUNTRY, days: int = 0) -> Any:
    return value_of(Indicator.objects.get(key=key), place, days_ago(days))


def test_consortia_and_members_by_place_and_date(
    consortia: Consortia, reference: Any, django_capture_on_commit_callbacks: Any
) -> None:
    qom = Place("p", reference.qom.pk)
    assert _figure("consortia") == 2 and _figure("consortia", qom) == 1
    assert _figure("consortium-members") == 8 and _figure("consortium-members", qom) == 4
    assert _figure("consortia", days=150) == 0  # formed 100 days ago

    with django_capture_on_commit_callbacks(execute=True):
        services.member_remove(
            actor=None, member=consortia.qom.members.last(), left_on=days_ago(10), reason="خروج"
        )

    assert _figure("consortium-members", qom) == 3
    assert _figure("consortium-members", qom, days=20) == 4  # as it stood before


def test_support_is_read_against_the_year_s_cap(
    consortia: Consortia, reference: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.support_record(
            actor=None, consortium=consortia.tehran, date=days_ago(0), kind="fair",
            amount=700_000_000,
        )  # fmt: skip

    tehran = Place("p", reference.tehran.pk)
    assert _figure("consortium-support") == 700_000_000
    assert _figure("consortium-support", Place("p", reference.qom.pk)) == 0
    assert _figure("consortium-support-cap", tehran) == 3_000_000_000
    assert _figure("consortium-support-cap") == 6_000_000_000

    with django_capture_on_commit_callbacks(execute=True):
        services.cap_set(actor=None, year=jalali.year_of(days_ago(0)), amount=4_000_000_000)

    assert _figure("consortium-support-cap") == 8_000_000_000


def test_each_figure_opens_the_consortia_it_counted(
    consortia: Consortia, reference: Any, national_admin: Any, client_for: Any
) -> None:
    indicator = Indicator.objects.get(key="consortia")
    link = rows_link(indicator, Place("p", reference.qom.pk), days_ago(5), reference.qom.code)

    assert link.startswith(reverse("consortium_list"))
    rows = client_for(national_admin).get(link).context["page"]
    assert [c.pk for c in rows] == [consortia.qom.pk]
    assert len(rows) == _figure("consortia", Place("p", reference.qom.pk), days=5)


def test_the_figures_are_for_staff_not_the_public(consortia: Consortia) -> None:
    assert not Indicator.objects.filter(source="consortia", is_public=True).exists()
