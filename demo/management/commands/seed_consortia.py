"""Build the demo export consortia (after ``seed_demo`` and ``seed_clusters``)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q

from accounts.models import Grant
from audit.models import AuditRecord
from consortia import models as consortium_models
from consortia.roles import PROMOTER
from demo import seeded
from demo.consortia import FIRST_YEAR, ConsortiumDemo
from enterprises.models import StatusEvent
from persian.jalali import JalaliDateError, format_date, parse, today


class Command(BaseCommand):
    help = (
        f"Build the DEMO export consortia from the demo registry: since {FIRST_YEAR}, a few "
        "consortia in the provinces with the most active units, each of 4-7 units active on "
        "the forming day, with readiness certificates, exports per year, support within the "
        "year's cap and an invented promoter (promoter-<n>); written through the services, "
        "so audited. Deterministic for a seed and --until. Safe to run again: when "
        "consortia exist it reports that and changes nothing; --force deletes them first, "
        "but only when every row it would delete was made by a demo seeder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1404)
        parser.add_argument("--until", default="", help="last date, Jalali YYYY/MM/DD")
        parser.add_argument("--provinces", type=int, default=8)
        parser.add_argument("--per-province", type=int, default=2)
        parser.add_argument(
            "--force", action="store_true", help="delete all consortia first (demo data only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        until = today()
        if options["until"]:
            try:
                until = min(parse(options["until"]), today())
            except JalaliDateError as exc:
                raise CommandError(f"--until: not a Jalali date: {options['until']}") from exc
        if not StatusEvent.objects.exists():
            raise CommandError("The registry is empty: run `manage.py seed_demo` first.")
        rows = consortium_models.Consortium.objects.all()
        if rows.exists() and not options["force"]:
            self.stdout.write(
                f"{rows.count()} consortia exist: nothing changed (--force to rebuild)."
            )
            return
        started = time.perf_counter()
        with transaction.atomic():
            types = ContentType.objects.get_for_models(
                consortium_models.Consortium,
                consortium_models.Member,
                consortium_models.Readiness,
                consortium_models.ExportYear,
                consortium_models.SupportEntry,
            ).values()
            audit = AuditRecord.objects.filter(Q(target_type__in=types) | Q(subject_type__in=types))
            grants = Grant.objects.filter(role=PROMOTER)
            deleted = seeded.deletions(
                (consortium_models.Consortium, rows), (AuditRecord, audit), (Grant, grants)
            )
            try:
                before = seeded.clear_for_rebuild(
                    "seed_consortia",
                    deleted,
                    (lambda: (audit.delete(), grants.delete(), rows.delete()))
                    if options["force"]
                    else None,
                )
            except seeded.NotDemoData as exc:
                raise CommandError(str(exc)) from exc
            demo = ConsortiumDemo(
                seed=options["seed"],
                until=until,
                provinces=options["provinces"],
                per_province=options["per_province"],
                log=(lambda m: self.stderr.write(m))
                if options["verbosity"] >= 2
                else (lambda m: None),
            )
            report = demo.build()
            seeded.record("seed_consortia", before)
        self.stdout.write(
            f"Export consortia built in {time.perf_counter() - started:.1f}s up to "
            f"{format_date(until, persian_digits=False)}: {report.consortia} consortia, "
            f"{report.members} members ({report.left} left since), {report.support:,} rials of "
            f"support, {report.promoters} promoters."
        )
