import time
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from indicators import casefacts, facts


class Command(BaseCommand):
    help = "Rebuild every indicator fact from the registry's and the cases' dated history."

    def handle(self, *args: Any, **options: Any) -> None:
        facts.mark_abandoned_runs()
        bar = tqdm(total=len(facts._STEPS), unit=" step", disable=options["verbosity"] == 0)

        def progress(step: str, done: int, total: int) -> None:
            bar.set_description(step)
            bar.n = done
            bar.refresh()

        run = facts.rebuild(progress)
        bar.close()
        took = (run.finished_at - run.started_at).total_seconds()  # type: ignore[operator]
        self.stdout.write(f"facts rebuilt: {run.rows} rows in {took:.1f} s (run {run.pk})")
        started = time.monotonic()
        rows = casefacts.rebuild()
        took = time.monotonic() - started
        self.stdout.write(f"cases' facts rebuilt: {rows} rows in {took:.1f} s")
