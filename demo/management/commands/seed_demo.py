"""Build the synthetic demo registry: parks and zones, enterprises and their histories."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from tqdm import tqdm

from demo.registry import build as demo_build
from demo.registry.generator import MAX_UNITS, DemoGenerator, default_until, jalali_text
from demo.seeded import NotDemoData
from enterprises.models import Enterprise, LocationEvent, MeasureEvent, StatusEvent
from persian.jalali import JalaliDateError, parse, today
from pishran.db import one_at_a_time


class Command(BaseCommand):
    help = (
        "Build the DEMO registry: about 1,000 parks and zones (the named real parks keep "
        "their names; the others are synthetic) and N synthetic enterprises with dated "
        "status and location histories over Jalali 1395-1404. Everything it writes is demo "
        "data: invented names, identifiers and histories whose shares follow the reference "
        "statistics. Rows are written in bulk (COPY on PostgreSQL) without audit records, and "
        "the first event of every demo unit says 'داده نمایشی' (demo data). Deterministic for "
        "a seed. Safe to run again: when enterprises exist it reports that and changes "
        "nothing; --force deletes every enterprise with its history and the synthetic parks "
        "(never the named real parks) and builds afresh, but only when every row it would "
        "delete was made by a demo seeder: otherwise it stops and deletes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--units", type=int, default=60_000, help="enterprises (default 60000)")
        parser.add_argument("--seed", type=int, default=1404, help="random seed (default 1404)")
        parser.add_argument(
            "--until",
            default="",
            help="last date of the histories, Jalali YYYY/MM/DD (default: the last day of 1404)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "delete all enterprises, their events and the synthetic parks first "
                "(demo data only)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        units, seed, force = options["units"], options["seed"], options["force"]
        verbosity = options["verbosity"]
        if not 0 <= units <= MAX_UNITS:
            raise CommandError(f"--units must be between 0 and {MAX_UNITS:,}.")
        until = default_until()
        if options["until"]:
            try:
                until = parse(options["until"])
            except JalaliDateError as exc:
                raise CommandError(f"--until: not a Jalali date: {options['until']}") from exc
        until = min(until, today())
        problem = demo_build.reference_problem()
        if problem:
            raise CommandError(problem)

        def log(message: str) -> None:
            if verbosity >= 2:
                self.stderr.write(message)

        def progress_factory(**kwargs: Any) -> tqdm:
            return tqdm(
                file=sys.stderr,
                disable=verbosity < 1,
                mininterval=0.5,
                dynamic_ncols=True,
                **kwargs,
            )

        with one_at_a_time(
            "pishran.seed_demo", CommandError("Another seed_demo is running on this database.")
        ):
            if demo_build.finish_interrupted_build(log=log, progress_factory=progress_factory):
                self.stdout.write(
                    "A previous demo build had stopped before rebuilding its indexes; "
                    "they are rebuilt now."
                )
            if not force and Enterprise.objects.exists():
                count = Enterprise.objects.count()
                if demo_build.demo_present():
                    self.stdout.write(
                        f"Demo data is present ({count:,} enterprises); nothing to do. "
                        "Use --force to rebuild it."
                    )
                else:
                    self.stdout.write(
                        self.style.WARNING(
                            f"The registry already holds {count:,} enterprises that are not "
                            "demo data; no demo data added. Use --force to replace them with "
                            "demo data."
                        )
                    )
                return
            try:
                gen = DemoGenerator(units=units, seed=seed, until=until)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            log(
                f"Building demo data on {connection.vendor}: {units:,} units, seed {seed}, "
                f"histories 1395/01/01–{jalali_text(until)}"
            )
            if not gen.fast_search_text:
                log("  search_text: the model helper is called for every row (slower)")
            try:
                report = demo_build.build(
                    gen, force=force, log=log, progress_factory=progress_factory
                )
            except NotDemoData as exc:
                raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        counts = report.counts
        n_ent = counts.get(Enterprise._meta.db_table, 0)
        n_sev = counts.get(StatusEvent._meta.db_table, 0)
        n_lev = counts.get(LocationEvent._meta.db_table, 0)
        n_mev = counts.get(MeasureEvent._meta.db_table, 0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data built in {elapsed:.1f} s: {report.parks_total:,} parks and zones "
                f"({report.parks_created:,} new), {n_ent:,} enterprises, {n_sev:,} status "
                f"events, {n_lev:,} location events, {n_mev:,} employees and progress events."
            )
        )
        if verbosity >= 2:
            for name, seconds in report.timings.items():
                self.stdout.write(f"  {name:<32} {seconds:7.1f} s")
        if force and (report.enterprises_deleted or report.parks_deleted):
            self.stdout.write(
                f"Replaced: {report.enterprises_deleted:,} enterprises and "
                f"{report.parks_deleted:,} synthetic parks deleted first."
            )
