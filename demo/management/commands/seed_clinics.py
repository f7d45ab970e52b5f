"""Build the demo business clinics (after ``seed_demo``: the cases follow its registry)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q

from audit.models import AuditRecord
from cases.models import Case
from clinics import casetype
from demo import seeded
from demo.clinics import FIRST_YEAR, ClinicDemo
from enterprises.models import StatusEvent
from persian.jalali import format_date


class Command(BaseCommand):
    help = (
        f"Build the DEMO business clinics from the demo registry: clinic cases since {FIRST_YEAR} "
        "for about a sixth of the registry's revivals (opened 1-6 months before, diagnosed, "
        "with a remedy plan, closed as revived on the revival's date and linked to it), the "
        "checks of whether they held (those that did not reopen), a few closed without a "
        "revival, and cases open today at every stage; consultants (users with the "
        "clinic_consultant role; 'consultant' in Qom, 'consultant2' in Tehran and "
        "'consultant3' in Tehran and Alborz get passwords from demo_accounts). Written "
        "through the services, so audited; nothing is written to the registry. "
        "Deterministic for a seed and --until. Safe to run again: when clinic cases exist it "
        "reports that and changes nothing; --force deletes every clinic case and its audit "
        "records first, but only when every row it would delete was made by a demo seeder: "
        "otherwise it stops and deletes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1404)
        parser.add_argument("--until", default="", help="last date, Jalali YYYY/MM/DD")
        parser.add_argument(
            "--share", type=float, default=0.18, help="share of the revivals with a case"
        )
        parser.add_argument(
            "--open-share",
            type=float,
            default=0.04,
            help="share of today's idle, semi-active and semi-finished units with an open case",
        )
        parser.add_argument(
            "--force", action="store_true", help="delete all clinic cases first (demo data only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        until = seeded.until_option(options["until"])
        if not StatusEvent.objects.exists():
            raise CommandError("The registry is empty: run `manage.py seed_demo` first.")
        cases = Case.objects.filter(type=casetype.TYPE)
        if cases.exists() and not options["force"]:
            self.stdout.write(
                f"{cases.count()} clinic cases exist: nothing changed (--force to rebuild)."
            )
            return
        started = time.perf_counter()
        with transaction.atomic():
            from cases import models as case_models
            from clinics import models as clinic_models

            types = ContentType.objects.get_for_models(
                case_models.Case,
                case_models.CaseEvent,
                case_models.FollowUp,
                case_models.Note,
                case_models.CaseDocument,
                clinic_models.Diagnosis,
                clinic_models.RemedyAction,
                clinic_models.Revival,
            ).values()
            audit = AuditRecord.objects.filter(Q(target_type__in=types) | Q(subject_type__in=types))
            deleted = seeded.deletions((Case, cases), (AuditRecord, audit))
            try:
                before = seeded.clear_for_rebuild(
                    "seed_clinics",
                    deleted,
                    (lambda: (audit.delete(), cases.delete())) if options["force"] else None,
                )
            except seeded.NotDemoData as exc:
                raise CommandError(str(exc)) from exc
            demo = ClinicDemo(
                seed=options["seed"],
                until=until,
                share=options["share"],
                open_share=options["open_share"],
                log=(lambda m: self.stderr.write(m))
                if options["verbosity"] >= 2
                else (lambda m: None),
            )
            report = demo.build()
            seeded.record("seed_clinics", before)
        opened = sum(report.open_by_stage.values())
        working = report.primary.get("working_capital", 0)
        primary = sum(report.primary.values()) or 1
        self.stdout.write(
            f"Clinic cases built in {time.perf_counter() - started:.1f}s up to "
            f"{format_date(until, persian_digits=False)}: {report.revived} revived with the "
            f"clinic of {report.revivals} revivals since {FIRST_YEAR} "
            f"({report.not_sustained} not sustained), {report.closed} closed without a "
            f"revival, {opened} open today ("
            + ", ".join(f"{n} {stage}" for stage, n in sorted(report.open_by_stage.items()))
            + f"); working capital the primary cause of {100 * working / primary:.0f}%; "
            f"{report.consultants} consultants."
        )
