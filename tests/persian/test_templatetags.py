"""Template filters: Persian digits and separators in the Persian UI, Latin in English.

The filters are template builtins (no ``{% load %}``), so they are exercised here through
real templates as a page would use them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.translation import override


def render(source: str, language: str, **context: object) -> str:
    with override(language):
        return Template(source).render(Context(context))


# --- num ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fa", "en"),
    [
        (12345, "۱۲٬۳۴۵", "12,345"),
        (1300000, "۱٬۳۰۰٬۰۰۰", "1,300,000"),
        (7, "۷", "7"),
        (0, "۰", "0"),
        (-2500, "-۲٬۵۰۰", "-2,500"),
        (1234.5, "۱٬۲۳۴٫۵", "1,234.5"),
        (Decimal("59000.00"), "۵۹٬۰۰۰", "59,000"),
        ("88000", "۸۸٬۰۰۰", "88,000"),
    ],
)
def test_num_writes_thousands_separators_in_the_language_of_the_page(value, fa, en) -> None:
    assert render("{{ v|num }}", "fa", v=value) == fa
    assert render("{{ v|num }}", "en", v=value) == en


def test_num_shows_a_dash_for_a_missing_number() -> None:
    assert render("{{ v|num }}", "fa", v=None) == "—"
    assert render("{{ v|num }}", "en", v="") == "—"


def test_num_shows_text_that_is_not_a_number_as_it_is() -> None:
    assert render("{{ v|num }}", "fa", v="نامعلوم") == "نامعلوم"


# --- digits --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fa", "en"), [(62.5, "۶۲٫۵٪", "62.5%"), (100, "۱۰۰٪", "100%"), (None, "—", "—")]
)
def test_percent_writes_the_sign_of_the_language_of_the_page(value, fa, en) -> None:
    assert render("{{ v|percent }}", "fa", v=value) == fa
    assert render("{{ v|percent }}", "en", v=value) == en


def test_digits_are_persian_in_the_persian_ui() -> None:
    assert render("{{ v|digits }}", "fa", v="1402/05 پلاک 12") == "۱۴۰۲/۰۵ پلاک ۱۲"


def test_digits_are_latin_in_the_english_ui() -> None:
    assert render("{{ v|digits }}", "en", v="1402/05 plot 12") == "1402/05 plot 12"


def test_digits_keep_arabic_indic_input_readable_in_persian() -> None:
    assert render("{{ v|digits }}", "fa", v="٤٥") == "۴۵"


def test_digits_of_nothing_is_empty() -> None:
    assert render("{{ v|digits }}", "fa", v=None) == ""


# --- jdate -----------------------------------------------------------------------------------


def test_jdate_shows_a_date_in_the_jalali_calendar_with_persian_digits() -> None:
    assert render("{{ d|jdate }}", "fa", d=dt.date(2023, 8, 12)) == "۱۴۰۲/۰۵/۲۱"


def test_jdate_uses_latin_digits_in_english() -> None:
    assert render("{{ d|jdate }}", "en", d=dt.date(2023, 8, 12)) == "1402/05/21"


def test_jdate_shows_a_moment_on_its_tehran_date() -> None:
    # 21:00 UTC on 11 August 2023 is 00:30 on 12 August (21 Mordad) in Tehran
    moment = dt.datetime(2023, 8, 11, 21, 0, tzinfo=dt.UTC)
    assert render("{{ d|jdate }}", "fa", d=moment) == "۱۴۰۲/۰۵/۲۱"


def test_jdate_of_nothing_is_empty() -> None:
    assert render("{{ d|jdate }}", "fa", d=None) == ""


def test_jlong_and_jdatetime_follow_the_language_too() -> None:
    moment = dt.datetime(2023, 8, 12, 10, 0, tzinfo=dt.UTC)  # 13:30 in Tehran
    assert render("{{ d|jlong }}", "fa", d=dt.date(2023, 8, 12)) == "۲۱ مرداد ۱۴۰۲"
    # an English page writes the month in Latin letters, not Persian ones among English words
    assert render("{{ d|jlong }}", "en", d=dt.date(2023, 8, 12)) == "21 Mordad 1402"
    assert render("{{ d|jdatetime }}", "fa", d=moment) == "۱۴۰۲/۰۵/۲۱ ۱۳:۳۰"
    assert render("{{ d|jdatetime }}", "en", d=moment) == "1402/05/21 13:30"
