from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opendata import snapshots


class Command(BaseCommand):
    help = (
        "Build the open data's snapshots (/open/): the published units, the parks and the "
        "public figures as CSV, XLSX and JSON with a manifest; the previous snapshot is "
        "served until the new one is complete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="run it on the background worker instead"
        )

    def handle(self, *args: Any, enqueue: bool, **options: Any) -> None:
        if enqueue:
            from opendata.tasks import build_open_data_task

            result = build_open_data_task.enqueue()
            self.stdout.write(f"enqueued open data build {result.id}")
            return
        manifest = snapshots.build()
        rows = ", ".join(f"{key} {d['rows']} rows" for key, d in manifest["datasets"].items())
        self.stdout.write(f"open data as of {manifest['as_of']} ({manifest['build']}): {rows}")
