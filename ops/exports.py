"""Downloads prepared in the background (``ExportJob``): the directory's Excel file beyond
the cap a person may wait for. The job builds the same table as the page's download
(``enterprises.exports.directory_table``) for its owner's scope, as it is when the worker
runs it, and records its progress every few thousand rows."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.core.files import File
from django.db.models import F
from django.http import QueryDict
from django.tasks import task
from django.utils import timezone

from enterprises.exports import directory_table
from enterprises.selectors import DirectoryQuery, directory_export_count
from exports.writers import write_xlsx

from .models import ExportJob

PROGRESS_EVERY = 2_000


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
            write_xlsx([table], out)
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
    return ExportJob.State.DONE
