from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from ops import backup


class Command(BaseCommand):
    help = (
        "Check a backup archive whole (readable, manifest, every file's checksum, the "
        "database file), then restore it into a fresh (empty) database and an empty media "
        "directory and verify every table and file against the manifest. An encrypted "
        "archive needs PISHRAN_BACKUP_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--database-url", default="", help="target database (default: DATABASE_URL)"
        )
        parser.add_argument(
            "--media-dir",
            type=Path,
            default=None,
            help="target media directory (default: MEDIA_ROOT)",
        )

    def handle(self, *args: Any, archive: Path, database_url: str, media_dir: Path | None,
               **options: Any) -> None:  # fmt: skip
        database = (
            dict(dj_database_url.parse(database_url)) if database_url
            else dict(connections["default"].settings_dict)
        )  # fmt: skip
        try:
            mismatches = backup.restore(
                archive, database=database, media_root=media_dir or Path(settings.MEDIA_ROOT)
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if mismatches:
            for m in mismatches:
                self.stderr.write(f"{m.what}: expected {m.expected}, found {m.found}")
            raise CommandError(f"restored, but {len(mismatches)} tables or files differ")
        try:
            manifest = backup.read_manifest(archive)
        except backup.BackupError as exc:  # read whole a moment ago: only if it changed since
            raise CommandError(str(exc)) from exc
        rows = sum(int(t["rows"]) for t in manifest["tables"].values())
        self.stdout.write(
            f"restored and verified: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['media'])} files identical to the manifest"
        )
