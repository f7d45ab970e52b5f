"""Business clinics at national scale: 1,000,000 units and 100,000 clinic cases.

Run (after bench/seed_build.py has built 1,000,000 enterprises in the database, migrated
with this branch):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_bench \
        .venv/bin/python bench/clinics.py [--cases 100000] [--runs 50] [--rebuild]

1. Loads the cases once (kept for later runs; ``--rebuild`` replaces them): 620 clinic
   consultants (20 a province, each with a grant there), then the cases written with COPY,
   not through ``cases.services`` — a hundred thousand cases through the audited services
   would take hours; the benchmark measures reads. 55% closed as revived (each opened 1–6
   months before one of the registry's revivals since 1402, on that unit), 15% closed
   without a revival, 30% open today on distinct idle, semi-active or semi-finished units
   (opened, diagnosis, remedy plan: 25/25/50), about nine in ten of them assigned; their
   history (``CaseEvent``: the open and every stage change, 3.3 a case) and follow-ups (the
   three checks of each revival, a reminder on three open cases in ten).
2. Times, warm, p50/p95 over ``--runs``: a consultant's caseload (``cases.selectors.caseload``
   over the cases they keep, and the list of their open cases, first page), the largest
   province's case list (all cases and open ones, newest first: first page and page 100,
   with the count), the candidates list (units matching ``CLINIC_CANDIDATE`` without an open
   clinic case, by ``status_since, id``: the largest province and the country, first page)
   and the counts by stage as of a past date (``cases.selectors.counts_by_stage``: the
   country and the largest province). Prints the machine (cores, load average before and
   after).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")

import django  # noqa: E402

django.setup()

from pishran.startup import settle  # noqa: E402

settle()  # as the web process starts (pishran/wsgi.py): its pages are the ones timed

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.services import grant_give  # noqa: E402
from bench.copyrows import copy_rows  # noqa: E402
from cases.models import Case, CaseEvent, FollowUp  # noqa: E402
from cases.selectors import (  # noqa: E402
    caseload,
    cases_kept,
    counts_by_stage,
    follow_ups_due,
    overdue_q,
)
from clinics import casetype, selectors  # noqa: E402
from clinics.models import Cause  # noqa: E402
from clinics.roles import CLINIC_CONSULTANT  # noqa: E402
from clinics.views import CANDIDATES_AHEAD  # noqa: E402
from enterprises.models import CLINIC_CANDIDATE, REVIVAL_FROM, Enterprise, StatusEvent  # noqa: E402
from indicators import casefacts  # noqa: E402
from indicators.base import COUNTRY, Place  # noqa: E402
from indicators.clinics import ClinicSource  # noqa: E402
from persian.jalali import add_months, parse, today, year_bounds  # noqa: E402
from places.models import Province  # noqa: E402

PER_PROVINCE = 20
PAGE = 50


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def timed(fn, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn()  # warm
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return percentile(out, 0.5), percentile(out, 0.95)


# --- the data ------------------------------------------------------------------------------------
def consultants() -> dict[int, list[int]]:
    """20 consultants a province (``bench-clinic-<code>-<n>``), made once: users in bulk,
    grants through the service (620 of them)."""
    provinces = list(Province.objects.order_by("pk"))
    wanted = [f"bench-clinic-{p.code.lower()}-{n}" for p in provinces for n in range(PER_PROVINCE)]
    have = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    new = [User(username=u, first_name="مشاور", last_name=u[-6:]) for u in wanted if u not in have]
    for user in new:
        user.set_unusable_password()
    User.objects.bulk_create(new)
    users = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    pools: dict[int, list[int]] = {}
    for province in provinces:
        pool = pools.setdefault(province.pk, [])
        for n in range(PER_PROVINCE):
            pk = users[f"bench-clinic-{province.code.lower()}-{n}"]
            pool.append(pk)
            if not User.objects.get(pk=pk).grants.live().filter(role=CLINIC_CONSULTANT).exists():
                grant_give(
                    actor=None,
                    person=User.objects.get(pk=pk),
                    role=CLINIC_CONSULTANT,
                    place_id=province.pk,
                )
    return pools


def load(total: int, seed: int) -> float:
    """Write ``total`` clinic cases with their history and follow-ups (COPY, in one
    transaction); returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    day = today()
    pools = consultants()
    with transaction.atomic():
        Case.objects.filter(type=casetype.TYPE).delete()
        n_revived, n_closed = round(total * 0.55), round(total * 0.15)
        n_open = total - n_revived - n_closed
        first = year_bounds(1402)[0]
        revivals = list(
            StatusEvent.objects.filter(
                to_status="active", from_status__in=REVIVAL_FROM, date__gte=first
            )
            .order_by("enterprise_id", "date")
            .distinct("enterprise_id")
            .values_list("enterprise_id", "date", "enterprise__province_id", "pk",
                         "enterprise__employees")
        )  # fmt: skip
        revivals = rng.sample(revivals, min(n_revived, len(revivals)))
        candidates = list(
            Enterprise.objects.filter(CLINIC_CANDIDATE)
            .order_by("pk")
            .values_list("pk", "province_id", "status_since")
        )
        picked = rng.sample(candidates, min(n_open + n_closed, len(candidates)))
        open_units, closed_units = picked[:n_open], picked[n_open:]
        next_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        cases, events, follow_ups = [], [], []
        diagnoses, causes, revived = [], [], []
        causes_list = [c for c in Cause.values if c != Cause.WORKING_CAPITAL]

        def diagnose(pk: int, date: dt.date, assignee: int | None) -> None:
            """A diagnosis with one to three causes, working capital the primary one of
            seven in ten (as officials quote)."""
            diagnoses.append((pk, pk, date, "یافته", assignee, day))
            primary = Cause.WORKING_CAPITAL if rng.random() < 0.7 else rng.choice(causes_list)
            others = rng.sample([c for c in Cause.values if c != primary], rng.randint(0, 2))
            causes.append((pk, primary, True))
            causes.extend((pk, c, False) for c in others)

        def add(unit, province, stages, opened, closed, assignee, due_on):  # type: ignore[no-untyped-def]
            nonlocal next_id
            pk, next_id = next_id, next_id + 1
            stage, since = stages[-1]
            cases.append(
                (
                    pk,
                    casetype.TYPE,
                    unit,
                    province,
                    stage,
                    since,
                    opened,
                    closed,
                    assignee,
                    due_on,
                    "",
                    day,
                    day,
                    True,  # exclusive: a clinic case is one open per unit
                )  # fmt: skip
            )
            previous = ""
            for i, (code, date) in enumerate(stages):
                events.append(
                    (
                        pk,
                        "open" if i == 0 else "stage",
                        date,
                        previous,
                        code,
                        province,
                        assignee,
                        "",
                        "",
                        day,
                    )  # fmt: skip
                )
                previous = code
            return pk

        def dates(start: dt.date, end: dt.date, n: int) -> list[dt.date]:
            span = max((end - start).days, 0)
            return sorted(start + dt.timedelta(days=rng.randint(0, span)) for _ in range(n))

        for unit, revived_on, province, status_event, employees in revivals:
            opened = revived_on - dt.timedelta(days=rng.randint(30, 182))
            d1, d2 = dates(opened, revived_on, 2)
            stages = [
                ("opened", opened),
                ("diagnosis", d1),
                ("remedy", d2),
                ("revived", revived_on),
            ]
            consultant = rng.choice(pools[province])
            pk = add(unit, province, stages, opened, revived_on, consultant, None)
            diagnose(pk, d1, consultant)
            revived.append((pk, status_event, unit, revived_on, employees, opened, day))
            for months in casetype.CHECK_MONTHS:
                due = add_months(revived_on, months)
                follow_ups.append(
                    (pk, due, f"sustain_{months}", "check", due if due <= day else None, "", day)
                )
        for unit, province, since in closed_units:
            opened = max(since, day - dt.timedelta(days=900)) + dt.timedelta(
                days=rng.randint(0, 60)
            )
            d1, closed = dates(opened, min(opened + dt.timedelta(days=300), day), 2)
            stages = [("opened", opened), ("diagnosis", d1), ("closed", closed)]
            consultant = rng.choice(pools[province])
            pk = add(unit, province, stages, opened, closed, consultant, None)
            diagnose(pk, d1, consultant)
        for unit, province, since in open_units:
            stage = rng.choices(("opened", "diagnosis", "remedy"), weights=(25, 25, 50))[0]
            window = {"opened": 45, "diagnosis": 120, "remedy": 330}[stage]
            opened = max(since, day - dt.timedelta(days=rng.randint(0, window)))
            order = ("opened", "diagnosis", "remedy")
            steps = order[: order.index(stage) + 1]
            stage_dates = [opened, *dates(opened, day, len(steps) - 1)]
            assignee = (
                rng.choice(pools[province]) if stage != "opened" or rng.random() < 0.6 else None
            )
            due_on = opened + dt.timedelta(days=180) if rng.random() < 0.3 else None
            pk = add(unit, province, list(zip(steps, stage_dates, strict=True)), opened, None,
                     assignee, due_on)  # fmt: skip
            if stage != "opened":
                diagnose(pk, stage_dates[1], assignee)
            if rng.random() < 0.3:
                due = opened + dt.timedelta(days=rng.randint(10, 200))
                follow_ups.append((pk, due, "", "reminder", None, "", day))
        copy_rows(
            "cases_case",
            ("id", "type", "enterprise_id", "province_id", "stage", "stage_since", "opened_on",
             "closed_on", "assignee_id", "due_on", "summary", "created_at", "updated_at",
             "exclusive"),
            cases,
        )  # fmt: skip
        copy_rows(
            "cases_caseevent",
            ("case_id", "kind", "date", "from_stage", "stage", "province_id", "assignee_id",
             "reason", "author_name", "recorded_at"),
            events,
        )  # fmt: skip
        copy_rows(
            "cases_followup",
            ("case_id", "due_on", "kind", "title", "done_on", "outcome", "created_at"),
            follow_ups,
        )
        copy_rows(
            "clinics_diagnosis",
            ("id", "case_id", "date", "finding", "consultant_id", "recorded_at"),
            diagnoses,
        )
        copy_rows("clinics_diagnosiscause", ("diagnosis_id", "cause", '"primary"'), causes)
        copy_rows(
            "clinics_revival",
            ("case_id", "status_event_id", "enterprise_id", "date", "jobs", "opened_on",
             "recorded_at"),
            revived,
        )  # fmt: skip
        with connection.cursor() as cursor:
            for table in ("cases_case", "clinics_diagnosis"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_caseevent", "cases_followup", "clinics_diagnosis",
                      "clinics_diagnosiscause", "clinics_revival"):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


# --- the reads -----------------------------------------------------------------------------------
def bench_person(username: str, role: str, place_id: int | None) -> User:
    user, _ = User.objects.get_or_create(username=username)
    if not user.grants.live().filter(role=role).exists():
        grant_give(actor=None, person=user, role=role, place_id=place_id)
    return user


def fresh(user: User) -> User:
    """The person as a request sees them (the scope is read again)."""
    user.__dict__.pop("_pishran_scope", None)
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1404)
    parser.add_argument("--rebuild", action="store_true", help="replace the cases")
    parser.add_argument("--facts", action="store_true", help="rebuild the cases' facts")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL database bench/seed_build.py built.")
    load_before = os.getloadavg()
    units = Enterprise.objects.count()
    have = Case.objects.filter(type=casetype.TYPE).count()
    loaded = args.rebuild or have != args.cases
    if loaded:
        seconds = load(args.cases, args.seed)
        print(f"loaded {args.cases:,} cases in {seconds:.1f} s (COPY)")
    if loaded or args.facts:
        started = time.perf_counter()
        rows = casefacts.rebuild()
        print(f"cases' facts rebuilt: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    print(
        f"units {units:,}; cases {Case.objects.count():,} "
        f"({Case.objects.filter(closed_on__isnull=True).count():,} open); events "
        f"{CaseEvent.objects.count():,}; follow-ups {FollowUp.objects.count():,}"
    )
    day = today()
    largest = (
        Case.objects.values("province_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["province_id"]
    )
    province = Province.objects.get(pk=largest)
    loads = (
        Case.objects.filter(closed_on__isnull=True, assignee__isnull=False)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    busiest = User.objects.get(pk=loads[0]["assignee_id"])
    print(
        f"largest province {province.name_en} ({Case.objects.filter(province=province).count():,} "
        f"cases); busiest consultant {busiest.username} ({loads[0]['n']} open cases)"
    )
    past = parse("1404/06/31")
    officer = bench_person("bench-clinic-officer", Role.PROVINCIAL_OFFICER, province.pk)
    admin = bench_person("bench-clinic-admin", Role.NATIONAL_ADMIN, None)

    def consultants_day() -> None:
        """What the consultant's day (clinics.views.mine) reads."""
        user = fresh(busiest)
        kept = cases_kept(user, casetype.TYPE)
        assigned = kept.filter(assignee=user, closed_on__isnull=True)
        late = assigned.filter(overdue_q(day)).select_related("enterprise", "province", "assignee")
        list(late.order_by("due_on", "stage_since", "pk")[:100])
        list(
            assigned.select_related("enterprise", "province").order_by("due_on", "-opened_on")[:200]
        )
        list(follow_ups_due(assigned, day + dt.timedelta(days=14))[:100])
        dict(assigned.values_list("stage").annotate(n=Count("id")).order_by())

    def own_caseload() -> None:
        """The consultant's own caseload: their open cases by stage and overdue."""
        caseload(cases_kept(fresh(busiest), casetype.TYPE), day)

    def office_caseload() -> None:
        """The caseload table of the officer's case list: every consultant of the largest
        province, open cases by stage and overdue."""
        caseload(cases_kept(fresh(officer), casetype.TYPE), day)

    def case_list(user: User, params: dict[str, str], page: int) -> None:
        """The case list (clinics.views.cases_list): the page and its count."""
        cases, _ = selectors.cases_list(fresh(user), params)
        list(selectors.paged(cases, page, PAGE).object_list)

    def candidate_list(user: User, province_id: int | None) -> None:
        """The candidates (clinics.views.candidates): first page and its count."""
        units = selectors.candidates(fresh(user), province_id)
        list(selectors.paged(units, 1, PAGE, ahead=CANDIDATES_AHEAD).object_list)

    def page_by_ids(user: User, params: dict[str, str], page: int) -> None:
        """Reference: the same page read in two steps, the page's ids from the index first
        (no join for the rows skipped), then those rows with their joins."""
        cases, _ = selectors.cases_list(fresh(user), params)
        start = (page - 1) * PAGE
        ids = list(cases.values_list("pk", flat=True)[start : start + PAGE])
        cases.count()
        list(cases.filter(pk__in=ids))

    def candidate_page(user: User, province_id: int | None) -> None:
        """Reference: the candidates' first page without the count."""
        list(selectors.candidates(fresh(user), province_id)[:PAGE])

    source, here = ClinicSource(), Place("p", province.pk)
    open_pages = -(-Case.objects.filter(province=province, closed_on__isnull=True).count() // PAGE)
    all_pages = -(-Case.objects.filter(province=province).count() // PAGE)
    name = province.name_en
    measures = [
        (f"consultant's day: busiest consultant ({loads[0]['n']} open)", consultants_day),
        ("caseload: busiest consultant's own (by stage, overdue)", own_caseload),
        (f"caseload: officer of {name} (every consultant)", office_caseload),
        (f"case list {name}: open, page 1", lambda: case_list(officer, {}, 1)),
        (f"case list {name}: open, page {open_pages} (last)", lambda: case_list(officer, {}, open_pages)),
        (f"case list {name}: all, page 1", lambda: case_list(officer, {"state": "all"}, 1)),
        (f"case list {name}: all, page {all_pages // 2}", lambda: case_list(officer, {"state": "all"}, all_pages // 2)),
        (f"  reference: open, page {open_pages}, ids first", lambda: page_by_ids(officer, {}, open_pages)),
        (f"  reference: all, page {all_pages // 2}, ids first", lambda: page_by_ids(officer, {"state": "all"}, all_pages // 2)),
        (f"case list {name}: late, page 1", lambda: case_list(officer, {"state": "overdue"}, 1)),
        (f"candidates {name} (officer), page 1", lambda: candidate_list(officer, None)),
        ("  reference: the same without the count", lambda: candidate_page(officer, None)),
        ("candidates, country (national staff), page 1", lambda: candidate_list(admin, None)),
        ("  reference: the same without the count", lambda: candidate_page(admin, None)),
        ("figure: open by stage on 1404/06/31, country (facts)", lambda: source._breakdown("open", COUNTRY, past, "stage")),
        (f"figure: open by stage on 1404/06/31, {name} (facts)", lambda: source._breakdown("open", here, past, "stage")),
        ("  baseline: the same from the cases' tables, country", lambda: counts_by_stage(casetype.TYPE, past)),
        (f"  baseline: the same from the cases' tables, {name}", lambda: counts_by_stage(casetype.TYPE, past, province_id=province.pk)),
        ("figure: open by province on 1404/06/31 (facts)", lambda: source._by_province("open", past)),
        (f"figure: diagnosed this year to today, {name} (facts)", lambda: source._value("diagnosed", here, day)),
        ("figure: primary causes this year to today, country (facts)", lambda: source._breakdown("diagnosed", COUNTRY, day, "cause_primary")),
        ("figure: revived by province this year to today (facts)", lambda: source._by_province("revived", day)),
        ("figure: median days to revival, country (facts)", lambda: source._value("days_to_revival", COUNTRY, day)),
        ("figure: held 6 months this year, country (facts)", lambda: source._value("held_6", COUNTRY, day)),
        ("figure: open cases, monthly series, country (facts)", lambda: source._monthly("open", COUNTRY, day)),
        (f"figure: diagnosed, monthly series, {name} (facts)", lambda: source._monthly("diagnosed", here, day)),
    ]  # fmt: skip
    print(f"{'read':62} {'p50 ms':>8} {'p95 ms':>8}")
    for label, fn in measures:
        runs = args.runs if "baseline" not in label else max(5, args.runs // 5)
        p50, p95 = timed(fn, runs)
        print(f"{label:62} {p50:8.1f} {p95:8.1f}", flush=True)
    print(
        f"nproc {os.cpu_count()}; load average before {load_before[0]:.2f}, after "
        f"{os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
