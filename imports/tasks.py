"""The dry run and the commit of an import, run by the background worker."""

from __future__ import annotations

from django.tasks import task

from . import services
from .models import ImportJob


@task()
def check_task(job_id: int) -> str:
    try:
        return services.import_check(job_id).state
    finally:
        services.prune_imports()


@task()
def commit_task(job_id: int) -> str:
    job = ImportJob.objects.get(pk=job_id)
    if job.state != ImportJob.State.COMMITTING:
        return job.state
    try:
        return services.import_commit(job_id).state
    finally:
        services.prune_imports()
