"""The open data's scheduled rebuild, run by the background worker (``manage.py worker``):
the nightly timer enqueues it (``manage.py build_open_data --enqueue``, docs/deploy.md)."""

from __future__ import annotations

from django.tasks import task

from . import snapshots


@task()
def build_open_data_task() -> dict[str, object]:
    """A new snapshot, made current once complete. Safe to run twice (a worker killed
    half-way leaves the previous snapshot served; ``TASKS_RETRY_ON_WORKER_LOSS``)."""
    manifest = snapshots.build()
    return {
        "build": manifest["build"],
        "as_of": manifest["as_of"],
        "rows": {key: d["rows"] for key, d in manifest["datasets"].items()},
    }
