"""Database helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def one_at_a_time(name: str, busy: Exception) -> Iterator[None]:
    """Run the block only if no other session runs a block of the same ``name``, else raise
    ``busy``. PostgreSQL: a session advisory lock (released if the process dies). SQLite
    has no such lock; its single writer serialises the work that needs this."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name])
        if not cursor.fetchone()[0]:
            raise busy
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
