"""The Persian form fields refuse what they cannot read with their own message, never a
server error (issue 18)."""

from __future__ import annotations

import pytest
from django import forms

from persian.forms import DigitsCharField, JalaliDateField


@pytest.mark.parametrize("typed", ["9999/12/30", "99999/01/01", "0000/01/01", "۹۹۹۹/۱۲/۳۰"])
def test_a_date_out_of_the_calendars_range_is_not_a_valid_date(typed: str) -> None:
    with pytest.raises(forms.ValidationError) as refused:
        JalaliDateField().clean(typed)
    assert refused.value.code in ("format", "nonexistent")


@pytest.mark.parametrize(
    "typed",
    ["¹²³", "０９１２３４５６７８９", "߁߂߃", "१२३"],
    ids=["superscripts", "fullwidth", "NKo", "Devanagari"],
)
def test_digits_of_another_script_are_refused(typed: str) -> None:
    with pytest.raises(forms.ValidationError) as refused:
        DigitsCharField().clean(typed)
    assert refused.value.code == "digits"


def test_persian_and_arabic_digits_are_still_accepted() -> None:
    assert DigitsCharField().clean("۰۹۱۲ ٣٤٥ 6789") == "0912 345 6789"
