"""Database helpers shared by the apps."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from typing import Any

from django.db import connection, connections, migrations, models
from django.db.models import QuerySet
from django.utils import timezone


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


_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,  # and DateTimeField
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
)


# JSON as the database keeps it (``jsonb``: the same value whatever the spacing and escapes);
# Persian text written as it is, not as \u escapes (a fifth quicker for an audit record).
_json_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _reads_itself(field: models.Field[Any, Any]) -> bool:
    """``field.pre_save`` returns the attribute as it is (Django's own ``Field.pre_save``,
    or a date field set by hand, not ``auto_now``)."""
    if isinstance(field, models.DateField):
        return not (field.auto_now or field.auto_now_add)
    return type(field).pre_save is models.Field.pre_save


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert new rows as ``bulk_create`` does (every object gets its primary key; field
    defaults and ``auto_now_add`` filled), faster for thousands of rows: on PostgreSQL the
    keys are taken from the table's sequence and the rows sent by one COPY, where
    ``bulk_create`` builds and parses a statement per thousand rows; elsewhere (SQLite)
    ``bulk_create``. For the writes of many rows at once (a bulk import)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=1000)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        missing = [obj for obj in objs if obj.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(missing)],  # type: ignore[union-attr]
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
        fields = [f for f in meta.concrete_fields if not f.generated]
        columns = ", ".join(quote(f.column or f.name) for f in fields)
        # Each value as the field prepares it for the database; the plain types psycopg
        # adapts itself (text, numbers, dates, booleans, keys) as they are, JSON as its text.
        real = connections[connection.alias]
        prepare = [
            (lambda v, f=f: json.dumps(v, cls=f.encoder))
            if isinstance(f, models.JSONField)
            else None
            if isinstance(f, _PLAIN_FIELDS)
            else (lambda v, f=f: f.get_db_prep_save(v, real))
            for f in fields
        ]
        converts = [(i, convert) for i, convert in enumerate(prepare) if convert is not None]
        # Every value read in one call (``attrgetter``: a C call per row, not a ``pre_save``
        # call per field per row); the fields whose ``pre_save`` sets a value (``auto_now``,
        # files) read again through it.
        read = attrgetter(*[f.attname for f in fields])
        special = [(i, f) for i, f in enumerate(fields) if not _reads_itself(f)]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                values = read(obj)
                row = list(values) if len(fields) > 1 else [values]
                for i, field in special:
                    row[i] = field.pre_save(obj, True)
                for i, convert in converts:
                    if row[i] is not None:
                        row[i] = convert(row[i])
                copy.write_row(row)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


def bulk_update_rows(
    model: type[models.Model], objs: Sequence[models.Model], names: Sequence[str]
) -> None:
    """Save ``names`` (fields) of many rows at once, as ``bulk_update`` does, faster for
    thousands of rows: on PostgreSQL the values are copied into a temporary table (COPY)
    and set by one ``UPDATE … FROM`` — ``bulk_update`` builds a ``CASE WHEN`` per field
    naming every row, which costs more to build and parse than the update itself; elsewhere
    (SQLite) ``bulk_update``. ``auto_now`` fields are not set: name them with their value."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, list(names), batch_size=1000)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    by_name = {f.name: f for f in meta.concrete_fields}
    fields = [by_name[name] for name in names]
    real = connections[connection.alias]
    pk = meta.pk
    assert pk is not None
    columns = [str(pk.column), *(str(f.column) for f in fields)]
    table = quote(meta.db_table)
    staging = quote(f"{meta.db_table}_staged")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS SELECT "
            + ", ".join(quote(c) for c in columns)
            + f" FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(
            f"COPY {staging} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        ) as copy:
            for obj in objs:
                row = [obj.pk]
                for field in fields:
                    value = getattr(obj, field.attname)
                    if value is not None and not isinstance(field, _PLAIN_FIELDS):
                        value = field.get_db_prep_save(value, real)
                    row.append(value)
                copy.write_row(row)
        assignments = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in columns[1:])
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {staging} s "
            f"WHERE {table}.{quote(columns[0])} = s.{quote(columns[0])}"
        )
        cursor.execute(f"DROP TABLE {staging}")


def bulk_insert_values(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows given as ``{field's attribute name: value}`` (``enterprise_id``), the
    fields left out taking their defaults (``auto_now_add``: now), as ``bulk_insert`` —
    without building a model instance per row on PostgreSQL. Returns the new primary
    keys, in order. For rows nothing reads back as objects (events, audit records)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=1000)
        return [obj.pk for obj in objs]
    meta = model._meta
    quote = connection.ops.quote_name
    now = timezone.now()
    fields = [f for f in meta.concrete_fields if not f.generated]
    defaults: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f is not meta.pk:
            defaults[f.attname] = f.get_default()
    as_json = {f.attname for f in fields if isinstance(f, models.JSONField)}
    for f in fields:
        if f is not meta.pk and not isinstance(f, (*_PLAIN_FIELDS, models.JSONField)):
            raise TypeError(f"bulk_insert_values does not prepare {f!r}: use bulk_insert")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],  # type: ignore[union-attr]
        )
        pks = [pk for (pk,) in cursor.fetchall()]
        names = [f.attname for f in fields]
        pk_name = meta.pk.attname  # type: ignore[union-attr]
        columns = ", ".join(quote(f.column or f.name) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row, pk in zip(rows, pks, strict=True):
                values = []
                for name in names:
                    value = pk if name == pk_name else row.get(name, defaults.get(name))
                    if name in as_json and value is not None:
                        value = _json_text(value)
                    values.append(value)
                copy.write_row(values)
    return pks
