"""Two writers for the one stream of demo rows (``generator.DemoGenerator.rows``):

- ``CopyWriter`` (PostgreSQL): ``COPY … FROM STDIN`` through psycopg 3, with the secondary
  indexes and foreign keys of the loaded tables dropped first and recreated afterwards,
  exactly as they were (definitions read from ``pg_indexes`` and ``pg_constraint``);
- ``ExecutemanyWriter`` (SQLite and anything else): ``executemany`` in batches.

Both run inside the caller's transaction. Primary keys are assigned by the generator; the
writers report where to start (``next_ids``) and move the sequences past the last row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

Row = tuple[Any, ...]
Stream = Iterable[tuple[Row, list[Row], list[Row]]]


@dataclass
class Table:
    model: type[models.Model]
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def check_columns(self) -> None:
        """Fail early, with a clear message, if the model has changed under the generator:
        a column it does not know that the database needs filled, or one it fills that the
        model no longer has."""
        fields = {f.column: f for f in self.model._meta.concrete_fields}
        unknown = [c for c in self.columns if c not in fields]
        needed = [
            col
            for col, f in fields.items()
            if col not in self.columns
            and not f.null
            and getattr(f, "db_default", models.NOT_PROVIDED) is models.NOT_PROVIDED
        ]
        if unknown or needed:
            raise RuntimeError(
                f"{self.name}: the demo generator is out of step with the model "
                f"(columns it fills but the model lacks: {unknown or '-'}; "
                f"required columns it does not fill: {needed or '-'}). "
                "Update enterprises/demo/generator.py."
            )


@dataclass
class WriteResult:
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class _Timer:
    def __init__(self, result: WriteResult, name: str, log: Callable[[str], None] | None) -> None:
        self.result, self.name, self.log = result, name, log

    def __enter__(self) -> _Timer:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self.t0
        self.result.timings[self.name] = self.result.timings.get(self.name, 0.0) + elapsed
        if self.log and exc[0] is None:
            self.log(f"  {self.name}: {elapsed:.1f} s")


class BaseWriter:
    def __init__(
        self,
        connection: BaseDatabaseWrapper,
        tables: tuple[Table, Table, Table],
        *,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.connection = connection
        self.enterprises, self.status_events, self.location_events = tables
        self.tables = tables
        self.log = log
        self.result = WriteResult()
        for table in tables:
            table.check_columns()

    def timer(self, name: str) -> _Timer:
        return _Timer(self.result, name, self.log)

    def next_ids(self) -> dict[str, int]:
        """First free id per table: past the largest id and past what the sequence has
        already handed out, so that ids of deleted rows (which audit records may still
        name) are never reused."""
        out = {}
        with self.connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.qn(table.name)}")
                out[table.name] = max(cursor.fetchone()[0], self._sequence_value(cursor, table)) + 1
        return out

    def qn(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

    def _sequence_value(self, cursor: Any, table: Table) -> int:
        return 0

    # Overridden below.
    def prepare(self, *, empty_tables: bool) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def write(self, stream: Stream, progress: Any = None) -> WriteResult:  # pragma: no cover
        raise NotImplementedError

    def finish(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class CopyWriter(BaseWriter):
    """PostgreSQL COPY. Enterprises stream to the server while they are generated (the
    server parses them on the other core); their events are kept in memory and copied
    right after, each table with one COPY statement."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indexes: list[tuple[str, str, str]] = []  # (table, name, definition)
        self.foreign_keys: list[tuple[str, str, str]] = []  # (table, name, definition)
        self.freeze = False

    def _sequence_value(self, cursor: Any, table: Table) -> int:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, 'id')", [table.name]
        )
        sequence = cursor.fetchone()[0]
        if not sequence:
            return 0
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
        return last_value if is_called else last_value - 1

    def prepare(self, *, empty_tables: bool) -> None:
        """Drop the secondary indexes (not the primary keys or unique constraints) and the
        foreign keys of the three tables, remembering their exact definitions. When the
        tables were just emptied with TRUNCATE in this transaction, COPY can use FREEZE
        (rows are written already frozen and visible: no vacuum needed afterwards)."""
        self.freeze = empty_tables
        names = [t.name for t in self.tables]
        with self.connection.cursor() as cursor:
            # Run the deferred checks of rows written so far in this transaction (the new
            # parks): ALTER TABLE refuses tables with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                """
                SELECT i.tablename, i.indexname, i.indexdef
                FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (
                      SELECT 1 FROM pg_constraint c
                      WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass
                        AND c.contype IN ('p', 'u', 'x')
                        AND c.conrelid = format('%%I.%%I', i.schemaname, i.tablename)::regclass
                  )
                ORDER BY i.tablename, i.indexname
                """,
                [names],
            )
            self.indexes = [tuple(row) for row in cursor.fetchall()]
            cursor.execute(
                """
                SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                FROM pg_constraint c
                WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])
                ORDER BY 1, 2
                """,
                [names],
            )
            self.foreign_keys = [tuple(row) for row in cursor.fetchall()]
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {self.qn(name)}")
            for _table, name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {self.qn(name)}")
        if self.log:
            self.log(
                f"  dropped {len(self.indexes)} secondary indexes and "
                f"{len(self.foreign_keys)} foreign keys for the load"
            )

    def _copy_sql(self, table: Table) -> str:
        cols = ", ".join(self.qn(c) for c in table.columns)
        return f"COPY {self.qn(table.name)} ({cols}) FROM STDIN" + (
            " WITH (FREEZE)" if self.freeze else ""
        )

    def write(self, stream: Stream, progress: Any = None) -> WriteResult:
        status_rows: list[Row] = []
        location_rows: list[Row] = []
        add_status, add_location = status_rows.extend, location_rows.extend
        count = 0
        with self.connection.cursor() as cursor:
            with self.timer("generate + COPY enterprises"):
                with cursor.copy(self._copy_sql(self.enterprises)) as copy:
                    write_row = copy.write_row
                    for enterprise, statuses, locations in stream:
                        write_row(enterprise)
                        add_status(statuses)
                        add_location(locations)
                        count += 1
                        if progress is not None and not count % 2000:
                            progress.update(2000)
                if progress is not None:
                    progress.update(count % 2000)
            for table, rows in (
                (self.status_events, status_rows),
                (self.location_events, location_rows),
            ):
                with self.timer(f"COPY {table.model._meta.model_name}"):
                    with cursor.copy(self._copy_sql(table)) as copy:
                        write_row = copy.write_row
                        for row in rows:
                            write_row(row)
        self.result.counts = {
            self.enterprises.name: count,
            self.status_events.name: len(status_rows),
            self.location_events.name: len(location_rows),
        }
        return self.result

    def finish(self, progress_factory: Callable[..., Any] | None = None) -> None:
        """Recreate the indexes and foreign keys exactly as they were, move the id
        sequences past the new rows and refresh the planner statistics."""
        with self.connection.cursor() as cursor:
            # Memory for sorting and for the trigram index build: this transaction only.
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            bar = (
                progress_factory(total=len(self.indexes), desc="indexes", unit="index")
                if progress_factory
                else None
            )
            with self.timer("recreate indexes"):
                # The largest builds first (the trigram index), so the bar moves evenly.
                for _table, _name, definition in sorted(
                    self.indexes, key=lambda i: (" gin " not in i[2].lower(), i[0], i[1])
                ):
                    cursor.execute(definition)
                    if bar is not None:
                        bar.update(1)
            if bar is not None:
                bar.close()
            with self.timer("recreate foreign keys"):
                for table, name, definition in self.foreign_keys:
                    cursor.execute(
                        f"ALTER TABLE {table} ADD CONSTRAINT {self.qn(name)} {definition}"
                    )
            for table in self.tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) "
                    f"FROM {self.qn(table.name)} HAVING MAX(id) IS NOT NULL",
                    [table.name],
                )
            with self.timer("analyze"):
                for table in self.tables:
                    cursor.execute(f"ANALYZE {self.qn(table.name)}")


class ExecutemanyWriter(BaseWriter):
    """Batches of ``executemany`` (SQLite, or any other backend), values adapted by the
    backend's own ``adapt_*field_value`` so dates and times are stored as Django stores
    them."""

    batch_size = 5000

    def _sequence_value(self, cursor: Any, table: Table) -> int:
        if self.connection.vendor != "sqlite":
            return 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table.name])
        row = cursor.fetchone()
        return int(row[0]) if row else 0

    def prepare(self, *, empty_tables: bool) -> None:
        return None

    def _adapters(self, table: Table) -> list[tuple[int, Callable[[Any], Any]]]:
        ops = self.connection.ops
        fields = {f.column: f for f in table.model._meta.concrete_fields}
        out: list[tuple[int, Callable[[Any], Any]]] = []
        for i, col in enumerate(table.columns):
            f = fields[col]
            if isinstance(f, models.DateTimeField):
                out.append((i, ops.adapt_datetimefield_value))
            elif isinstance(f, models.DateField):
                out.append((i, ops.adapt_datefield_value))
            elif isinstance(f, models.DecimalField):
                out.append((i, lambda v: None if v is None else str(v)))
        return out

    def _insert_sql(self, table: Table) -> str:
        cols = ", ".join(self.qn(c) for c in table.columns)
        marks = ", ".join(["%s"] * len(table.columns))
        return f"INSERT INTO {self.qn(table.name)} ({cols}) VALUES ({marks})"

    def write(self, stream: Stream, progress: Any = None) -> WriteResult:
        plan = [
            (table, self._insert_sql(table), self._adapters(table), [])
            for table in self.tables
        ]
        counts = dict.fromkeys((t.name for t in self.tables), 0)

        def flush(cursor: Any) -> None:
            for table, sql, adapters, rows in plan:
                if not rows:
                    continue
                if adapters:
                    converted = []
                    for row in rows:
                        values = list(row)
                        for i, adapt in adapters:
                            if values[i] is not None:
                                values[i] = adapt(values[i])
                        converted.append(values)
                    cursor.executemany(sql, converted)
                else:
                    cursor.executemany(sql, rows)
                counts[table.name] += len(rows)
                rows.clear()

        ent_rows, sev_rows, lev_rows = (p[3] for p in plan)
        with self.connection.cursor() as cursor, self.timer("generate + insert"):
            for enterprise, statuses, locations in _counted(stream, progress):
                ent_rows.append(enterprise)
                sev_rows.extend(statuses)
                lev_rows.extend(locations)
                if len(ent_rows) >= self.batch_size:
                    flush(cursor)
            flush(cursor)
        self.result.counts = counts
        return self.result

    def finish(self, progress_factory: Callable[..., Any] | None = None) -> None:
        # SQLite's AUTOINCREMENT keeps its sequence at the largest id inserted; other
        # backends reset theirs through Django's own SQL.
        if self.connection.vendor != "sqlite":
            from django.core.management.color import no_style

            statements = self.connection.ops.sequence_reset_sql(
                no_style(), [t.model for t in self.tables]
            )
            with self.connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        with self.connection.cursor() as cursor, self.timer("analyze"):
            if self.connection.vendor == "sqlite":
                for table in self.tables:
                    cursor.execute(f"ANALYZE {self.qn(table.name)}")


def _counted(stream: Stream, progress: Any) -> Iterator[tuple[Row, list[Row], list[Row]]]:
    count = 0
    for item in stream:
        yield item
        count += 1
        if progress is not None and not count % 2000:
            progress.update(2000)
    if progress is not None:
        progress.update(count % 2000)


def writer_for(connection: BaseDatabaseWrapper, tables: tuple[Table, Table, Table], **kwargs: Any) -> BaseWriter:
    if connection.vendor == "postgresql":
        return CopyWriter(connection, tables, **kwargs)
    return ExecutemanyWriter(connection, tables, **kwargs)
