"""Two writers for the one stream of demo rows (``generator.DemoGenerator.rows``):

- ``CopyWriter`` (PostgreSQL): binary ``COPY … FROM STDIN`` through psycopg 3, with the
  secondary b-tree indexes and the foreign keys of the loaded tables dropped first and
  recreated afterwards exactly as they were (definitions read from ``pg_indexes`` and
  ``pg_constraint``); the trigram (GIN) index stays and is kept up to date during the load
  (see ``_maintained_during_load``);
- ``ExecutemanyWriter`` (SQLite and anything else): ``executemany`` in batches, SQLite's
  secondary indexes dropped and recreated in the same transaction.

The rows are written inside the caller's transaction. Primary keys are assigned by the
generator; the writers say where to start (``next_ids``) and move the sequences past the
last row (``finish``, still inside the transaction).

PostgreSQL rebuilds the dropped indexes after that transaction has committed
(``finalize``), on two connections at once, so that both cores sort. Until that is done
the definitions wait in a comment on the enterprise table, written in the loading
transaction: a build interrupted between the two steps is finished by the next run
(``pending_finalize``) instead of leaving the registry without its indexes.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

Row = tuple[Any, ...]
Stream = Iterable[tuple[Row, list[Row], list[Row], list[Row]]]
MARKER_KEY = "seed_demo"
ProgressFactory = Callable[..., Any]


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
                "Update demo/registry/generator.py."
            )


@dataclass
class WriteResult:
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class Timings:
    def __init__(self, log: Callable[[str], None] | None) -> None:
        self.log = log
        self.values: dict[str, float] = {}

    def __call__(self, name: str) -> _Timer:
        return _Timer(self, name)


class _Timer:
    def __init__(self, owner: Timings, name: str) -> None:
        self.owner, self.name = owner, name

    def __enter__(self) -> _Timer:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self.t0
        self.owner.values[self.name] = self.owner.values.get(self.name, 0.0) + elapsed
        if self.owner.log and exc[0] is None:
            self.owner.log(f"  {self.name}: {elapsed:.1f} s")


class BaseWriter:
    def __init__(
        self,
        connection: BaseDatabaseWrapper,
        tables: tuple[Table, Table, Table, Table],
        *,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.connection = connection
        self.enterprises, self.status_events, self.location_events, self.measure_events = tables
        self.tables = tables
        self.log = log
        self.timer = Timings(log)
        self.counts: dict[str, int] = {}
        for table in tables:
            table.check_columns()

    def qn(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

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

    def _sequence_value(self, cursor: Any, table: Table) -> int:
        return 0

    def result(self) -> WriteResult:
        return WriteResult(counts=dict(self.counts), timings=dict(self.timer.values))

    # The steps, in order: prepare, write, finish (inside the transaction), finalize (after).
    def prepare(self, *, empty_tables: bool) -> None:
        return None

    def write(self, stream: Stream, progress: Any = None) -> None:  # pragma: no cover
        raise NotImplementedError

    def finish(self) -> None:
        return None

    def finalize(self, progress_factory: ProgressFactory | None = None) -> None:
        return None


# --- PostgreSQL -------------------------------------------------------------------------


class CopyWriter(BaseWriter):
    """PostgreSQL binary COPY. Enterprises stream to the server while they are generated
    (the server stores them on the other core); their events are kept in memory and copied
    right after, one COPY statement per table."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indexes: list[list[str]] = []  # [table, name, definition]
        self.foreign_keys: list[list[str]] = []  # [table, name, definition]
        self.freeze = False
        self.kept: list[list[str]] = []

    def _sequence_value(self, cursor: Any, table: Table) -> int:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table.name])
        sequence = cursor.fetchone()[0]
        if not sequence:
            return 0
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
        return last_value if is_called else last_value - 1

    def prepare(self, *, empty_tables: bool) -> None:
        """Drop the secondary indexes (not primary keys or unique constraints) and the
        foreign keys of the four tables, keeping their exact definitions in the marker.
        When the tables were emptied with TRUNCATE in this transaction, COPY writes the
        rows already frozen (FREEZE): visible to all, no vacuum needed afterwards."""
        self.freeze = empty_tables
        names = [t.name for t in self.tables]
        with self.connection.cursor() as cursor:
            # Run the deferred checks of rows written so far in this transaction (the new
            # parks): ALTER TABLE refuses a table with pending trigger events.
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
                        AND c.conrelid = format('%%I.%%I', i.schemaname, i.tablename)::regclass
                        AND c.contype IN ('p', 'u', 'x')
                  )
                ORDER BY i.tablename, i.indexname
                """,
                [names],
            )
            found = [list(row) for row in cursor.fetchall()]
            self.indexes = [i for i in found if not _maintained_during_load(i[2])]
            self.kept = [i for i in found if _maintained_during_load(i[2])]
            cursor.execute(
                """
                SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                FROM pg_constraint c
                WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])
                ORDER BY 1, 2
                """,
                [names],
            )
            self.foreign_keys = [list(row) for row in cursor.fetchall()]
            original = read_marker(self.connection, raw=True)
            if isinstance(original, dict):  # an unfinished build's marker: keep its comment
                original = original.get("original_comment")
            write_marker(
                self.connection,
                {
                    MARKER_KEY: "indexes pending",
                    "indexes": self.indexes,
                    "foreign_keys": self.foreign_keys,
                    "tables": names,
                    "original_comment": original,
                },
            )
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {self.qn(name)}")
            for _table, name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {self.qn(name)}")
        if self.log:
            self.log(
                f"  dropped {len(self.indexes)} secondary indexes and "
                f"{len(self.foreign_keys)} foreign keys for the load; kept "
                f"{', '.join(i[1] for i in self.kept) or 'none'}"
            )

    def _copy(self, cursor: Any, table: Table) -> Any:
        cols = ", ".join(self.qn(c) for c in table.columns)
        options = "FORMAT BINARY" + (", FREEZE" if self.freeze else "")
        copy = cursor.copy(f"COPY {self.qn(table.name)} ({cols}) FROM STDIN WITH ({options})")
        return copy

    def _column_types(self, cursor: Any, table: Table) -> list[int]:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table.name],
        )
        oids = dict(cursor.fetchall())
        return [int(oids[c]) for c in table.columns]

    def write(self, stream: Stream, progress: Any = None) -> None:
        status_rows: list[Row] = []
        location_rows: list[Row] = []
        measure_rows: list[Row] = []
        add_status, add_location = status_rows.extend, location_rows.extend
        add_measure = measure_rows.extend
        count = 0
        with self.connection.cursor() as cursor:
            types = {t.name: self._column_types(cursor, t) for t in self.tables}
            with self.timer("generate + COPY enterprises"):
                with self._copy(cursor, self.enterprises) as copy:
                    copy.set_types(types[self.enterprises.name])
                    write_row = copy.write_row
                    for enterprise, statuses, locations, measures in stream:
                        write_row(enterprise)
                        add_status(statuses)
                        add_location(locations)
                        add_measure(measures)
                        count += 1
                        if progress is not None and not count % 2000:
                            progress.update(2000)
                if progress is not None:
                    progress.update(count % 2000)
            for table, rows in (
                (self.status_events, status_rows),
                (self.location_events, location_rows),
                (self.measure_events, measure_rows),
            ):
                with self.timer(f"COPY {table.name}"):
                    with self._copy(cursor, table) as copy:
                        copy.set_types(types[table.name])
                        write_row = copy.write_row
                        for row in rows:
                            write_row(row)
        self.counts = {
            self.enterprises.name: count,
            self.status_events.name: len(status_rows),
            self.location_events.name: len(location_rows),
            self.measure_events.name: len(measure_rows),
        }

    def finish(self) -> None:
        """Move the id sequences past the new rows (inside the loading transaction)."""
        with self.connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) "
                    f"FROM {self.qn(table.name)} HAVING MAX(id) IS NOT NULL",
                    [table.name],
                )

    def finalize(self, progress_factory: ProgressFactory | None = None) -> None:
        """After the commit: rebuild what ``prepare`` dropped (see ``pg_finalize``)."""
        marker = read_marker(self.connection)
        if marker is not None:
            pg_finalize(self.connection, marker, progress_factory, self.timer, self.log)


def _maintained_during_load(definition: str) -> bool:
    """GIN indexes (the trigram search index) stay in place during the load.

    On a two-core machine the load is bound by Python generating rows, and the server's
    core is mostly idle: kept, the trigram index is maintained there in pending-list
    batches while rows are generated (about 40 s of server time for a million rows that
    costs no wall time). Dropped, it would be rebuilt afterwards in a single-core step of
    25-40 s on the critical path (PostgreSQL 15 builds GIN indexes without parallel
    workers). Measured: 83 s instead of 132 s for a million units."""
    return " USING gin " in definition


def read_marker(connection: BaseDatabaseWrapper, *, raw: bool = False) -> Any:
    """The unfinished-build marker kept as the enterprise table's comment, or None. With
    ``raw``, whatever comment the table has (a string that is not a marker included)."""
    from enterprises.models import Enterprise

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(%s::regclass, 'pg_class')", [Enterprise._meta.db_table]
        )
        comment = cursor.fetchone()[0]
    if comment is None:
        return None
    try:
        data = json.loads(comment)
    except ValueError:
        return comment if raw else None
    if isinstance(data, dict) and MARKER_KEY in data:
        return data
    return comment if raw else None


def write_marker(connection: BaseDatabaseWrapper, value: dict[str, Any] | str | None) -> None:
    from psycopg import sql

    from enterprises.models import Enterprise

    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
    statement = sql.SQL("COMMENT ON TABLE {} IS {}").format(
        sql.Identifier(Enterprise._meta.db_table), sql.Literal(text)
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(connection.connection))


def pending_finalize(connection: BaseDatabaseWrapper) -> dict[str, Any] | None:
    """The marker of a demo build whose indexes were not rebuilt (interrupted), or None."""
    if connection.vendor != "postgresql":
        return None
    marker = read_marker(connection)
    return marker if isinstance(marker, dict) else None


def pg_finalize(
    connection: BaseDatabaseWrapper,
    marker: dict[str, Any],
    progress_factory: ProgressFactory | None = None,
    timer: Timings | None = None,
    log: Callable[[str], None] | None = None,
) -> None:
    """Recreate the indexes and foreign keys named in ``marker`` that do not exist, then
    refresh the planner statistics and remove the marker. Index builds run on two
    connections at once (the trigram index first); each index commits on its own, so an
    interruption loses nothing already built. Safe to run again."""
    timer = timer or Timings(log)
    _wait_for_orphans(connection, [i[2] for i in marker["indexes"]], log)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s)",
            [marker["tables"]],
        )
        existing = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = ANY(%s::regclass[])",
            [marker["tables"]],
        )
        existing_fks = {row[0] for row in cursor.fetchall()}
    todo = [i for i in marker["indexes"] if i[1] not in existing]
    # Longest first (GIN indexes, then by the size of the table) so the two connections
    # finish together.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
            [marker["tables"]],
        )
        sizes = dict(cursor.fetchall())
    todo.sort(key=lambda i: (" using gin " not in i[2].lower(), -sizes.get(i[0], 0), i[1]))
    with timer("recreate indexes"):
        _build_in_parallel(connection, [i[2] for i in todo], progress_factory)
    qn = connection.ops.quote_name
    with timer("recreate foreign keys"), connection.cursor() as cursor:
        for table, name, definition in marker["foreign_keys"]:
            if name not in existing_fks:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
    with timer("analyze"), connection.cursor() as cursor:
        # Merge what is still in the pending lists of the GIN indexes kept during the load.
        cursor.execute(
            "SELECT gin_clean_pending_list(format('%%I.%%I', schemaname, indexname)::regclass) "
            "FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(%s) "
            "AND indexdef LIKE '%% USING gin %%'",
            [marker["tables"]],
        )
        # VACUUM as well as ANALYZE even after a frozen COPY: the build updates some rows
        # after it (``location_events_close``), whose new versions are not all-visible, and
        # index-only scans of those tables fetched table rows until autovacuum came (a fresh
        # 1,000,000-unit registry: 2,649 of 17,137 location-event pages all-visible). A
        # VACUUM skips the pages the COPY froze, so it costs only what was updated.
        for table in marker["tables"]:
            cursor.execute(f"VACUUM (ANALYZE) {qn(table)}")
        write_marker(connection, marker.get("original_comment"))


def _wait_for_orphans(
    connection: BaseDatabaseWrapper, statements: list[str], log: Callable[[str], None] | None
) -> None:
    """A build stopped by force may leave its index builds running on the server (they
    finish and commit on their own). Wait for them, so that nothing is built twice."""
    announced = False
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state = 'active' AND query = ANY(%s)",
                [statements],
            )
            running = cursor.fetchone()[0]
        if not running:
            return
        if log and not announced:
            log(f"  waiting for {running} index build(s) left running by the interrupted build")
            announced = True
        time.sleep(0.5)


def _build_in_parallel(
    connection: BaseDatabaseWrapper,
    statements: list[str],
    progress_factory: ProgressFactory | None,
    workers: int = 2,
) -> None:
    """Run CREATE INDEX statements on ``workers`` fresh connections (autocommit), each
    taking the next statement when it is free."""
    if not statements:
        return
    jobs: queue.Queue[str] = queue.Queue()
    for statement in statements:
        jobs.put(statement)
    bar = (
        progress_factory(total=len(statements), desc="indexes", unit=" index")
        if progress_factory
        else None
    )
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            import psycopg

            conn = psycopg.connect(**connection.get_connection_params())
        except BaseException as exc:  # pragma: no cover - connection failure
            errors.append(exc)
            return
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                # Memory for sorting and for the trigram build, for these sessions only.
                cursor.execute("SET maintenance_work_mem = '1GB'")
                while not errors:
                    try:
                        statement = jobs.get_nowait()
                    except queue.Empty:
                        return
                    cursor.execute(statement)
                    if bar is not None:
                        with lock:
                            bar.update(1)
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [
        threading.Thread(target=work, daemon=True) for _ in range(min(workers, len(statements)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if bar is not None:
        bar.close()
    if errors:
        raise errors[0]


# --- SQLite and others ------------------------------------------------------------------


class ExecutemanyWriter(BaseWriter):
    """Batches of ``executemany`` (SQLite, or any other backend), values adapted by the
    backend's own ``adapt_*field_value`` so dates and times are stored as Django stores
    them."""

    batch_size = 5000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indexes: list[tuple[str, str]] = []

    def prepare(self, *, empty_tables: bool) -> None:
        """SQLite: drop the secondary indexes of the four tables (not those behind primary
        keys and unique constraints, which SQLite creates itself and lists without SQL)
        and recreate them from their stored definitions in ``finish``, in the same
        transaction."""
        if self.connection.vendor != "sqlite":
            return
        names = [t.name for t in self.tables]
        marks = ", ".join(["%s"] * len(names))
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks}) ORDER BY name",
                names,
            )
            self.indexes = list(cursor.fetchall())
            for name, _sql in self.indexes:
                cursor.execute(f"DROP INDEX {self.qn(name)}")

    def _sequence_value(self, cursor: Any, table: Table) -> int:
        if self.connection.vendor != "sqlite":
            return 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table.name])
        row = cursor.fetchone()
        return int(row[0]) if row else 0

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
                out.append((i, lambda v: str(v) if isinstance(v, Decimal) else v))
        return out

    def _insert_sql(self, table: Table) -> str:
        cols = ", ".join(self.qn(c) for c in table.columns)
        marks = ", ".join(["%s"] * len(table.columns))
        return f"INSERT INTO {self.qn(table.name)} ({cols}) VALUES ({marks})"

    def write(self, stream: Stream, progress: Any = None) -> None:
        plan: list[tuple[Table, str, list[tuple[int, Callable[[Any], Any]]], list[Row]]] = [
            (table, self._insert_sql(table), self._adapters(table), []) for table in self.tables
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

        ent_rows, sev_rows, lev_rows, mev_rows = (p[3] for p in plan)
        with self.connection.cursor() as cursor, self.timer("generate + insert"):
            for enterprise, statuses, locations, measures in _counted(stream, progress):
                ent_rows.append(enterprise)
                sev_rows.extend(statuses)
                lev_rows.extend(locations)
                mev_rows.extend(measures)
                if len(ent_rows) >= self.batch_size:
                    flush(cursor)
            flush(cursor)
        self.counts = counts

    def finish(self) -> None:
        if self.indexes:
            with self.timer("recreate indexes"), self.connection.cursor() as cursor:
                for _name, sql in self.indexes:
                    cursor.execute(sql)
        # SQLite's AUTOINCREMENT keeps its sequence at the largest id inserted; other
        # backends reset theirs with Django's own SQL.
        if self.connection.vendor != "sqlite":
            from django.core.management.color import no_style

            statements = self.connection.ops.sequence_reset_sql(
                no_style(), [t.model for t in self.tables]
            )
            with self.connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    def finalize(self, progress_factory: ProgressFactory | None = None) -> None:
        if self.connection.vendor == "sqlite":
            with self.timer("analyze"), self.connection.cursor() as cursor:
                for table in self.tables:
                    cursor.execute(f"ANALYZE {self.qn(table.name)}")


def _counted(
    stream: Stream, progress: Any
) -> Iterator[tuple[Row, list[Row], list[Row], list[Row]]]:
    count = 0
    for item in stream:
        yield item
        count += 1
        if progress is not None and not count % 2000:
            progress.update(2000)
    if progress is not None:
        progress.update(count % 2000)


def writer_for(
    connection: BaseDatabaseWrapper, tables: tuple[Table, Table, Table, Table], **kwargs: Any
) -> BaseWriter:
    if connection.vendor == "postgresql":
        return CopyWriter(connection, tables, **kwargs)
    return ExecutemanyWriter(connection, tables, **kwargs)
