"""Enqueue the daily e-mail digest of overdue cluster items (run by cron/systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clusters.tasks import send_overdue_digests


class Command(BaseCommand):
    help = (
        "Enqueue the task that e-mails each cluster agent and provincial officer their "
        "overdue visits, reports and joint actions (run daily from cron or a systemd "
        "timer; a worker `manage.py db_worker` sends them). --now sends at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="send now, without the queue")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            sent = send_overdue_digests.call()
            self.stdout.write(f"{sent} digests sent.")
            return
        result = send_overdue_digests.enqueue()
        self.stdout.write(f"Digest task enqueued: {result.id}")
