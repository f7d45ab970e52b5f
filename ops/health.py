"""The checks behind ``/health/``: each returns its figures or raises; no secrets in them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ops.workers import WorkerLost

Check = Callable[[], dict[str, Any]]


def database() -> dict[str, Any]:
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor, "ms": round((time.monotonic() - started) * 1000, 1)}


def task_queue() -> dict[str, Any]:
    """The job table answers; how many jobs wait, how long the oldest ready one has waited,
    how many run, and how many were lost with their worker (``ops.workers``)."""
    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
    lost = WorkerLost.__module__ + "." + WorkerLost.__qualname__
    return {
        "ready": ready.count(),
        "oldest_ready_seconds": round((now - oldest).total_seconds()) if oldest else 0,
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "lost_with_worker": DBTaskResult.objects.failed().filter(exception_class_path=lost).count(),
    }


def cache() -> dict[str, Any]:
    """Redis, when REDIS_URL is set (the shared cache and session store)."""
    from django.core.cache import caches

    backend = caches["default"]
    started = time.monotonic()
    if ping := getattr(backend, "ping", None):  # pishran.cache: its reads forgive an outage
        ping()
    backend.set("health:probe", "1", 5)
    if backend.get("health:probe") != "1":
        raise RuntimeError("the cache did not return what was written")
    return {"ms": round((time.monotonic() - started) * 1000, 1)}


def checks() -> dict[str, Check]:
    found: dict[str, Check] = {"database": database, "tasks": task_queue}
    if settings.REDIS_URL:
        found["cache"] = cache
    return found


def run() -> tuple[bool, dict[str, dict[str, Any]]]:
    results: dict[str, dict[str, Any]] = {}
    healthy = True
    for name, check in checks().items():
        try:
            results[name] = {"status": "ok", **check()}
        except Exception as exc:  # a failing dependency is the answer, not a crash
            healthy = False
            # The exception's class only: messages can carry hosts, users or paths.
            results[name] = {"status": "error", "error": type(exc).__name__}
            if name == "database":
                break  # the queue lives in the same database
    return healthy, results
