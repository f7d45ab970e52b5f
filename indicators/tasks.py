"""Background refreshes. ``rebuild_facts_task`` builds in temporary tables and swaps in
one transaction: a worker killed mid-way leaves the facts unchanged, and the next rebuild
(this task run again by ``manage.py worker``, see ``TASKS_RETRY_ON_WORKER_LOSS``, or
``rebuild_facts``) marks the abandoned ``RefreshRun`` as failed with the reason."""

from __future__ import annotations

from django.tasks import task

from audit.events import ReferenceRowSaved

from . import facts


@task()
def rebuild_facts_task() -> int:
    return facts.rebuild().pk


def stalled_months_changed(event: ReferenceRowSaved) -> None:
    """The agency set another number of months for semi-finished projects (an indicator
    saved in the back office, subscribed after its commit): the facts carry the old number
    in every project's stall month, so they are rebuilt in the background (until the
    rebuild is swapped in, the figures of semi-finished projects are those of the old
    number; the rows pages use the new one at once)."""
    if event.model == "indicators.indicator" and "stalled_months" in event.changed:
        rebuild_facts_task.enqueue()
