"""Finance at national scale: 1,000,000 units, 100,000 referrals, 50,000 certificates.

Run (after bench/seed_build.py has built 1,000,000 enterprises in the database, migrated
with this branch):

    createdb -h 127.0.0.1 -U postgres pishran_financebench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_financebench \\
        .venv/bin/python bench/seed_build.py --no-check
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_financebench \\
        .venv/bin/python bench/finance.py [--referrals 100000] [--certificates 50000] \\
        [--files 5000] [--runs 30] [--rebuild]

1. Loads the rows once (kept for later runs; ``--rebuild`` replaces them), with COPY, not
   through the services (the benchmark measures reads): referrals on units not closed, to
   the 12 reference banks, over 1402 to today, 80% decided (approved, in part, refused),
   the approved ones mostly paid; capital-market files at every stage with their stage
   history; certificates from 2,000 buyers to suppliers mostly of their province, each
   with its issue step and one in three passed on once or twice.
2. Times whole pages through Django's test client (middleware, view, queries, template),
   warm, p50/p95 over ``--runs``: a bank officer's referral list (their bank: the first
   page and a deep one), the referral list of the province with the most referrals (its
   officer), the national list, the pipeline (national staff), the busiest buyer's
   certificate chain, and the certificates' list (the bank's officer; national staff, the
   first page and one halfway). A deep page is asked as its link names it: the lists are
   keyset pages (``finance.seek``), "Next" names the last row of the page before. The ledgers and the pipeline's figures are kept per figures version
   (``indicators.sources.memo``); the lines "a new figures version each time" start a new
   version before every request, as any case event does, so they are computed afresh
   from the facts. Prints the machine (cores, load average before and after).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

from pishran.startup import settle  # noqa: E402

settle()  # as the web process starts (pishran/wsgi.py): its pages are the ones timed

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.services import grant_give  # noqa: E402
from bench.copyrows import copy_rows, next_id, set_sequences  # noqa: E402
from cases.models import Case  # noqa: E402
from enterprises.models import Enterprise, Status  # noqa: E402
from finance import casetype, market  # noqa: E402
from finance.models import AdviserFirm, Bank, Certificate, Referral  # noqa: E402
from finance.roles import BANK_OFFICER  # noqa: E402
from indicators import casefacts  # noqa: E402
from indicators.base import COUNTRY, Place  # noqa: E402
from indicators.finance import FinanceSource  # noqa: E402
from indicators.models import CaseFact  # noqa: E402
from persian.jalali import add_months, today, year_bounds, year_of  # noqa: E402
from places.models import Province  # noqa: E402

PAGE = 50
INSTRUMENTS = ("working_capital",) * 5 + ("guarantee", "gam", "leasing", "sukuk", "other")


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def measure(client: Client, url: str, runs: int, cold: bool = False) -> tuple[float, float, int]:
    """Warm p50/p95 of a page; ``cold``: a new figures version before each request (as
    after any case event), so nothing the indicators keep per version is reused."""
    from indicators import sources

    response = client.get(url)  # warm
    times = []
    for _ in range(runs):
        if cold:
            sources.bump_version()
            sources.forget()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 0.95), response.status_code


CASE_COLUMNS = ("id", "type", "enterprise_id", "province_id", "stage", "stage_since",
                "opened_on", "closed_on", "assignee_id", "due_on", "summary", "created_at",
                "updated_at", "exclusive")  # fmt: skip
EVENT_COLUMNS = ("case_id", "kind", "date", "from_stage", "stage", "province_id",
                 "assignee_id", "reason", "author_name", "recorded_at")  # fmt: skip


def load(n_referrals: int, n_certificates: int, n_files: int, seed: int) -> float:
    """Write the rows (COPY, one transaction); returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    day = today()
    first = year_bounds(1402)[0]
    span = (day - first).days
    banks = list(Bank.objects.order_by("pk").values_list("pk", flat=True))
    firms = [
        AdviserFirm.objects.get_or_create(code=f"bench-{n}", defaults={"name": f"مشاور {n}"})[0].pk
        for n in range(8)
    ]
    with transaction.atomic():
        Certificate.objects.all().delete()
        Case.objects.filter(type__in=(casetype.TYPE, market.TYPE)).delete()
        units = list(
            Enterprise.objects.exclude(status=Status.CLOSED)
            .order_by("pk")
            .values_list("pk", "province_id", "status")
        )
        case_id = next_id("cases_case")
        cases, referrals, events, listings = [], [], [], []
        for _n in range(n_referrals):
            unit, province, _status = rng.choice(units)
            opened = first + dt.timedelta(days=rng.randint(0, span))
            requested = rng.randint(20, 1500) * 100_000_000
            decided_on = opened + dt.timedelta(days=rng.randint(5, 90))
            decision = granted = paid_on = paid = None
            stage, since, closed = casetype.INTRODUCED, opened, None
            if decided_on <= day and rng.random() < 0.9:
                roll = rng.random()
                decision = "approved" if roll < 0.45 else "partly" if roll < 0.7 else "refused"
                granted = (
                    requested
                    if decision == "approved"
                    else requested // 2
                    if decision == "partly"
                    else None
                )
                stage, since = (
                    (casetype.REFUSED, decided_on)
                    if decision == "refused"
                    else (casetype.DECIDED, decided_on)
                )
                closed = decided_on if decision == "refused" else None
                pay_day = decided_on + dt.timedelta(days=rng.randint(5, 40))
                if granted and pay_day <= day and rng.random() < 0.85:
                    paid_on, paid = pay_day, granted
                    stage, since, closed = casetype.PAID, pay_day, pay_day
            cases.append((case_id, casetype.TYPE, unit, province, stage, since, opened, closed,
                          None, None, "", day, day, False))  # fmt: skip
            referrals.append((case_id, rng.choice(banks), "شعبه مرکزی", rng.choice(INSTRUMENTS),
                              requested, opened, decision or "", decided_on if decision else None,
                              "", granted, paid_on, paid))  # fmt: skip
            case_id += 1
        active = [u for u in units if u[2] == Status.ACTIVE]
        order = (market.INTRODUCED, market.FILE_OPENED, market.FINAL, market.ADMITTED)
        for unit, province, _status in rng.sample(active, min(n_files, len(active))):
            opened = first + dt.timedelta(days=rng.randint(0, span))
            stages, date = [(market.INTRODUCED, opened)], opened
            for code in order[1:]:
                date = date + dt.timedelta(days=rng.randint(20, 200))
                if date > day:
                    break
                if rng.random() < 0.15:
                    stages.append((rng.choice((market.REJECTED, market.WITHDRAWN)), date))
                    break
                stages.append((code, date))
            stage, since = stages[-1]
            closed = (
                since if stage in (market.ADMITTED, market.REJECTED, market.WITHDRAWN) else None
            )
            cases.append((case_id, market.TYPE, unit, province, stage, since, opened, closed,
                          None, None, "", day, day, True))  # fmt: skip
            previous = ""
            for i, (code, date) in enumerate(stages):
                events.append((case_id, "open" if i == 0 else "stage", date, previous, code,
                               province, None, "", "", day))  # fmt: skip
                previous = code
            listings.append((case_id, rng.choice(firms) if len(stages) > 1 else None,
                             "sme" if stage == market.ADMITTED else "",
                             10**11 if stage == market.ADMITTED else None))  # fmt: skip
            case_id += 1
        copy_rows("cases_case", CASE_COLUMNS, cases)
        copy_rows("cases_caseevent", EVENT_COLUMNS, events)
        copy_rows("finance_referral",
              ("case_id", "bank_id", "branch", "instrument", "amount_requested", "opened_on",
               "decision", "decided_on", "decision_reasons", "amount_granted", "paid_on",
               "amount_paid"),
              referrals)  # fmt: skip
        copy_rows("finance_listing", ("case_id", "adviser_id", "market", "amount_raised"), listings)
        # Certificates: 2,000 buyers, suppliers mostly of their province.
        by_province: dict[int, list[int]] = {}
        for unit, province, _status in units:
            by_province.setdefault(province, []).append(unit)
        province_of = {u: p for u, p, _s in units}
        buyers = rng.sample([u for u, _p, _s in units], 2000)
        certificate_id = next_id("finance_certificate")
        certificates, steps = [], []
        for n in range(n_certificates):
            buyer = buyers[int(len(buyers) * rng.random() ** 2)]
            pool = by_province[province_of[buyer]]
            supplier = rng.choice(pool)
            if supplier == buyer:
                supplier = rng.choice(pool)
            issued = first + dt.timedelta(days=rng.randint(0, span))
            term = rng.choice((1, 3, 6, 6, 9, 12))
            matures = add_months(issued, term)
            holder, date = supplier, issued
            steps.append((certificate_id, "issue", issued, None, supplier, rng.choice(banks), day))
            for _hop in range(2):
                if rng.random() > 0.33:
                    break
                to = rng.choice(pool)
                date = min(date + dt.timedelta(days=rng.randint(1, 40)), matures)
                steps.append((certificate_id, "transfer", date, holder, to, None, day))
                holder = to
            state = "held"
            if matures <= day:
                state = "settled"
                steps.append((certificate_id, "maturity", matures, holder, None, None, day))
                holder = None
            certificates.append((certificate_id, f"BENCH-{n:07d}", rng.choice(banks), buyer,
                                 supplier, rng.randint(10, 600) * 100_000_000, issued, term,
                                 matures, state, holder, day))  # fmt: skip
            certificate_id += 1
        copy_rows("finance_certificate",
              ("id", "code", "bank_id", "buyer_id", "supplier_id", "amount", "issued_on",
               "term_months", "matures_on", "state", "holder_id", "created_at"),
              certificates)  # fmt: skip
        copy_rows("finance_certificatestep",
              ("certificate_id", "kind", "date", "from_holder_id", "to_holder_id", "bank_id",
               "recorded_at"),
              steps)  # fmt: skip
        set_sequences("cases_case", "finance_certificate")
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_caseevent", "finance_referral", "finance_listing",
                      "finance_certificate", "finance_certificatestep"):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def seek_link(ordered: object, keys: tuple[str, str], number: int) -> str:
    """The query string of page ``number``'s link: after the last row of the page before."""
    if number <= 1:
        return ""
    day, pk = ordered.values_list(*keys)[(number - 1) * PAGE - 1]  # type: ignore[attr-defined]
    return f"after={day.isoformat()}.{pk}&page={number}"


def bench_person(username: str, role: str, place_id: int | None) -> User:
    user, _ = User.objects.get_or_create(username=username)
    if not user.grants.live().filter(role=role, place_id=place_id).exists():
        grant_give(actor=None, person=user, role=role, place_id=place_id)
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--certificates", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1404)
    parser.add_argument("--rebuild", action="store_true", help="replace the rows")
    parser.add_argument("--facts", action="store_true", help="rebuild the cases' facts")
    parser.add_argument("--figures-only", action="store_true", help="skip the pages")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL database bench/seed_build.py built.")
    load_before = os.getloadavg()
    if (
        args.rebuild
        or Referral.objects.count() != args.referrals
        or Certificate.objects.count() != args.certificates
    ):
        seconds = load(args.referrals, args.certificates, args.files, args.seed)
        print(f"loaded the rows in {seconds:.1f} s (COPY)")
        args.facts = True
    if args.facts or not CaseFact.objects.filter(type=casetype.TYPE).exists():
        started = time.perf_counter()
        rows = casefacts.rebuild()
        print(f"cases' facts rebuilt: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    print(
        f"units {Enterprise.objects.count():,}; referrals {Referral.objects.count():,}; "
        f"capital-market files {Case.objects.filter(type=market.TYPE).count():,}; "
        f"certificates {Certificate.objects.count():,}"
    )
    by_bank = Referral.objects.values("bank_id").annotate(n=Count("id")).order_by("-n").first()
    bank = Bank.objects.get(pk=by_bank["bank_id"])
    by_province = (
        Case.objects.filter(type=casetype.TYPE)
        .values("province_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    province = Province.objects.get(pk=by_province["province_id"])
    buyer = Certificate.objects.values("buyer_id").annotate(n=Count("id")).order_by("-n").first()
    print(
        f"bank {bank.name_en or bank.code} ({by_bank['n']:,} referrals); province "
        f"{province.name_en} ({by_province['n']:,}); busiest buyer #{buyer['buyer_id']} "
        f"({buyer['n']} certificates)"
    )
    officer = bench_person("bench-finance-bank", BANK_OFFICER, bank.pk)
    provincial = bench_person("bench-finance-officer", Role.PROVINCIAL_OFFICER, province.pk)
    admin = bench_person("bench-finance-admin", Role.NATIONAL_ADMIN, None)
    deep = max(1, by_bank["n"] // PAGE // 2)
    referrals = reverse("finance_referrals")
    certificates = reverse("finance_certificates")
    deep_certificates = max(1, Certificate.objects.count() // PAGE // 2)  # halfway
    # A deep page as its link reaches it: the "Next" link of the page before it names the
    # last row shown there (keyset pages, ``finance.seek``).
    deep_referrals = seek_link(
        Referral.objects.filter(bank_id=bank.pk).order_by("-opened_on", "-case_id"),
        ("opened_on", "case_id"),
        deep,
    )
    deep_certificates_link = seek_link(
        Certificate.objects.order_by("-issued_on", "-id"), ("issued_on", "id"), deep_certificates
    )
    measures = [
        (f"referrals: bank officer ({bank.code}), page 1", officer, referrals),
        ("  the same, a new figures version each time", officer, referrals, True),
        ("referrals: national, page 1, a new figures version each time", admin, referrals, True),
        ("pipeline: national, a new figures version each time", admin,
         reverse("capital_pipeline"), True),
        (f"referrals: bank officer ({bank.code}), page {deep}", officer, f"{referrals}?{deep_referrals}"),
        (f"referrals: officer of {province.name_en}, page 1", provincial, referrals),
        ("referrals: national, page 1", admin, referrals),
        ("pipeline: national", admin, reverse("capital_pipeline")),
        (f"pipeline: officer of {province.name_en}", provincial, reverse("capital_pipeline")),
        (f"chain of buyer #{buyer['buyer_id']}: national", admin,
         reverse("finance_chain", args=[buyer["buyer_id"]])),
        (f"certificates: bank officer ({bank.code}), page 1", officer, certificates),
        ("certificates: national, page 1", admin, certificates),
        (f"certificates: national, page {deep_certificates}", admin,
         f"{certificates}?{deep_certificates_link}"),
    ]  # fmt: skip
    if args.figures_only:
        measures = []
    print(f"{'page':52} {'p50 ms':>8} {'p95 ms':>8} status")
    with override_settings(DEBUG=False):
        for label, user, url, *cold in measures:
            client = Client()
            client.force_login(user)
            p50, p95, status = measure(client, url, args.runs, bool(cold))
            print(f"{label:52} {p50:8.1f} {p95:8.1f} {status}", flush=True)
    # The finance figures as the indicators' source computes them from the cases' facts
    # (its memo bypassed), this year to today and on a past date.
    source, here, day = FinanceSource(), Place("p", province.pk), today()
    past = year_bounds(year_of(day) - 1)[1]
    figures = [
        ("figure: referrals this year, country", lambda: source._value("referrals", COUNTRY, day)),
        ("figure: referrals by bank, country", lambda: source._breakdown("referrals", COUNTRY, day, "bank")),
        (f"figure: referrals by instrument, {province.name_en}", lambda: source._breakdown("referrals", here, day, "instrument")),
        ("figure: amount granted by instrument, country", lambda: source._breakdown("granted", COUNTRY, day, "instrument")),
        ("figure: median days waiting by bank, country", lambda: source._breakdown("days_waiting", COUNTRY, day, "bank")),
        ("figure: approved per province (the map)", lambda: source._by_province("approved", day)),
        ("figure: pipeline by stage at last year's end, country", lambda: source._breakdown("pipeline", COUNTRY, past, "stage")),
        ("figure: pipeline per province (the map)", lambda: source._by_province("pipeline", day)),
        ("figure: paid, monthly series, country", lambda: source._monthly("paid", COUNTRY, day)),
    ]  # fmt: skip
    for label, fn in figures:
        fn()  # warm
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{label:52} {percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f}", flush=True
        )
    print(
        f"nproc {os.cpu_count()}; load average before {load_before[0]:.2f}, after "
        f"{os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
