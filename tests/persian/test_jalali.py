"""The Jalali calendar at the edges: what people type, what they read, and the Gregorian
bounds of reporting years and months. Expected dates are calendar facts (e.g. Nowruz 1403
fell on 20 March 2024), not values computed by the code under test."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from persian import jalali
from persian.jalali import JalaliDateError

# --- parse --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "1402/05/21",
        "1402/5/21",
        "۱۴۰۲/۰۵/۲۱",
        "١٤٠٢/٠٥/٢١",
        "۱۴۰۲-۰۵-۲۱",
        "1402.05.21",
        " 1402 / 05 / 21 ",
        "۱۴۰۲/5/۲۱",
    ],
)
def test_21_mordad_1402_is_read_however_it_is_typed(typed: str) -> None:
    assert jalali.parse(typed) == dt.date(2023, 8, 12)


def test_nowruz_1403_is_20_march_2024() -> None:
    assert jalali.parse("1403/01/01") == dt.date(2024, 3, 20)


def test_30_esfand_exists_in_the_leap_year_1403() -> None:
    assert jalali.parse("1403/12/30") == dt.date(2025, 3, 20)


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("1401/12/30", id="30-esfand-in-a-common-year"),
        pytest.param("1402/13/01", id="month-13"),
        pytest.param("1402/07/31", id="31-mehr"),
        pytest.param("1402/00/10", id="month-0"),
        pytest.param("1402/05/00", id="day-0"),
        pytest.param("1402/06/32", id="day-32"),
    ],
)
def test_a_date_the_calendar_does_not_have_is_refused_as_nonexistent(typed: str) -> None:
    with pytest.raises(JalaliDateError) as caught:
        jalali.parse(typed)
    assert caught.value.code == "nonexistent"
    assert caught.value.text == typed


def test_the_last_day_of_shahrivar_is_the_31st_and_of_mehr_the_30th() -> None:
    assert jalali.parse("1402/06/31") == dt.date(2023, 9, 22)
    assert jalali.parse("1402/07/30") == dt.date(2023, 10, 22)


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "abc", "فردا", "1402/05", "02/05/21", "1402/05/21/1", "1402_05_21", "14020521"],
)
def test_text_that_is_not_a_date_is_refused_as_format(typed: str) -> None:
    with pytest.raises(JalaliDateError) as caught:
        jalali.parse(typed)
    assert caught.value.code == "format"


def test_a_refused_date_is_a_value_error_for_form_code() -> None:
    with pytest.raises(ValueError):
        jalali.parse("1401/12/30")


# --- leap years and month lengths ------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "leap"), [(1399, True), (1401, False), (1402, False), (1403, True)]
)
def test_esfand_has_30_days_only_in_leap_years(year: int, leap: bool) -> None:
    assert jalali.is_leap(year) is leap
    assert jalali.month_length(year, 12) == (30 if leap else 29)


def test_the_first_six_months_have_31_days_and_the_next_five_30() -> None:
    assert [jalali.month_length(1402, m) for m in range(1, 12)] == [31] * 6 + [30] * 5


# --- format ---------------------------------------------------------------------------------------


def test_format_date_writes_persian_digits_by_default() -> None:
    assert jalali.format_date(dt.date(2023, 8, 12)) == "۱۴۰۲/۰۵/۲۱"


def test_format_date_can_write_latin_digits() -> None:
    assert jalali.format_date(dt.date(2023, 8, 12), persian_digits=False) == "1402/05/21"


def test_format_date_of_a_datetime_uses_its_date() -> None:
    moment = dt.datetime(2024, 3, 20, 23, 59, tzinfo=ZoneInfo("Asia/Tehran"))
    assert jalali.format_date(moment) == "۱۴۰۳/۰۱/۰۱"


def test_format_long_writes_the_month_name() -> None:
    assert jalali.format_long(dt.date(2023, 8, 12)) == "۲۱ مرداد ۱۴۰۲"
    assert jalali.format_long(dt.date(2024, 3, 20), persian_digits=False) == "1 فروردین 1403"
    assert jalali.format_long(dt.date(2025, 3, 20)) == "۳۰ اسفند ۱۴۰۳"
    assert (
        jalali.format_long(dt.date(2025, 3, 20), persian_digits=False, latin_names=True)
        == "30 Esfand 1403"
    )


def test_nothing_is_formatted_as_an_empty_string() -> None:
    assert jalali.format_date(None) == ""
    assert jalali.format_long(None) == ""


# --- reporting periods -------------------------------------------------------------------------


def test_the_year_1403_runs_from_20_march_2024_to_20_march_2025() -> None:
    assert jalali.year_bounds(1403) == (dt.date(2024, 3, 20), dt.date(2025, 3, 20))


def test_the_common_year_1402_ends_on_29_esfand() -> None:
    assert jalali.year_bounds(1402) == (dt.date(2023, 3, 21), dt.date(2024, 3, 19))


def test_consecutive_years_leave_no_gap_and_do_not_overlap() -> None:
    for year in range(1395, 1410):
        assert jalali.year_bounds(year)[1] + dt.timedelta(days=1) == jalali.year_bounds(year + 1)[0]


@pytest.mark.parametrize(
    ("year", "month", "bounds"),
    [
        (1403, 1, (dt.date(2024, 3, 20), dt.date(2024, 4, 19))),
        (1403, 6, (dt.date(2024, 8, 22), dt.date(2024, 9, 21))),
        (1403, 7, (dt.date(2024, 9, 22), dt.date(2024, 10, 21))),
        (1403, 12, (dt.date(2025, 2, 19), dt.date(2025, 3, 20))),
        (1402, 12, (dt.date(2024, 2, 20), dt.date(2024, 3, 19))),
    ],
)
def test_month_bounds_are_its_first_and_last_day(year: int, month: int, bounds) -> None:
    assert jalali.month_bounds(year, month) == bounds


def test_the_months_of_a_year_tile_the_year() -> None:
    first, last = jalali.year_bounds(1403)
    months = [jalali.month_bounds(1403, m) for m in range(1, 13)]
    assert months[0][0] == first and months[-1][1] == last
    for (_, end), (start, _) in zip(months, months[1:], strict=False):
        assert end + dt.timedelta(days=1) == start


def test_year_of_a_date_is_its_jalali_reporting_year() -> None:
    assert jalali.year_of(dt.date(2024, 3, 19)) == 1402
    assert jalali.year_of(dt.date(2024, 3, 20)) == 1403


# --- round trip ------------------------------------------------------------------------------------


def test_every_day_of_several_years_survives_format_and_parse() -> None:
    day, end = dt.date(2020, 3, 1), dt.date(2026, 3, 31)
    while day <= end:
        assert jalali.parse(jalali.format_date(day)) == day
        assert jalali.parse(jalali.format_date(day, persian_digits=False)) == day
        day += dt.timedelta(days=1)


def test_consecutive_days_have_consecutive_jalali_dates() -> None:
    day = dt.date(2022, 3, 1)
    previous = jalali.to_jalali(day)
    for _ in range(800):
        day += dt.timedelta(days=1)
        current = jalali.to_jalali(day)
        if current.day == 1:
            assert previous.day == jalali.month_length(previous.year, previous.month)
        else:
            assert (current.year, current.month, current.day) == (
                previous.year,
                previous.month,
                previous.day + 1,
            )
        previous = current


def test_today_is_already_the_new_day_after_midnight_in_tehran(monkeypatch) -> None:
    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # 21:00 UTC on 19 March 2024 is 00:30 on Nowruz in Tehran
            return dt.datetime(2024, 3, 19, 21, 0, tzinfo=dt.UTC).astimezone(tz)

    monkeypatch.setattr(jalali.dt, "datetime", Clock)

    assert jalali.today() == dt.date(2024, 3, 20)


# --- dates outside what the calendar library can hold (issue 18) -------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "9999/12/30",
        "9378/10/11",
        "99999/01/01",
        "0000/01/01",
        "0/1/1",
        "１４０２/01/01",
        "1402/¹/01",
    ],
    ids=[
        "year 9999",
        "first day past 9999 AD",
        "five-digit year",
        "year 0",
        "short year 0",
        "fullwidth digits",
        "superscript month",
    ],
)
def test_a_date_outside_the_calendars_range_is_refused_as_a_jalali_error(typed: str) -> None:
    with pytest.raises(JalaliDateError):
        jalali.parse(typed)
