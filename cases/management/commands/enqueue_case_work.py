"""Enqueue the daily work of the cases: each type's checks, then the e-mail digests of late
cases (run by cron or a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases.tasks import daily_case_work


class Command(BaseCommand):
    help = (
        "Enqueue the cases' daily work: each case type's checks (a clinic's revivals at 3, "
        "6 and 12 months) and the e-mail digest of late cases to each assignee and "
        "provincial officer (run daily; a worker `manage.py db_worker` does it). --now "
        "does it at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="do it now, without the queue")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            done = daily_case_work.call()
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in done.items()))
            return
        result = daily_case_work.enqueue()
        self.stdout.write(f"Daily case work enqueued: {result.id}")
