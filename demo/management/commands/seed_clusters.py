"""Build the demo cluster programme (after ``seed_demo``: members come from its registry)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from audit.models import AuditRecord
from clusters.models import Cluster
from clusters.selectors import programme_counts
from demo import seeded
from demo.clusters import ClusterDemo
from demo.registry.generator import default_until
from persian.jalali import format_date
from places.models import Province


class Command(BaseCommand):
    help = (
        "Build the DEMO cluster programme: the named clusters of places/data/"
        "clusters_sample.csv plus synthetic ones up to about 480 identified, 130 in "
        "development and 90 completed, with dated stage histories, agents (users with the "
        "cluster_agent role; 'agent' in Qom and 'agent2' in Tehran get passwords from "
        "demo_accounts), action plans, visits and members from the demo registry. Written "
        "through the services, so audited. Deterministic for a seed and --until. Safe to "
        "run again: when clusters exist it reports that and changes nothing; --force "
        "deletes every cluster and its audit records first, but only when every row it "
        "would delete was made by a demo seeder: otherwise it stops and deletes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1404)
        parser.add_argument("--until", default="", help="last date, Jalali YYYY/MM/DD")
        parser.add_argument("--total", type=int, default=480, help="clusters identified")
        parser.add_argument(
            "--development", type=int, default=130, help="clusters in development today"
        )
        parser.add_argument("--completed", type=int, default=90, help="clusters completed")
        parser.add_argument(
            "--force", action="store_true", help="delete all clusters first (demo data only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Province.objects.count() == 0:
            raise CommandError("Provinces are missing: run `manage.py load_reference` first.")
        until = seeded.until_option(options["until"], default_until())
        if Cluster.objects.exists():
            if not options["force"]:
                self.stdout.write(
                    f"{Cluster.objects.count()} clusters exist: nothing changed "
                    "(--force to rebuild)."
                )
                return
        started = time.perf_counter()
        with transaction.atomic():
            from clusters import models

            types = ContentType.objects.get_for_models(
                models.Cluster,
                models.StageEvent,
                models.Membership,
                models.Document,
                models.ActionItem,
                models.Visit,
            ).values()
            audit = AuditRecord.objects.filter(subject_type__in=types)
            deleted = seeded.deletions((Cluster, None), (AuditRecord, audit))
            try:
                before = seeded.clear_for_rebuild(
                    "seed_clusters",
                    deleted,
                    (lambda: (audit.delete(), Cluster.objects.all().delete()))
                    if options["force"]
                    else None,
                )
            except seeded.NotDemoData as exc:
                raise CommandError(str(exc)) from exc
            demo = ClusterDemo(
                seed=options["seed"],
                until=until,
                total=options["total"],
                development=options["development"],
                completed=options["completed"],
                log=(lambda m: self.stderr.write(m))
                if options["verbosity"] >= 2
                else (lambda m: None),
            )
            built = demo.build()
            seeded.record("seed_clusters", before)
        counts = programme_counts(until)
        self.stdout.write(
            f"{built} clusters built in {time.perf_counter() - started:.1f}s; as of "
            f"{format_date(until, persian_digits=False)}: {counts['identified']} identified, "
            f"{counts['in_development']} in development, {counts['completed']} completed."
        )
