"""Background refreshes. ``rebuild_facts_task`` builds in temporary tables and swaps in
one transaction: a worker killed mid-way leaves the facts unchanged, and the next rebuild
(this task run again by ``manage.py worker``, see ``TASKS_RETRY_ON_WORKER_LOSS``, or
``rebuild_facts``) marks the abandoned ``RefreshRun`` as failed with the reason."""

from __future__ import annotations

from django.tasks import task

from . import facts


@task()
def rebuild_facts_task() -> int:
    return facts.rebuild().pk
