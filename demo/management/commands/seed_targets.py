"""Set DEMO targets for this Jalali year (after ``rebuild_facts``: they project this year's pace)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.targets import AMBITION, seed_targets
from indicators.models import TARGET_YEARS, Fact, Target
from persian.jalali import today, year_of


class Command(BaseCommand):
    help = (
        "Set DEMO targets for a Jalali year (default: this one) for "
        + ", ".join(AMBITION)
        + ": each province's pace so far this year, projected to "
        "the whole year and raised, the country's target being their sum. Audited. Safe "
        "to run again: when the year has targets it changes nothing; --force sets them again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=0, help="Jalali year, e.g. 1404")
        parser.add_argument(
            "--past",
            type=int,
            default=0,
            help="also set the demo targets of this many years before it (the targets page "
            "then shows past years with what was reached and the gap)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="set the demo targets even when the year has targets",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or year_of(today())
        past = options["past"]
        if not TARGET_YEARS[0] <= year - max(past, 0) <= year <= TARGET_YEARS[1]:
            raise CommandError(f"--year: not a Jalali year: {year}")
        if not 0 <= past <= 20:
            raise CommandError(f"--past: between 0 and 20 years, not {past}")
        if not Fact.objects.exists():
            raise CommandError("The facts are empty: run `manage.py rebuild_facts` first.")
        for each in range(year - past, year + 1):
            existing = Target.objects.filter(year=each).count()
            if existing and not options["force"]:
                self.stdout.write(
                    f"{existing} targets exist for {each}: nothing changed (--force to set them "
                    "again)."
                )
                continue
            self.stdout.write(f"targets set for {each}: {seed_targets(each)}")
