from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from ops.workers import fail_orphaned_tasks, this_worker_id


class Command(DbWorkerCommand):
    help = (
        "Run a background worker (django_tasks_db's db_worker) after reporting the jobs of "
        "workers that died as failed and re-enqueueing those safe to run again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:  # type: ignore[override]
        super().add_arguments(parser)
        parser.set_defaults(worker_id=this_worker_id())
        parser.add_argument(
            "--stale-after",
            type=int,
            default=0,
            help="also fail jobs of any host running longer than this many seconds (0: off)",
        )

    def handle(self, *args: Any, stale_after: int = 0, **options: Any) -> None:  # type: ignore[override]
        for orphan in fail_orphaned_tasks(
            stale_after=timedelta(seconds=stale_after) if stale_after else None
        ):
            again = f", enqueued again as {orphan.retried_as}" if orphan.retried_as else ""
            self.stderr.write(
                f"job {orphan.id} ({orphan.task_path}) lost its worker {orphan.worker_id}: "
                f"marked failed{again}"
            )
        super().handle(*args, **options)
