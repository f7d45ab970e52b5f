"""A fresh deployment before ``manage.py load_indicators``: the pages that show figures
still answer, without the figures, saying that no indicators are loaded yet (and, to
staff, which command loads them)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from indicators.models import Indicator
from tests.views_helpers import page

NOTE = "هنوز هیچ شاخصی بارگذاری نشده است"
COMMAND = "manage.py load_indicators"


@pytest.fixture(autouse=True)
def empty_catalogue(db, reference):
    cache.clear()
    # Ratios first: they protect the indicators they divide.
    Indicator.objects.exclude(numerator=None).delete()
    Indicator.objects.all().delete()
    yield
    cache.clear()


def urls(reference) -> list[str]:
    return [
        reverse("home"),
        reverse("province_detail", args=[reference.qom.code]),
        reverse("park_detail", args=[reference.park_p.pk]),
        reverse("stats"),
    ]


@pytest.mark.parametrize("index", range(4), ids=["home", "province", "park", "stats"])
def test_each_page_answers_with_a_note_instead_of_the_figures(
    index, reference, anonymous, client_for
) -> None:
    response = client_for(anonymous).get(urls(reference)[index])

    assert response.status_code == 200
    assert NOTE in page(response)
    assert COMMAND not in page(response)


@pytest.mark.parametrize("index", range(4), ids=["home", "province", "park", "stats"])
def test_staff_are_told_the_command_that_loads_the_indicators(
    index, reference, national_admin, client_for
) -> None:
    response = client_for(national_admin).get(urls(reference)[index])

    assert response.status_code == 200
    assert NOTE in page(response)
    assert COMMAND in page(response)
