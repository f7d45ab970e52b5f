"""The target markets a consortium may name: a fixed list of ISO 3166-1 alpha-2 codes with
their Persian and English names (``consortia/data/countries.csv``, sources in
``consortia/data/SOURCES.md``). The code is what is stored."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA = Path(__file__).resolve().parent / "data" / "countries.csv"


@cache
def _rows() -> dict[str, tuple[str, str]]:
    with DATA.open(encoding="utf-8") as handle:
        return {r["code"]: (r["name_fa"], r["name_en"]) for r in csv.DictReader(handle)}


def name(code: str) -> str:
    """The country's name in the page's language (its code when unknown)."""
    found = _rows().get(code)
    if found is None:
        return code
    return found[1] if get_language() == "en" else found[0]


def choices() -> list[tuple[str, str]]:
    """(code, name) in the page's language, sorted by name."""
    return sorted(((code, name(code)) for code in _rows()), key=lambda pair: pair[1])


def codes() -> frozenset[str]:
    return frozenset(_rows())
