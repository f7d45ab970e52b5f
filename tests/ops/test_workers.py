"""A job whose worker died (SIGKILL, crash, lost machine): django_tasks_db leaves it RUNNING
for ever; ``manage.py worker`` reports it failed on start and enqueues it again when it is
safe to run twice (``settings.TASKS_RETRY_ON_WORKER_LOSS``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ops.tasks import backup_task
from ops.workers import fail_orphaned_tasks, this_worker_id

HOST = socket.gethostname()[:50]


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _claimed_by(worker_id: str) -> DBTaskResult:
    job = DBTaskResult.objects.get(pk=backup_task.enqueue("/tmp/x").id)
    job.claim(worker_id)
    return job


def test_a_job_whose_worker_process_is_gone_is_failed_and_enqueued_again(db) -> None:
    job = _claimed_by(f"{HOST}:{_dead_pid()}")

    [orphan] = fail_orphaned_tasks()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == "ops.workers.WorkerLost"
    again = DBTaskResult.objects.get(pk=orphan.retried_as)
    assert again.status == TaskResultStatus.READY
    assert again.task_path == "ops.tasks.backup_task"
    assert again.args_kwargs["args"] == ["/tmp/x"]


def test_a_job_that_is_not_safe_to_repeat_is_only_reported(db, settings) -> None:
    settings.TASKS_RETRY_ON_WORKER_LOSS = []
    job = _claimed_by(f"{HOST}:{_dead_pid()}")

    [orphan] = fail_orphaned_tasks()

    assert orphan.retried_as is None
    assert DBTaskResult.objects.get(pk=job.pk).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.ready().count() == 0


def _wait_until_running(pid: int) -> None:
    """Until the child has replaced the forked test process (before that, its command
    line is still the test runner's, with no "worker" in it)."""
    import time
    from pathlib import Path

    deadline = time.monotonic() + 10
    while b"worker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
        assert time.monotonic() < deadline, "the child process did not start"
        time.sleep(0.01)


def test_jobs_of_live_workers_and_of_other_hosts_are_left_running(db) -> None:
    mine = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "worker"])
    _wait_until_running(mine.pid)
    try:
        live = _claimed_by(f"{HOST}:{mine.pid}")
        elsewhere = _claimed_by("another-host:4242")

        assert fail_orphaned_tasks() == []
    finally:
        mine.kill()
        mine.wait()
    assert DBTaskResult.objects.get(pk=live.pk).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(pk=elsewhere.pk).status == TaskResultStatus.RUNNING


def test_stale_after_fails_jobs_of_any_host_that_ran_too_long(db) -> None:
    job = _claimed_by("another-host:4242")
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=3))

    [orphan] = fail_orphaned_tasks(stale_after=timedelta(hours=2))

    assert orphan.id == str(job.pk)


def test_the_worker_id_names_this_host_and_process() -> None:
    assert this_worker_id() == f"{HOST}:{os.getpid()}"


@pytest.mark.parametrize("worker_id", ["", "random0123456789abcdef"])
def test_jobs_of_workers_started_without_a_host_id_are_left_alone(db, worker_id) -> None:
    job = _claimed_by(worker_id)

    assert fail_orphaned_tasks() == []
    assert DBTaskResult.objects.get(pk=job.pk).status == TaskResultStatus.RUNNING
