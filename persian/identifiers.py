"""Iranian identifiers: the legal-entity national ID (شناسه ملی) and the business ID."""

from __future__ import annotations

from .text import to_latin_digits

_LEGAL_ID_WEIGHTS = (29, 27, 23, 19, 17)


def clean_digits(value: str | None) -> str:
    """Persian/Arabic digits to Latin, spaces and dashes removed. Digits of any other
    script are left as they are, for the validators to refuse."""
    return to_latin_digits(value or "").replace(" ", "").replace("-", "").strip()


def is_latin_digits(code: str) -> bool:
    """True when every character is one of 0–9. ``str.isdigit`` alone would also take
    superscripts, fullwidth and every other script's digits (and ``int`` reads many)."""
    return code.isascii() and code.isdigit()


def legal_id_check_digit(first_ten: str) -> int:
    """The 11th digit of a legal-entity national ID: each of the first ten digits is
    raised by (10th digit + 2), weighted 29, 27, 23, 19, 17 in turn, summed mod 11
    (10 counts as 0)."""
    raise_by = int(first_ten[9]) + 2
    total = sum(
        (raise_by + int(d)) * _LEGAL_ID_WEIGHTS[i % 5] for i, d in enumerate(first_ten[:10])
    )
    remainder = total % 11
    return 0 if remainder == 10 else remainder


def is_valid_legal_id(value: str | None) -> bool:
    """True for an 11-digit legal-entity national ID with a correct check digit
    (Persian or Latin digits accepted). Digits 4–9 are never all zero."""
    code = clean_digits(value)
    if len(code) != 11 or not is_latin_digits(code) or int(code) == 0 or code[3:9] == "000000":
        return False
    return legal_id_check_digit(code) == int(code[10])


def is_valid_business_id(value: str | None) -> bool:
    """The business ID (شناسه کسب‌وکار) is 12 digits; no public check digit."""
    code = clean_digits(value)
    return len(code) == 12 and is_latin_digits(code)
