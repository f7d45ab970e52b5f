"""An import from upload to commit.

1. ``import_upload``: the file is judged (``imports.reader``: refused here if it is
   damaged, a ZIP bomb or holds XML entities; a CSV file also if it is not UTF-8 or has
   too many rows — a workbook's rows are read by the dry run, in the worker), kept with
   its headers and a first guess of the columns (the province's saved mapping first).
2. ``import_map``: the officer's choice of columns, kept for the province too.
3. ``import_check`` (background, ``imports.tasks``): the dry run; every row's problems
   kept on the job. Nothing is written to the registry.
4. ``import_commit`` (background): the dry run's plan is reused when the registry has
   not changed since (``registry_mark``), else the file is read and checked again; with
   no problem, every row is written through the
   enterprises' services — ``enterprise_create`` for a new national ID; for a known one
   ``enterprise_update`` of the columns given, ``enterprise_move`` when its place
   differs and ``enterprise_change_status`` when its status differs, dated by the row —
   so the audit, the domain events and the indicators' facts follow as for any edit. All
   rows are written in one transaction, in batches of ``BATCH`` rows, with the job marked
   done in it: one refusal rolls every row back and names its row, and a worker lost
   mid-way leaves nothing written and the job "being imported", run again from the start
   (``settings.TASKS_RETRY_ON_WORKER_LOSS``).

Progress of a commit cannot be read from the job's row while its transaction is open
(another connection does not see it, and SQLite lets no one else write): it is written to
a small file beside the uploads (``progress_write``), which the progress page reads.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import pickle
import queue
import secrets
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record
from enterprises import services as registry
from enterprises.models import Enterprise, LocationEvent, StatusEvent
from persian.jalali import today
from places.models import Province

from . import checks, parks
from .columns import by_key, guess, to_saved
from .models import ColumnMapping, ImportJob
from .reader import ImportFileError, Table, kind_of, read_table

BATCH = 1000
PROGRESS_DIR = "imports/progress"  # under MEDIA_ROOT
PLAN_DIR = "imports/plans"  # under MEDIA_ROOT: a dry run's plan, for its commit


class RowRefused(Exception):
    def __init__(self, number: int, message: str) -> None:
        super().__init__(f"row {number}: {message}")
        self.number, self.message = number, message


def saved_mapping(province: Province | None) -> ColumnMapping | None:
    return ColumnMapping.objects.filter(province=province).first()


def import_upload(
    *,
    actor: Any,
    province: Province | None,
    upload: UploadedFile,
    language: str = "fa",
    target: str = ImportJob.Target.UNITS,
) -> ImportJob:
    """Keep an uploaded file that reads, with its headers and a first mapping; raise
    ``ImportFileError`` for a file refused whole."""
    kind = kind_of(upload.name or "")
    if kind is None:
        raise ImportFileError("kind", _("Upload an Excel (.xlsx) or CSV file."))
    if upload.size is not None and upload.size > settings.PISHRAN_IMPORT_MAX_BYTES:
        raise ImportFileError(
            "size",
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.PISHRAN_IMPORT_MAX_BYTES // (1024 * 1024)},
        )
    stream = upload.file
    assert stream is not None
    table = read_table(stream, kind, quick=True)
    saved = saved_mapping(province)
    stream.seek(0)
    job = ImportJob(
        owner=actor,
        province=province,
        language=language,
        filename=(upload.name or "")[-150:],
        kind=kind,
        headers=table.headers,
        target=target,
        mapping=guess(table.headers, saved.columns if saved else None, target),
        rows_total=table.size,
    )
    # An unguessable name: the file holds phone numbers and addresses, and the web server
    # may serve MEDIA_ROOT (docs/deploy.md); the pages never link to it.
    job.file.save(f"{secrets.token_urlsafe(24)}.{kind}", upload, save=False)
    job.save()
    return job


def import_map(*, actor: Any, job: ImportJob, mapping: dict[str, int]) -> ImportJob:
    """Keep the officer's columns on the job and as the province's mapping."""
    fields = by_key(job.target)
    mapping = {k: i for k, i in mapping.items() if k in fields and 0 <= i < len(job.headers)}
    ImportJob.objects.filter(pk=job.pk).update(
        mapping=mapping, state=ImportJob.State.CHECKING, rows_done=0
    )
    saved = saved_mapping(job.province) or ColumnMapping(province=job.province)
    saved.columns = {**saved.columns, **to_saved(job.headers, mapping)}
    saved.updated_by = actor
    saved.save()
    job.refresh_from_db()
    return job


def _table(job: ImportJob) -> Table:
    if not job.file:
        raise ImportFileError(
            "gone", _("The file of this import has been deleted; upload it again.")
        )
    with job.file.open("rb") as stored:
        return read_table(stored, job.kind)


Plan = checks.Plan[Any]  # of units (RowPlan) or of parks (parks.ParkPlan)


def _judge(job: ImportJob, table: Table, progress: Callable[[int], None] | None = None) -> Plan:
    """The dry run's judgement of every row, by what the file holds."""
    judge = parks.check_parks if job.target == ImportJob.Target.PARKS else checks.check
    return judge(table, job.mapping, actor=job.owner, province=job.province, progress=progress)


def _problem_rows(plan: Plan) -> list[dict[str, Any]]:
    return [{"row": p.row, "column": p.column, "message": p.message} for p in plan.problems]


@contextmanager
def _few_collections() -> Iterator[None]:
    """No cyclic garbage collection while a file's rows are judged and written: the rows'
    plans are hundreds of thousands of live objects that every full collection would walk
    again (about a seventh of a large import's time), and they hold no cycles worth collecting
    before the job ends. Collection resumes afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def import_check(job_id: int) -> ImportJob:
    """The dry run: judge every row, keep the problems; write nothing to the registry."""
    job = ImportJob.objects.select_related("owner", "province").get(pk=job_id)
    try:
        with _few_collections():
            return _check(job)
    except Exception:
        with translation.override(job.language):
            _fail(job, _("The check stopped on an unexpected error; try again."))
        raise


def _check(job: ImportJob) -> ImportJob:
    with translation.override(job.language):
        try:
            table = _table(job)
        except ImportFileError as error:
            return _fail(job, error.message)
        ImportJob.objects.filter(pk=job.pk).update(rows_total=len(table.rows), rows_done=0)
        mark = registry_mark()  # before anything is read: a change during the check shows
        plan = _judge(job, table, lambda done: _record_progress(job.pk, done))
        problems = _problem_rows(plan)
        if problems:
            _plan_clear(job.pk)
        else:
            _plan_keep(job, mark, plan)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.CHECKED,
        rows_total=len(table.rows),
        rows_done=len(table.rows),
        to_create=plan.to_create if not problems else 0,
        to_update=plan.to_update if not problems else 0,
        problems_count=len(problems),
        problems=problems,
        checked_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def _record_progress(job_id: int, done: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(rows_done=done)


def _fail(job: ImportJob, message: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.FAILED, error=message[:500], finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


# --- a dry run's plan, reused by its commit when the registry has not changed ---------------


def registry_mark() -> list[int | None]:
    """Where the registry stands: the newest audit record, status event, location event and
    unit. Every write a check depends on (a unit's profile, place and status, its events
    and their corrections, the parks, the provinces' grants) goes through a service that
    writes an audit record, and new events and units take new keys: the same mark at the
    dry run and at the commit means nothing the dry run read has changed since. (Any other
    audited write changes it too: then the commit checks the file again, as it would
    without the mark.)"""
    return [
        model.objects.aggregate(last=Max("pk"))["last"]
        for model in (AuditRecord, StatusEvent, LocationEvent, Enterprise)
    ]


def _plan_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / PLAN_DIR / str(job_id)


def _signature(payload: bytes) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), payload, hashlib.sha256).digest()


def _plan_keep(job: ImportJob, mark: list[int | None], plan: Plan) -> None:
    """Keep a dry run's plan (rows without a problem) for the commit, signed: only what
    this server wrote is ever read back (``_plan_kept``)."""
    payload = pickle.dumps(
        {"mark": mark, "mapping": job.mapping, "file": job.file.name, "plan": plan},
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    path = _plan_path(job.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(_signature(payload) + payload)
    temporary.replace(path)


def _plan_kept(job: ImportJob) -> Plan | None:
    """The dry run's plan when the registry has not changed since (``registry_mark``) and
    the file and its columns are the ones it checked; None otherwise (check again)."""
    try:
        content = _plan_path(job.pk).read_bytes()
    except OSError:
        return None
    signature, payload = content[:32], content[32:]
    if not hmac.compare_digest(signature, _signature(payload)):
        return None
    try:
        kept = pickle.loads(payload)  # noqa: S301 - signed above: written by this server
    except Exception:  # written by an earlier release of the code: check the file again
        return None
    if not isinstance(kept, dict) or (kept.get("mapping"), kept.get("file")) != (
        job.mapping,
        job.file.name,
    ):
        return None
    if kept["mark"] != registry_mark():
        return None
    plan: Plan = kept["plan"]
    return plan


def _plan_clear(job_id: int) -> None:
    _plan_path(job_id).unlink(missing_ok=True)


# --- progress of a commit (outside its transaction) --------------------------------------


def _progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / PROGRESS_DIR / str(job_id)


def progress_write(job_id: int, done: int) -> None:
    path = _progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(str(done))
    temporary.replace(path)


def progress_read(job_id: int) -> int | None:
    try:
        return int(_progress_path(job_id).read_text())
    except (OSError, ValueError):
        return None


def _progress_clear(job_id: int) -> None:
    _progress_path(job_id).unlink(missing_ok=True)


@contextmanager
def _row_errors(number: int) -> Iterator[None]:
    try:
        yield
    except ValidationError as error:
        messages = (
            [m for ms in error.message_dict.values() for m in ms]
            if hasattr(error, "error_dict")
            else error.messages
        )
        raise RowRefused(number, " ".join(str(m) for m in messages)) from error


def _write_row(actor: Any, row: checks.RowPlan) -> str:
    """One row through the enterprises' services: "created" or "updated"."""
    assert row.province is not None
    with _row_errors(row.number):
        if row.existing is None:
            assert row.status_date is not None
            registry.enterprise_create(
                actor=actor,
                data=row.data,
                province=row.province,
                park=row.park,
                status=row.status,
                status_date=row.status_date,
                reason=row.reason,
            )
            return "created"
        unit = Enterprise.objects.get(pk=row.existing.pk)
        fields = tuple(k for k in row.data if k != "legal_id")
        if fields:
            unit = registry.enterprise_update(
                actor=actor, enterprise=unit, data=row.data, fields=fields
            )
        date = row.status_date or today()
        if (unit.province_id, unit.park_id) != (row.province.pk, row.park.pk if row.park else None):
            registry.enterprise_move(
                actor=actor,
                enterprise=unit,
                province=row.province,
                park=row.park,
                date=date,
                reason=row.reason,
            )
        if row.status and row.status != unit.status and row.status_date is not None:
            registry.enterprise_change_status(
                actor=actor,
                enterprise=unit,
                to_status=row.status,
                date=row.status_date,
                reason=row.reason,
            )
        return "updated"


@contextmanager
def _batch_errors(rows: list[checks.RowPlan]) -> Iterator[None]:
    """A batch service's refusal of its ``index``-th unit as the refusal of its row."""
    try:
        yield
    except registry.UnitRefused as refused:
        with _row_errors(rows[refused.index].number):
            raise refused.error from refused


def _prepare_batch(rows: list[checks.RowPlan]) -> registry.PreparedUnits:
    """The new units of a batch judged (``enterprises_prepare_batch``: no query)."""
    new = [row for row in rows if row.existing is None]
    with _batch_errors(new):
        return registry.enterprises_prepare_batch(
            [
                registry.NewUnit(
                    data=row.data,
                    province=row.province,  # type: ignore[arg-type]  # judged by the check
                    park=row.park,
                    status=row.status,
                    status_date=row.status_date,  # type: ignore[arg-type]
                    reason=row.reason,
                )
                for row in new
            ],
            # Every value was judged by the dry run's checks (``imports.checks``).
            judged=True,
        )


def _write_prepared(
    actor: Any, rows: list[checks.RowPlan], prepared: registry.PreparedUnits
) -> dict[str, int]:
    """A batch of rows written: its new units (prepared) together through
    ``enterprises_create_batch``, its known ones together through
    ``enterprises_update_batch``."""
    new = [row for row in rows if row.existing is None]
    known = [row for row in rows if row.existing is not None]
    with _batch_errors(new):
        registry.enterprises_create_batch(actor=actor, prepared=prepared)
    with _batch_errors(known):
        registry.enterprises_update_batch(
            actor=actor,
            updates=[
                registry.UnitUpdate(
                    enterprise_id=row.existing.pk,  # type: ignore[union-attr]
                    data={k: v for k, v in row.data.items() if k != "legal_id"},
                    province=row.province,  # type: ignore[arg-type]
                    park=row.park,
                    status=row.status,
                    date=row.status_date,
                    reason=row.reason,
                )
                for row in known
            ],
        )
    return {"created": len(new), "updated": len(known)}


def _write_batch(actor: Any, rows: list[checks.RowPlan]) -> dict[str, int]:
    """A batch of rows prepared and written."""
    return _write_prepared(actor, rows, _prepare_batch(rows))


class _WriterFailed(Exception):
    """The writer stopped on an error (raised by ``_Writer.__exit__``)."""


class _Writer:
    """The writes of the batches, in order, on the caller's connection and inside its
    transaction — on PostgreSQL in a second thread, so that the caller prepares batch N+1
    (Python's work: judging and building the units, their audit records) while the
    database writes batch N (its indexes): two cores working at once instead of each
    waiting for the other. The caller sends no query while the writer runs (refused:
    ``_only_the_writer``); a write's error stops the writer and is raised by ``__exit__``
    once it has stopped, before the caller's transaction rolls back. Elsewhere (SQLite:
    one writer at a time anyway) each write runs as it is put."""

    def __init__(self) -> None:
        self.threaded = connection.vendor == "postgresql"
        self.error: BaseException | None = None
        self.work: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=1)

    def __enter__(self) -> _Writer:
        if self.threaded:
            self.shared = connections[DEFAULT_DB_ALIAS]
            self.shared.inc_thread_sharing()
            self.switch = sys.getswitchinterval()
            # The writer waits on the database most of the time: when an answer comes it
            # should not wait the default 5 ms for the preparing thread to yield.
            sys.setswitchinterval(0.0005)
            self.thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
            self.guard = self.shared.execute_wrapper(self._only_the_writer)
            self.guard.__enter__()
            self.thread.start()
        return self

    def put(self, write: Callable[[], None]) -> None:
        if not self.threaded:
            write()
            return
        if self.error is not None:
            raise _WriterFailed
        self.work.put(write)

    def _only_the_writer(
        self, execute: Any, sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if threading.current_thread() is not self.thread:
            raise RuntimeError("A query from another thread while the import's writer writes.")
        return execute(sql, params, many, context)

    def _run(self) -> None:
        connections[DEFAULT_DB_ALIAS] = self.shared
        try:
            while (write := self.work.get()) is not None:
                if self.error is None:
                    try:
                        write()
                    except BaseException as error:  # raised in the caller's thread
                        self.error = error
        finally:
            del connections[DEFAULT_DB_ALIAS]

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if self.threaded:
            self.work.put(None)  # the writer takes every write, even after an error
            self.thread.join()
            self.guard.__exit__(None, None, None)
            sys.setswitchinterval(self.switch)
            self.shared.dec_thread_sharing()
        if self.error is not None:
            # The writer's batch came before the one the caller was preparing.
            raise self.error from (exc if not isinstance(exc, _WriterFailed) else None)


def _write_rows(actor: Any, job_id: int, plan: Plan, one_by_one: bool) -> dict[str, int]:
    """Every row of ``plan``: parks one by one through the parks' services (a file holds
    a few hundred at most), units in batches of ``BATCH`` (or one by one), the progress
    written after each batch."""
    counts = {"created": 0, "updated": 0}
    total = len(plan.rows)

    def done(start: int) -> None:
        progress_write(job_id, min(start + BATCH, total))

    if isinstance(plan, parks.ParkPlan) or one_by_one:
        for start in range(0, total, BATCH):
            for row in plan.rows[start : start + BATCH]:
                if isinstance(row, parks.ParkRowPlan):
                    with _row_errors(row.number):
                        counts[parks.write_park(actor, row)] += 1
                else:
                    counts[_write_row(actor, row)] += 1
            done(start)
        return counts
    with _Writer() as writer:
        for start in range(0, total, BATCH):
            rows = plan.rows[start : start + BATCH]
            prepared = _prepare_batch(rows)

            def write(rows: list[Any] = rows, prepared: Any = prepared, start: int = start) -> None:
                _write_prepared(actor, rows, prepared)
                done(start)

            writer.put(write)
            counts["created"] += len(prepared.enterprises)
            counts["updated"] += len(rows) - len(prepared.enterprises)
    return counts


def import_commit(job_id: int, *, one_by_one: bool = False) -> ImportJob:
    """Check again, then write every row or none (see the module's docstring).
    ``one_by_one``: every row through the single-unit services (the comparison of the
    tests and the benchmark), not the new units of a batch together."""
    with _few_collections():
        return _commit(job_id, one_by_one)


def _commit(job_id: int, one_by_one: bool) -> ImportJob:
    job = ImportJob.objects.select_related("owner", "province").get(pk=job_id)
    actor = job.owner
    with translation.override(job.language):
        plan = _plan_kept(job)
        if plan is None:
            try:
                table = _table(job)
            except ImportFileError as error:
                return _fail(job, error.message)
            plan = _judge(job, table)
        problems = _problem_rows(plan)
        if problems:
            # The registry changed since the dry run: show the new problems, write nothing.
            ImportJob.objects.filter(pk=job.pk).update(
                state=ImportJob.State.CHECKED,
                problems_count=len(problems),
                problems=problems,
                to_create=0,
                to_update=0,
                checked_at=timezone.now(),
            )
            job.refresh_from_db()
            return job
        counts = {"created": 0, "updated": 0}
        progress_write(job.pk, 0)
        try:
            with transaction.atomic():
                counts = _write_rows(actor, job.pk, plan, one_by_one)
                audit_record(
                    actor=actor,
                    action="import",
                    target=job,
                    changes={
                        "created": [None, counts["created"]],
                        "updated": [None, counts["updated"]],
                    },
                    note=job.filename,
                )
                # Done in the same transaction as the rows: a worker lost after the
                # commit never leaves written rows behind a job still "being imported".
                ImportJob.objects.filter(pk=job.pk).update(
                    state=ImportJob.State.DONE,
                    rows_done=len(plan.rows),
                    created=counts["created"],
                    updated=counts["updated"],
                    finished_at=timezone.now(),
                )
        except RowRefused as refused:
            message = _("Row %(row)s: %(message)s Nothing was imported.") % {
                "row": refused.number,
                "message": refused.message,
            }
            return _fail(job, message)
        except Exception:
            _fail(job, _("The import stopped on an unexpected error; nothing was imported."))
            raise
        finally:
            _progress_clear(job.pk)
            _plan_clear(job.pk)
    job.refresh_from_db()
    return job


def prune_imports(now: Any = None) -> int:
    """Delete the files of imports started more than ``settings.PISHRAN_IMPORT_KEEP_DAYS``
    ago (they hold phone numbers and addresses); the jobs stay, with their counts and
    audit, without the file or its problems. Returns the files deleted. Run at the end
    of every check and commit."""
    import datetime as dt

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.PISHRAN_IMPORT_KEEP_DAYS)
    deleted = 0
    for job in (
        ImportJob.objects.filter(created_at__lt=cutoff)
        .exclude(file="")
        .exclude(state__in=[ImportJob.State.CHECKING, ImportJob.State.COMMITTING])
    ):
        job.file.delete(save=False)
        _plan_clear(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(file="", problems=[])
        deleted += 1
    return deleted
