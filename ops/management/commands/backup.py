from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops import backup


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files (MEDIA_ROOT) into one dated archive "
        "with a manifest of row counts and checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to", dest="destination", default="", help="directory (default: BACKUP_DIR)"
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="run it on the background worker instead"
        )

    def handle(self, *args: Any, destination: str, enqueue: bool, **options: Any) -> None:
        if enqueue:
            from ops.tasks import backup_task

            result = backup_task.enqueue(destination)
            self.stdout.write(f"enqueued backup task {result.id}")
            return
        try:
            archive = backup.backup(Path(destination or settings.BACKUP_DIR))
            manifest = backup.read_manifest(archive)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not backup.is_encrypted(archive):
            self.stderr.write(
                "warning: PISHRAN_BACKUP_KEY is not set: the archive is NOT encrypted "
                "(it holds national IDs and phone numbers)"
            )
        rows = sum(int(t["rows"]) for t in manifest["tables"].values())
        self.stdout.write(
            f"{archive}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['media'])} files, {archive.stat().st_size} bytes"
        )
