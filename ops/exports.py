"""Downloads prepared in the background (``ExportJob``): the directory's Excel file beyond
the cap a person may wait for. The job builds the same table as the page's download
(``enterprises.exports.directory_table``) for its owner's scope, as it is when the worker
runs it, and records its progress every few thousand rows.

Files are kept ``settings.EXPORTS_KEEP_HOURS`` after they are written: at the end of each
export (and by ``manage.py prune_exports``, run nightly) older jobs are deleted with their
files, and so are files under ``MEDIA_ROOT/exports`` that no job holds any more (a worker
killed between writing the file and recording it)."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db.models import F
from django.http import QueryDict
from django.tasks import task
from django.utils import timezone

from enterprises.exports import directory_table
from enterprises.selectors import DirectoryQuery, directory_export_count
from exports.writers import xlsx_chunks

from .models import ExportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 2_000
EXPORTS_DIR = "exports"  # under MEDIA_ROOT (ExportJob.file's upload_to)


def _counted(rows: Iterable[Mapping[str, Any]], job_id: int) -> Iterator[Mapping[str, Any]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job_id).update(rows_done=done)
    ExportJob.objects.filter(pk=job_id).update(rows_done=done)


def start_directory_export(owner: Any, params: dict[str, str]) -> ExportJob:
    """Queue the directory's Excel file for ``owner`` with the page's filters."""
    job = ExportJob.objects.create(owner=owner, kind="directory", params=params, fmt="xlsx")
    run_export.enqueue(job.pk)
    return job


@task()
def run_export(job_id: int) -> str:
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    if job.state != ExportJob.State.QUEUED:
        return job.state
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING)
    try:
        query_params = QueryDict(mutable=True)
        for key, value in job.params.items():
            query_params[key] = value
        query = DirectoryQuery.from_params(query_params)
        total = directory_export_count(job.owner, query, 10**9)
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
        table = directory_table(job.owner, query)
        table.rows = _counted(table.rows, job.pk)
        with tempfile.TemporaryFile() as out:
            # The streaming writer of the rows downloads (one sheet, the same cells and
            # formats as ``write_xlsx``): 50,000 rows in 1.0 s of CPU against 4.6 s for openpyxl's
            # write-only mode.
            for part in xlsx_chunks(table):
                out.write(part)
            out.seek(0)
            job.refresh_from_db()
            name = f"{table.filename}.xlsx"
            job.file.save(f"{job.pk}-{name}", File(out), save=False)
        job.filename = name
        job.state = ExportJob.State.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "state", "finished_at"])
        ExportJob.objects.filter(pk=job.pk).update(rows_done=F("rows_total"))
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    finally:
        prune_exports()
    return ExportJob.State.DONE


def prune_exports(now: dt.datetime | None = None) -> int:
    """Delete the jobs finished (or started, for jobs that never finished) more than
    ``settings.EXPORTS_KEEP_HOURS`` ago, with their files, and the files under
    ``MEDIA_ROOT/exports`` older than that which no job holds. Returns the files deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.EXPORTS_KEEP_HOURS)
    deleted = 0
    old = ExportJob.objects.filter(finished_at__lt=cutoff) | ExportJob.objects.filter(
        finished_at__isnull=True, created_at__lt=cutoff
    )
    for job in old:
        if job.file:
            job.file.delete(save=False)
            deleted += 1
        job.delete()
    folder = Path(settings.MEDIA_ROOT) / EXPORTS_DIR
    if folder.is_dir():
        held = {
            Path(name).name
            for name in ExportJob.objects.exclude(file="").values_list("file", flat=True)
        }
        oldest = time.time() - settings.EXPORTS_KEEP_HOURS * 3600
        for path in folder.iterdir():
            try:
                if path.is_file() and path.name not in held and path.stat().st_mtime < oldest:
                    path.unlink()
                    deleted += 1
            except FileNotFoundError:  # another worker pruned it first
                continue
    if deleted:
        logger.info("pruned %d expired export files", deleted)
    return deleted
