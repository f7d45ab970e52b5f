"""Writing a benchmark's rows straight into PostgreSQL (COPY), not through the services:
the scripts that measure reads (clinics, finance, the API) load their cases with these.
Import after ``django.setup()``."""

from __future__ import annotations

from django.db import connection


def copy_rows(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """``rows`` into ``table`` with one ``COPY … FROM STDIN``."""
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def next_id(table: str) -> int:
    """The first id after the table's rows (the script assigns its rows' ids itself)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0])


def set_sequences(*tables: str) -> None:
    """Each table's id sequence moved past the rows written with their own ids."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
