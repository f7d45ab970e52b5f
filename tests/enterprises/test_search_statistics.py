"""PostgreSQL keeps a sample of the units' search texts large enough to tell a common word
from a rare one (migration ``enterprises.0019``): the directory's search for a common word
then walks the name-order index and stops after a page, instead of reading and sorting
every trigram match (docs/benchmarks.md: 97 ms -> 0.15 ms in the database at 1,000,000
units)."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]

migration = importlib.import_module("enterprises.migrations.0019_search_text_statistics")


def _target() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = 'enterprises_enterprise'::regclass AND attname = 'search_text'"
        )
        target = cursor.fetchone()[0]
    return -1 if target is None else int(target)  # PostgreSQL 17 shows the default as null


def test_the_search_text_histogram_holds_five_hundred_entries() -> None:
    # With the default 100 a word in 4% of the units is missed by the histogram about once
    # in 60 analyses; the planner then takes it for a rare word.
    assert _target() == migration.SEARCH_TEXT_STATISTICS == 500


def test_the_sample_can_be_set_back_to_the_default() -> None:
    with connection.schema_editor() as editor:
        migration.default_statistics(None, editor)
    try:
        assert _target() == -1
    finally:
        with connection.schema_editor() as editor:
            migration.more_statistics(None, editor)
    assert _target() == 500
