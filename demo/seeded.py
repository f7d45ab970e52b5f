"""What the demo seeders made, so that their ``--force`` replaces demo data and nothing else.

A seeder run records, in the transaction that writes them, the id range of the rows it
added to each table its ``--force`` would empty (``high_water`` before, ``record`` after;
``models.Seeded``). Before deleting anything, ``--force`` counts the rows of those tables
that lie outside every recorded range (``not_made_by_the_demo``): a unit an officer
registered, the audit record of a real edit, a visit someone added to a demo cluster… If
there is one, it stops (``NotDemoData``) and deletes nothing.

The ranges are exact on SQLite, where one connection writes at a time. On PostgreSQL a row
another connection wrote while a seeder ran could fall inside the seeder's range: seed a
demo database, not one in use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Count, Max, Min, Q

from .models import Seeded

# Rows to delete, table by table: a queryset, or None for every row of the table.
Deletions = dict[type[models.Model], "models.QuerySet[models.Model] | None"]

_INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


class NotDemoData(Exception):
    """--force would delete rows no demo seeder made."""

    def __init__(self, command: str, foreign: dict[str, int]) -> None:
        self.foreign = foreign
        tables = ", ".join(
            f"{n:,} row{'' if n == 1 else 's'} of {table}" for table, n in foreign.items()
        )
        super().__init__(
            f"{command} --force refused: the database holds rows that no demo seeder made "
            f"({tables}). --force replaces demo data only; nothing was deleted. Build the "
            "demo in an empty database (the embedded one: make clean-demo, then make demo)."
        )


def _referring(model: type[models.Model]) -> list[models.ForeignKey]:
    """Foreign keys (many-to-many link tables' too) that point to ``model``."""
    return [
        field
        for other in apps.get_models(include_auto_created=True)
        for field in other._meta.local_fields
        if isinstance(field, models.ForeignKey) and field.related_model is model
    ]


def deletions(
    *starts: tuple[type[models.Model], models.QuerySet[models.Model] | None],
) -> Deletions:
    """What deleting each start's rows (None: every row of the table) deletes, table by
    table: those rows and, following every ``on_delete=CASCADE`` as Django's deletion does,
    the rows that refer to them, many-to-many links included."""
    out: Deletions = {}

    def add(
        model: type[models.Model],
        rows: models.QuerySet[models.Model] | None,
        path: tuple[type[models.Model], ...],
    ) -> None:
        if model in out:
            known = out[model]
            if known is None:
                return
            if rows is not None:
                rows = known | rows
        out[model] = rows
        for field in _referring(model):
            child = field.model
            if field.remote_field.on_delete is not models.CASCADE or child in path:
                continue
            manager = child._base_manager
            if rows is None and not field.null:
                child_rows = None
            elif rows is None:
                child_rows = manager.filter(**{f"{field.attname}__isnull": False})
            else:
                child_rows = manager.filter(
                    **{f"{field.attname}__in": rows.values(field.target_field.attname)}
                )
            add(child, child_rows, (*path, child))

    for model, rows in starts:
        add(model, rows, (model,))
    return out


def _seedable(models_: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    return [m for m in models_ if isinstance(m._meta.pk, _INTEGER_KEYS)]


def high_water(models_: Iterable[type[models.Model]]) -> dict[type[models.Model], int]:
    """The largest id of each table now: the rows a seeder adds come after it."""
    return {
        model: model._base_manager.aggregate(top=Max("pk"))["top"] or 0
        for model in _seedable(models_)
    }


def record(command: str, before: dict[type[models.Model], int]) -> list[Seeded]:
    """Record the rows ``command`` added to each table since ``high_water`` gave ``before``
    (call both in the transaction that writes them)."""
    made = []
    for model, top in before.items():
        added = model._base_manager.filter(pk__gt=top).aggregate(
            first=Min("pk"), last=Max("pk"), rows=Count("pk")
        )
        if added["rows"]:
            made.append(
                Seeded(
                    command=command,
                    model=model._meta.label_lower,
                    first_id=added["first"],
                    last_id=added["last"],
                    rows=added["rows"],
                )
            )
    return Seeded.objects.bulk_create(made)


def outside_the_demo(model: type[models.Model]) -> Q:
    """The rows of ``model`` outside every recorded range, as ranges of ids (the gaps
    before, between and after the recorded ones), which the database counts on the primary
    key's index instead of reading the whole table."""
    if not isinstance(model._meta.pk, _INTEGER_KEYS):
        return Q()  # no ranges are recorded for other keys: every row counts
    ranges = Seeded.objects.filter(model=model._meta.label_lower).order_by("first_id")
    outside, end = Q(), None
    for first, last in ranges.values_list("first_id", "last_id"):
        if end is None:
            outside |= Q(pk__lt=first)
        elif first > end + 1:
            outside |= Q(pk__gt=end, pk__lt=first)
        end = last if end is None else max(end, last)
    return Q() if end is None else outside | Q(pk__gt=end)


def not_made_by_the_demo(rows: Deletions) -> dict[str, int]:
    """How many of these rows no demo seeder made, by table (tables with none left out)."""
    foreign = {}
    for model, selected in rows.items():
        queryset = model._base_manager.all() if selected is None else selected
        count = queryset.filter(outside_the_demo(model)).count()
        if count:
            foreign[model._meta.db_table] = count
    return foreign


def refuse_unless_demo(command: str, rows: Deletions) -> None:
    """Raise ``NotDemoData`` if any of these rows was not made by a demo seeder."""
    foreign = not_made_by_the_demo(rows)
    if foreign:
        raise NotDemoData(command, foreign)


def forget(rows: Deletions) -> None:
    """Drop the records of ranges whose rows are all gone (after a --force deleted them)."""
    for model in _seedable(rows):
        for seeded in Seeded.objects.filter(model=model._meta.label_lower):
            if not model._base_manager.filter(pk__range=(seeded.first_id, seeded.last_id)).exists():
                seeded.delete()


def clear_for_rebuild(
    command: str, rows: Deletions, delete: Callable[[], object] | None
) -> dict[type[models.Model], int]:
    """In the seeder's transaction, before it writes: for a ``--force``, ``delete`` the old
    demo rows (``rows``: what it deletes, from ``deletions``) — refused with ``NotDemoData``,
    nothing deleted, unless the demo made every one of them — and forget their ranges.
    Returns ``high_water`` for ``record``."""
    if delete is not None:
        refuse_unless_demo(command, rows)
        delete()
        forget(rows)
    return high_water(rows)


def until_option(text: str, default: Any = None) -> Any:
    """A seeder's ``--until`` (Jalali YYYY/MM/DD), never after today; ``default`` (today)
    when empty. A text that is not a Jalali date stops the command."""
    from django.core.management.base import CommandError

    from persian.jalali import JalaliDateError, parse, today

    if not text:
        return min(default or today(), today())
    try:
        return min(parse(text), today())
    except JalaliDateError as exc:
        raise CommandError(f"--until: not a Jalali date: {text}") from exc
