"""Background jobs of the operations app (Django's tasks API, run by ``manage.py worker``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.tasks import task

from ops import backup


@task()
def backup_task(destination: str = "") -> dict[str, object]:
    """A backup run by the worker (the nightly timer enqueues it, see docs/deploy.md).
    A worker killed in the middle leaves only a ``.partial`` file; the job is then reported
    failed by the next worker to start (``ops.workers``)."""
    archive = backup.backup(Path(destination or settings.BACKUP_DIR))
    manifest = backup.read_manifest(archive)
    return {"archive": str(archive), "tables": len(manifest["tables"]),
            "files": len(manifest["media"])}  # fmt: skip
