"""The API's list pages at national scale: 1,000,000 units (plus clusters and cases).

Run (on a database holding the 1,000,000-unit registry of bench/seed_build.py, migrated
with this branch):

    createdb -h 127.0.0.1 -U postgres -T pishran_benchbase pishran_apix
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_apix .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_apix \\
        .venv/bin/python bench/api.py [--runs 30] [--clusters 3000] [--cases 100000] [--rebuild]

1. Loads clusters with their stage history and clinic cases with their events once, by
   COPY (kept for later runs; ``--rebuild`` replaces them), when the database has none:
   the registry seed makes units only.
2. Makes (once) a national administrator and the officer of the province with the most
   units, each with an API token (through ``api.services.token_create``).
3. Times whole responses through Django's test client with the token (middleware, auth,
   throttle off, the endpoint, JSON; DEBUG off), warm, p50/p95 over ``--runs``: parks; units for
   national staff and for the largest province's officer — today, ``as_of`` a past date,
   ``as_of`` + province + status, a deep cursor page, a search for the commonest word of
   the units' names —; clusters and cases likewise. Prints the machine (cores, load
   average before and after). Goal (issue 16): p95 ≤ 50 ms.
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

from django.db import connection, reset_queries, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.services import grant_give  # noqa: E402
from api import pagination  # noqa: E402
from api.services import token_create  # noqa: E402
from bench.copyrows import copy_rows, next_id, set_sequences  # noqa: E402
from cases.models import Case  # noqa: E402
from clinics import casetype  # noqa: E402
from clusters import stages  # noqa: E402
from clusters.models import Cluster  # noqa: E402
from enterprises.models import Enterprise, Status  # noqa: E402
from persian.jalali import today  # noqa: E402
from persian.text import search_key, sort_key  # noqa: E402
from places.models import Province  # noqa: E402

GOAL_MS = 50.0
WORDS = ("فرش", "کفش", "پوشاک", "قطعات", "سنگ", "چرم", "مبلمان", "زعفران", "خرما", "سفال")


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def measure(
    client: Client, url: str, token: str, runs: int
) -> tuple[float, float, float, int, int]:
    """Warm p50/p95 (ms) of one whole response, the median CPU time of this process per
    response (ms: Django, the endpoint, psycopg — not PostgreSQL's; on a loaded machine
    the wall time waits for a core, the CPU time does not), its status and how many rows
    it had."""
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get(url, headers=headers)  # warm
    times, cpu = [], []
    for _ in range(runs):
        reset_queries()
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    rows = len(response.json().get("results", [])) if response.status_code == 200 else 0
    return (
        statistics.median(times),
        percentile(times, 0.95),
        statistics.median(cpu),
        response.status_code,
        rows,
    )


CLUSTER_COLUMNS = ("id", "name", "province_id", "city", "unregistered_members", "assistant",
                   "secretary", "team_phone", "contracted_body", "technical_supervisor",
                   "provincial_committee", "common_brand", "export_consortium", "description",
                   "published", "stage", "stage_since", "suspended", "suspension_reason",
                   "evaluation_summary", "licence_number", "search_text", "sort_key",
                   "created_at", "updated_at", "version")  # fmt: skip
STAGE_COLUMNS = ("cluster_id", "kind", "date", "from_stage", "to_stage", "to_order", "reason",
                 "recorded_at")  # fmt: skip
CASE_COLUMNS = ("id", "type", "enterprise_id", "province_id", "stage", "stage_since",
                "opened_on", "closed_on", "summary", "created_at", "updated_at", "exclusive")  # fmt: skip
EVENT_COLUMNS = ("case_id", "kind", "date", "from_stage", "stage", "province_id", "reason",
                 "author_name", "recorded_at")  # fmt: skip


def load(n_clusters: int, n_cases: int, seed: int) -> float:
    """Clusters with their stage history and clinic cases with their events (COPY, one
    transaction); returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    day = today()
    now = dt.datetime.now(dt.UTC)
    provinces = list(Province.objects.values_list("pk", flat=True))
    codes = [s.code for s in stages.STAGES]
    with transaction.atomic():
        Cluster.objects.all().delete()
        Case.objects.filter(type=casetype.TYPE).delete()
        cluster_id = next_id("clusters_cluster")
        clusters, events = [], []
        for n in range(n_clusters):
            name = f"خوشه {rng.choice(WORDS)} {n}"
            reached = rng.randint(1, len(codes))
            date = day - dt.timedelta(days=rng.randint(200, 3000))
            history = []
            for i in range(reached):
                history.append((("start" if i == 0 else "advance"), date, codes[i]))
                date = date + dt.timedelta(days=rng.randint(20, 200))
                if date > day:
                    break
            stage, since = history[-1][2], history[-1][1]
            clusters.append((cluster_id, name, rng.choice(provinces), "", 0, "", "", "", "", "",
                             "", "", False, "", rng.random() < 0.7, stage, since, False, "",
                             "", "", search_key(name), sort_key(name), now, now, 1))  # fmt: skip
            previous = ""
            for kind, date, code in history:
                events.append((cluster_id, kind, date, previous, code, stages.order(code), "", now))
                previous = code
            cluster_id += 1
        copy_rows("clusters_cluster", CLUSTER_COLUMNS, clusters)
        copy_rows("clusters_stageevent", STAGE_COLUMNS, events)
        units = list(
            Enterprise.objects.filter(status__in=(Status.IDLE, Status.SEMI_ACTIVE))
            .order_by("pk")
            .values_list("pk", "province_id")
        )
        order = (casetype.OPENED, casetype.DIAGNOSIS, casetype.REMEDY, casetype.REVIVED)
        case_id = next_id("cases_case")
        cases, case_events = [], []
        for unit, province in rng.sample(units, min(n_cases, len(units))):
            opened = day - dt.timedelta(days=rng.randint(0, 1500))
            date, steps = opened, [(casetype.OPENED, opened)]
            for code in order[1:]:
                date = date + dt.timedelta(days=rng.randint(10, 120))
                if date > day or rng.random() < 0.3:
                    break
                steps.append((code, date))
            stage, since = steps[-1]
            if stage == casetype.REVIVED and (close := since + dt.timedelta(days=90)) <= day:
                steps.append((casetype.CLOSED, close))
                stage, since = casetype.CLOSED, close
            closed = since if stage == casetype.CLOSED else None
            office = province
            previous = ""
            for i, (code, date) in enumerate(steps):
                case_events.append((case_id, "open" if i == 0 else "stage", date, previous, code,
                                    province, "", "", now))  # fmt: skip
                previous = code
            # One open case in thirty handed to another province's office since.
            if closed is None and since < day and rng.random() < 1 / 30:
                office = rng.choice(provinces)
                moved_on = since + dt.timedelta(days=rng.randint(1, (day - since).days))
                case_events.append((case_id, "transfer", moved_on, stage, stage, office, "", "",
                                    now))  # fmt: skip
            cases.append((case_id, casetype.TYPE, unit, office, stage, since, opened, closed,
                          "", now, now, True))  # fmt: skip
            case_id += 1
        copy_rows("cases_case", CASE_COLUMNS, cases)
        copy_rows("cases_caseevent", EVENT_COLUMNS, case_events)
        set_sequences("clusters_cluster", "clusters_stageevent", "cases_case", "cases_caseevent")
    with connection.cursor() as cursor:
        for table in ("clusters_cluster", "clusters_stageevent", "cases_case", "cases_caseevent"):
            cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def people() -> tuple[User, User, Province]:
    """A national administrator and the officer of the province with the most units."""
    largest = (
        Enterprise.objects.values("province_id").annotate(n=Count("id")).order_by("-n").first()
    )
    assert largest is not None, "no units: build the registry first (bench/seed_build.py)"
    province = Province.objects.get(pk=largest["province_id"])
    national, made = User.objects.get_or_create(username="bench_api_national")
    if made:
        grant_give(actor=None, person=national, role=Role.NATIONAL_ADMIN)
    officer, made = User.objects.get_or_create(username="bench_api_officer")
    if made:
        grant_give(actor=None, person=officer, role=Role.PROVINCIAL_OFFICER, place_id=province.pk)
    return national, officer, province


def commonest_word() -> str:
    """The commonest word of the units' names (from a 2% sample)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w FROM (SELECT unnest(string_to_array(name, ' ')) AS w "
            "FROM enterprises_enterprise TABLESAMPLE SYSTEM (2)) s "
            "WHERE length(w) > 1 GROUP BY w ORDER BY count(*) DESC LIMIT 1"
        )
        return str(cursor.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--clusters", type=int, default=3000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--only", default="", help="run the lines whose label holds this")
    args = parser.parse_args()

    print(f"nproc {os.cpu_count()}; load average before {os.getloadavg()}", flush=True)
    if args.rebuild or not Cluster.objects.exists() or not Case.objects.exists():
        print(f"loading clusters and cases: {load(args.clusters, args.cases, args.seed):.1f} s")
    national, officer, province = people()
    day = today()
    tokens = {
        who: token_create(
            actor=user, name="bench", scope="read", expires_on=day + dt.timedelta(days=2)
        )[1]
        for who, user in (("national", national), ("officer", officer))
    }
    units = Enterprise.objects.count()
    past = (day - dt.timedelta(days=730)).isoformat()
    word = commonest_word()
    deep_id = Enterprise.objects.order_by("pk").values_list("pk", flat=True)[units * 9 // 10]
    deep = pagination.encode(deep_id)
    code = province.code
    print(
        f"{units:,} units, {Cluster.objects.count():,} clusters, {Case.objects.count():,} "
        f"cases; largest province {code}; past date {past}; commonest word «{word}»; "
        f"{args.runs} runs",
        flush=True,
    )
    e = "/api/v1/enterprises"
    lines = [
        ("parks", "national", "/api/v1/parks"),
        ("parks, province", "officer", f"/api/v1/parks?province={code}"),
        ("units", "national", e),
        ("units", "officer", e),
        ("units, province", "national", f"{e}?province={code}"),
        ("units, province", "officer", f"{e}?province={code}"),
        ("units as_of", "national", f"{e}?as_of={past}"),
        ("units as_of", "officer", f"{e}?as_of={past}"),
        ("units as_of + province", "national", f"{e}?as_of={past}&province={code}"),
        ("units as_of + province", "officer", f"{e}?as_of={past}&province={code}"),
        (
            "units as_of + province + status",
            "national",
            f"{e}?as_of={past}&province={code}&status=active",
        ),  # fmt: skip
        (
            "units as_of + province + status",
            "officer",
            f"{e}?as_of={past}&province={code}&status=active",
        ),  # fmt: skip
        (
            "units as_of + province + status idle",
            "officer",
            f"{e}?as_of={past}&province={code}&status=idle",
        ),  # fmt: skip
        ("units as_of + status", "officer", f"{e}?as_of={past}&status=idle"),
        ("units status", "officer", f"{e}?status=idle"),
        ("units deep cursor", "national", f"{e}?cursor={deep}"),
        (
            "units deep cursor, as_of + province",
            "officer",
            f"{e}?cursor={deep}&as_of={past}&province={code}",
        ),  # fmt: skip
        ("units search commonest word", "national", f"{e}?q={word}"),
        ("units search commonest word", "officer", f"{e}?q={word}"),
        ("clusters", "national", "/api/v1/clusters"),
        ("clusters as_of + province", "officer", f"/api/v1/clusters?as_of={past}&province={code}"),
        ("clusters as_of + stage", "national", f"/api/v1/clusters?as_of={past}&stage=diagnosis"),
        ("clusters search", "national", f"/api/v1/clusters?q={WORDS[0]}"),
        ("cases", "national", "/api/v1/cases"),
        ("cases", "officer", "/api/v1/cases"),
        ("cases as_of + province", "national", f"/api/v1/cases?as_of={past}&province={code}"),
        ("cases as_of + stage", "officer", f"/api/v1/cases?as_of={past}&stage=diagnosis"),
        ("cases open, type", "national", "/api/v1/cases?type=clinic&open=true"),
        ("cases search commonest word", "national", f"/api/v1/cases?q={word}"),
    ]
    client = Client()
    print(f"{'page':44} {'as':9} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>7} {'rows':>5}", flush=True)
    over = []
    with override_settings(DEBUG=False, PISHRAN_RATE_LIMITS_ENABLED=False):
        for label, who, url in lines:
            if args.only and args.only not in label:
                continue
            p50, p95, cpu, status, rows = measure(client, url, tokens[who], args.runs)
            flag = "" if p95 <= GOAL_MS else "  OVER"
            print(f"{label:44} {who:9} {p50:8.1f} {p95:8.1f} {cpu:7.1f} {rows:5}{flag}", flush=True)
            assert status == 200, (url, status)
            if p95 > GOAL_MS:
                over.append(label)
    print(f"load average after {os.getloadavg()}; over {GOAL_MS:.0f} ms p95: {len(over)}")


if __name__ == "__main__":
    main()
