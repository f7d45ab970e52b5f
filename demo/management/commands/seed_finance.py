"""Build the demo finance (after ``seed_demo`` and ``seed_clinics``: it follows their rows)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q

from accounts.models import Grant, User
from audit.models import AuditRecord
from cases.models import Case
from demo import seeded
from demo.finance import FIRST_YEAR, FinanceDemo
from enterprises.models import Enterprise, StatusEvent
from finance import casetype, market
from finance.models import AdviserFirm, Certificate
from persian.jalali import format_date

TYPES = (casetype.TYPE, market.TYPE)


class Command(BaseCommand):
    help = (
        f"Build the DEMO finance from the demo registry and clinics, {FIRST_YEAR} to --until: "
        "referrals to the reference banks across instruments (some from the clinic cases' "
        "remedy plans, linked back), decided, paid, refused or withdrawn after each bank's "
        "usual wait; capital-market files at every stage with invented adviser firms; «گام» "
        "certificates passed along supply chains, discounted or settled; a bank officer per "
        "bank and a staff member per firm (no passwords: demo_accounts makes 'bankofficer' "
        "and 'adviser'). Only units registered and not closed on each date. Written through "
        "the services, so audited. Deterministic for a seed and --until. Safe to run again: "
        "when finance rows exist it reports that and changes nothing; --force deletes them "
        "first, but only when the demo made every row it would delete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1404)
        parser.add_argument("--until", default="", help="last date, Jalali YYYY/MM/DD")
        parser.add_argument(
            "--referrals", type=int, default=0, help="referrals (default: one per 20 units)"
        )
        parser.add_argument(
            "--files", type=int, default=0, help="capital-market files (default: one per 250 units)"
        )
        parser.add_argument(
            "--certificates", type=int, default=0, help="certificates (default: one per 60 units)"
        )
        parser.add_argument(
            "--force", action="store_true", help="delete the finance rows first (demo data only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        until = seeded.until_option(options["until"])
        if not StatusEvent.objects.exists():
            raise CommandError("The registry is empty: run `manage.py seed_demo` first.")
        cases = Case.objects.filter(type__in=TYPES)
        certificates = Certificate.objects.all()
        if (cases.exists() or certificates.exists()) and not options["force"]:
            self.stdout.write(
                f"{cases.count()} referrals and files and {certificates.count()} certificates "
                "exist: nothing changed (--force to rebuild)."
            )
            return
        units = Enterprise.objects.count()
        started = time.perf_counter()
        with transaction.atomic():
            from cases import models as case_models
            from finance import models as finance_models

            types = ContentType.objects.get_for_models(
                finance_models.Referral,
                finance_models.Listing,
                finance_models.Certificate,
                finance_models.CertificateStep,
            ).values()
            case_type = ContentType.objects.get_for_model(case_models.Case)
            ids = [str(pk) for pk in cases.values_list("pk", flat=True)]
            audit = AuditRecord.objects.filter(
                Q(target_type__in=types)
                | Q(subject_type__in=types)
                | Q(target_type=case_type, target_id__in=ids)
                | Q(subject_type=case_type, subject_id__in=ids)
            )
            deleted = seeded.deletions(
                (Case, cases), (Certificate, certificates), (AuditRecord, audit)
            )
            try:
                before = seeded.clear_for_rebuild(
                    "seed_finance",
                    deleted,
                    (lambda: (audit.delete(), certificates.delete(), cases.delete()))
                    if options["force"]
                    else None,
                )
            except seeded.NotDemoData as exc:
                raise CommandError(str(exc)) from exc
            # The demo's bank officers, firms' staff and firms are demo rows too.
            before |= seeded.high_water([User, Grant, AdviserFirm])
            demo = FinanceDemo(
                seed=options["seed"],
                until=until,
                referrals=options["referrals"] or units // 20,
                files=options["files"] or units // 250,
                certificates=options["certificates"] or units // 60,
                log=(lambda m: self.stderr.write(m))
                if options["verbosity"] >= 2
                else (lambda m: None),
            )
            report = demo.build()
            seeded.record("seed_finance", before)
        self.stdout.write(
            f"Finance built in {time.perf_counter() - started:.1f}s up to "
            f"{format_date(until, persian_digits=False)}: {report.referrals} referrals "
            f"({report.from_clinics} from clinic cases; "
            + ", ".join(f"{n} {stage}" for stage, n in sorted(report.by_stage.items()))
            + f"); {sum(report.files.values())} capital-market files ("
            + ", ".join(f"{n} {stage}" for stage, n in sorted(report.files.items()))
            + f") with {report.firms} adviser firms; {report.certificates} certificates ("
            + ", ".join(f"{n} {kind}" for kind, n in sorted(report.steps.items()))
            + ")."
        )
