"""Iranian identifiers: the national ID of a legal entity (11 digits, check digit) and the
12-digit business ID. The valid IDs below are published examples (persian-tools' test
suite uses 10380284790), not outputs of the code under test."""

from __future__ import annotations

import pytest

from persian.identifiers import (
    clean_digits,
    is_valid_business_id,
    is_valid_legal_id,
    legal_id_check_digit,
)
from persian.text import to_persian_digits

VALID_LEGAL_IDS = ["10380284790", "10861836930"]


@pytest.mark.parametrize("code", VALID_LEGAL_IDS)
def test_a_valid_national_id_is_accepted(code: str) -> None:
    assert is_valid_legal_id(code)


@pytest.mark.parametrize("code", VALID_LEGAL_IDS)
def test_a_national_id_typed_in_persian_digits_is_accepted(code: str) -> None:
    assert is_valid_legal_id(to_persian_digits(code))


def test_a_national_id_typed_with_spaces_or_dashes_is_accepted() -> None:
    assert is_valid_legal_id("103-8028-4790")
    assert is_valid_legal_id(" ۱۰۳ ۸۰۲۸ ۴۷۹۰ ")


@pytest.mark.parametrize(
    "typo",
    [
        "20380284790",
        "11380284790",
        "10480284790",
        "10390284790",
        "10381284790",
        "10380384790",
        "10380294790",
        "10380285790",
        "10380284890",
        "10380284780",
        "10380284791",
    ],
)
def test_a_national_id_with_one_mistyped_digit_is_refused(typo: str) -> None:
    assert sum(a != b for a, b in zip(typo, VALID_LEGAL_IDS[0], strict=True)) == 1
    assert not is_valid_legal_id(typo)


@pytest.mark.parametrize("code", VALID_LEGAL_IDS)
@pytest.mark.parametrize("position", range(11))
def test_at_most_one_of_the_nine_typos_of_a_digit_slips_through(code: str, position: int) -> None:
    # mod 11 with "10 counts as 0" cannot catch every typo: one in eleven sums lands on
    # the folded remainder. Anything more would mean a broken weight or rule.
    typos = [
        code[:position] + d + code[position + 1 :] for d in "0123456789" if d != code[position]
    ]
    assert sum(is_valid_legal_id(t) for t in typos) <= 1
    if position == 10:
        assert not any(is_valid_legal_id(t) for t in typos)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("1038028479", id="ten-digits"),
        pytest.param("103802847901", id="twelve-digits"),
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param("1038028479x", id="a-letter"),
        pytest.param("00000000000", id="all-zero"),
        pytest.param("10380284792", id="wrong-check-digit"),
        pytest.param("11111111111", id="repeated-digit"),
        pytest.param("10380285692", id="two-digits-changed"),
    ],
)
def test_a_malformed_national_id_is_refused(code: str | None) -> None:
    assert not is_valid_legal_id(code)


def test_a_national_id_whose_middle_digits_are_all_zero_is_refused_even_with_a_matching_check_digit() -> (
    None
):
    first_ten = "1230000004"
    assert first_ten[3:9] == "000000"
    code = first_ten + str(legal_id_check_digit(first_ten))
    assert not is_valid_legal_id(code)


def test_the_check_digit_of_a_published_id_is_its_last_digit() -> None:
    assert legal_id_check_digit("1038028479") == 0
    assert legal_id_check_digit("1086183693") == 0


def test_a_remainder_of_ten_counts_as_check_digit_zero() -> None:
    # the first ten digits whose weighted sum leaves 10 must carry 0, and only 0
    first_ten = next(
        f"101{n:06d}1"
        for n in range(1, 10_000)
        if sum(
            (int(f"101{n:06d}1"[9]) + 2 + int(d)) * (29, 27, 23, 19, 17)[i % 5]
            for i, d in enumerate(f"101{n:06d}1")
        )
        % 11
        == 10
    )
    assert is_valid_legal_id(first_ten + "0")
    assert not any(is_valid_legal_id(first_ten + d) for d in "123456789")


# --- business ID -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["140212345678", "۱۴۰۲۱۲۳۴۵۶۷۸", "1402-1234-5678"])
def test_a_twelve_digit_business_id_is_accepted(code: str) -> None:
    assert is_valid_business_id(code)


@pytest.mark.parametrize("code", ["14021234567", "1402123456789", "14021234567x", "", None])
def test_a_business_id_that_is_not_twelve_digits_is_refused(code: str | None) -> None:
    assert not is_valid_business_id(code)


def test_clean_digits_gives_latin_digits_without_separators() -> None:
    assert clean_digits(" ۱۴۰۲-١٢٣ 4 ") == "14021234"
    assert clean_digits(None) == ""


@pytest.mark.parametrize(
    "typed",
    ["¹⁰³⁸⁰²⁸⁴⁷⁹⁰", "１０３８０２８４７９０", "1038028479⁰", "१०३८०२८४७९०"],
    ids=["superscripts", "fullwidth", "one superscript", "Devanagari"],
)
def test_a_national_id_in_digits_of_another_script_is_refused_not_an_error(typed: str) -> None:
    """Issue 18: only Latin, Persian and Arabic-Indic digits are digits here."""
    assert is_valid_legal_id(typed) is False


@pytest.mark.parametrize("typed", ["¹⁴⁰²¹²³⁴⁵⁶⁷⁸", "１４０２１２３４５６７８"])
def test_a_business_id_in_digits_of_another_script_is_refused(typed: str) -> None:
    assert is_valid_business_id(typed) is False
