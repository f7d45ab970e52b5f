"""Delete the downloads written in the background that are past their keeping time."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from ops.exports import prune_exports


class Command(BaseCommand):
    help = (
        "Delete background downloads (and their jobs) older than PISHRAN_EXPORTS_KEEP_HOURS, "
        "and files under MEDIA_ROOT/exports that no job holds (run nightly)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune_exports()
        self.stdout.write(
            f"{deleted} export files older than {settings.EXPORTS_KEEP_HOURS} h deleted"
        )
