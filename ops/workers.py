"""What happens to a job whose worker died.

django_tasks_db marks a job RUNNING when a worker claims it and only a live worker ever
moves it on (to SUCCESSFUL or FAILED); a worker killed with SIGKILL, or a machine that
lost power, leaves the job RUNNING forever and nobody is told. Pishran's workers are started
with ``manage.py worker`` (a thin wrapper around ``db_worker``) whose worker id is
``<host>:<pid>``. Before it takes any job, a starting worker:

1. marks FAILED (``ops.workers.WorkerLost``, shown in the admin and by ``/health/``) every
   RUNNING job claimed by a worker on this host whose process is gone, and with
   ``--stale-after`` also jobs of any host that have run longer than that;
2. enqueues the same job again when its task is listed in ``settings.TASKS_RETRY_ON_WORKER_LOSS``
   (tasks that are safe to run twice, such as the backup: an interrupted backup leaves only a
   ``.partial`` file), so the work resumes from the start with a new worker.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class WorkerLost(Exception):
    """The worker running this job stopped (killed, crashed, machine lost) before it ended."""


@dataclass(frozen=True)
class Orphan:
    id: str
    task_path: str
    worker_id: str
    retried_as: str | None


def this_worker_id() -> str:
    return f"{socket.gethostname()[:50]}:{os.getpid()}"


def _worker_alive(worker_id: str, host: str) -> bool:
    """True unless the id names a process on this host that no longer runs a worker."""
    worker_host, _, pid_text = worker_id.rpartition(":")
    if worker_host != host or not pid_text.isdigit():
        return True  # another host's worker, or not started by `manage.py worker`
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # a pid reused by this new worker: the old one is gone
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"worker" in fh.read()
    except OSError:
        return False


def fail_orphaned_tasks(*, stale_after: timedelta | None = None) -> list[Orphan]:
    host = socket.gethostname()[:50]
    stale_before = timezone.now() - stale_after if stale_after else None
    orphans: list[Orphan] = []
    retry = set(getattr(settings, "TASKS_RETRY_ON_WORKER_LOSS", ()))
    with transaction.atomic():
        for job in DBTaskResult.objects.running().select_for_update(skip_locked=True):
            last = job.worker_ids[-1] if job.worker_ids else ""
            stale = bool(stale_before and job.started_at and job.started_at < stale_before)
            if _worker_alive(last, host) and not stale:
                continue
            job.set_failed(WorkerLost(f"worker {last} stopped while running this job"))
            retried = None
            if job.task_path in retry:
                result = job.task.enqueue(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
                retried = str(result.id)
            orphans.append(Orphan(str(job.id), job.task_path, last, retried))
    return orphans
