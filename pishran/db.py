"""Database helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, migrations
from django.db.models import QuerySet


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


def recompute_in_batches(
    queryset: QuerySet[Any],
    compute: Callable[[Any], dict[str, Any]],
    fields: Sequence[str],
    *,
    batch_size: int = 2000,
    write_batch: int = 200,
) -> int:
    """Recompute derived columns (search and sort keys) of every row of ``queryset``, a
    batch of ``batch_size`` rows at a time: ``compute(row)`` gives the new values of
    ``fields``; only rows whose values change are written, with one ``bulk_update`` per
    batch (in UPDATEs of ``write_batch`` rows: Django's ``CASE WHEN pk = …`` is evaluated
    for each row, so its cost grows with the square of the rows per UPDATE). Walks the
    primary key (keyset), so memory stays flat at a million rows and a
    batch never re-reads the previous one. Returns how many rows changed.

    Used by data migrations (historical models have none of the models' methods, so
    ``compute`` is a plain function) after a change to ``persian.text``."""
    changed_total = 0
    last_pk: Any = None
    ordered = queryset.order_by("pk")
    while True:
        page = ordered if last_pk is None else ordered.filter(pk__gt=last_pk)
        rows = list(page[:batch_size])
        if not rows:
            return changed_total
        changed = []
        for row in rows:
            values = compute(row)
            if any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append(row)
        if changed:
            queryset.model._default_manager.bulk_update(
                changed, list(fields), batch_size=write_batch
            )
            changed_total += len(changed)
        last_pk = rows[-1].pk


def recompute_operation(
    label: str,
    compute: Callable[[Any], dict[str, Any]],
    fields: Sequence[str],
    *,
    reads: Sequence[str] = (),
) -> migrations.RunPython:
    """A data migration's operation: ``recompute_in_batches`` over every row of the
    historical model ``label`` ("app.Model"), reading ``reads`` and ``fields``."""
    app_label, model_name = label.split(".")

    def run(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        recompute_in_batches(model._default_manager.only("pk", *reads, *fields), compute, fields)

    return migrations.RunPython(run, migrations.RunPython.noop, elidable=True)
