"""Bulk import of a register: 100,000 enterprise rows end to end, against the same rows
written one by one through the services.

Run on PostgreSQL (the target, issue 16: 100,000 rows ≤ 60 s end to end, dry run included):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_bench \
        .venv/bin/python bench/imports.py [--rows 100000] [--updates 10000] [--baseline 2000] [--setup]

1. Builds a CSV of ``--rows`` new units as a province's officer writes them (Persian
   headers, Jalali dates in Persian digits, Arabic ي/ك in some names, parks by name with
   «شهرک صنعتی» before it), spread over every province with parks, each with its status and
   the date of that status; national IDs with correct check digits that no unit holds.
   ``--updates N``: N of the rows name units the registry holds instead (matched by
   national ID: a third move to another park of their province, half change status, all
   change employees), spread through the file.
2. Times, as a national administrator (``bench_importer``, made if missing), each step of
   ``imports.services``: reading the file and guessing its columns (``import_upload``), the
   dry run (``import_check``), the commit (``import_commit``) and the facts' update that
   runs once the commit's transaction commits ("facts applied", run before the rollback
   so that it is timed) — the whole import inside a transaction that is rolled back, so
   the database is left as it was (the tables it wrote are vacuumed afterwards, untimed:
   the next run does not step over this one's dead rows). Each step: wall seconds and the CPU seconds of this
   process and of its PostgreSQL backend (``/proc``, when the server is on this machine).
3. Times ``--baseline`` of the same rows written one by one through the services
   (``enterprise_create``; for a known unit ``enterprise_update``, ``enterprise_move`` and
   ``enterprise_change_status``; each row its own transaction, inside one rolled back,
   their facts applied likewise), and projects that rate to ``--rows``.

``--setup`` migrates and loads the reference data first (an empty database). Prints the
machine (cores, load average before and after). Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")

import django  # noqa: E402

django.setup()

import csv  # noqa: E402
import datetime as dt  # noqa: E402

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from imports import services  # noqa: E402
from imports.checks import Lookups  # noqa: E402
from imports.models import ImportJob  # noqa: E402
from persian.identifiers import legal_id_check_digit  # noqa: E402
from persian.jalali import format_date, today  # noqa: E402
from places.models import Park  # noqa: E402

HEADERS = [
    "نام واحد", "شناسه ملی", "استان", "شهرک", "وضعیت", "تاریخ وضعیت", "تعداد کارکنان",
    "کد آیسیک", "شماره پروانه بهره‌برداری", "تاریخ پروانه بهره‌برداری",
]  # fmt: skip
STATUSES = ["فعال", "نیمه‌فعال", "راکد", "در حال ساخت", "تعطیل"]
ISIC = ["10", "13", "20", "22", "23", "24", "25", "28", "29"]


class Rollback(Exception):
    pass


def _free_ids(count: int) -> list[str]:
    """National IDs with correct check digits that no unit holds (prefix 98…)."""
    taken = set(
        Enterprise.objects.filter(legal_id__startswith="98").values_list("legal_id", flat=True)
    )
    out: list[str] = []
    n = 1
    while len(out) < count:
        first_ten = f"98{n:07d}1"
        n += 1
        code = first_ten + str(legal_id_check_digit(first_ten))
        if code not in taken and first_ten[3:9] != "000000":
            out.append(code)
    return out


def _update_rows(count: int, rng: random.Random, parks: list[Park]) -> list[list[str]]:
    """Rows for ``count`` units the registry holds (matched by national ID), as a
    province's next register names them: a third move to another park of their province,
    half change status (dated today), every one has a new number of employees."""
    from enterprises.models import OPERATING, Status

    if not count:
        return []
    last = Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picked = sorted(rng.sample(range(1, last + 1), min(last, count * 2)))
    units = list(
        Enterprise.objects.filter(pk__in=picked, legal_id__isnull=False).select_related(
            "province", "park"
        )[:count]
    )
    by_province: dict[int, list[Park]] = {}
    for park in parks:
        by_province.setdefault(park.province_id, []).append(park)
    now = format_date(today())
    out = []
    for unit in units:
        park = unit.park
        choices = [p for p in by_province.get(unit.province_id, []) if p != unit.park]
        if choices and rng.random() < 1 / 3:
            park = rng.choice(choices)
        status = unit.status
        if rng.random() < 0.5 and status != Status.CLOSED:
            if status in OPERATING and unit.permit_number:
                status = rng.choice(sorted(OPERATING - {status}))
            else:
                status = Status.CLOSED
        out.append(
            [
                "",
                unit.legal_id or "",
                unit.province.name_fa,
                park.name if park else "",
                str(status),
                now,
                str(rng.randint(1, 400)),
                "",
                "",
                "",
            ]  # fmt: skip
        )
    return out


def build_csv(rows: int, seed: int, updates: int = 0) -> bytes:
    rng = random.Random(seed)
    parks = list(Park.objects.select_related("province"))
    known = _update_rows(updates, rng, parks)
    ids = _free_ids(rows - len(known))
    now = today()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    every = rows // len(known) if known else 0
    for n in range(rows - len(known)):
        if every and n % every == 0 and known:
            writer.writerow(known.pop())
        park = rng.choice(parks)
        status = rng.choice(STATUSES)
        status_date = now - dt.timedelta(days=rng.randint(1, 3000))
        permit = status_date - dt.timedelta(days=rng.randint(0, 400))
        operating = status in ("فعال", "نیمه‌فعال", "راکد")
        name = f"صنایع {rng.choice(['كوثر', 'کوثر', 'پيشران', 'پیشران'])} {n}"
        writer.writerow(
            [
                name,
                ids[n],
                park.province.name_fa,
                f"شهرک صنعتی {park.name}" if rng.random() < 0.5 else park.name,
                status,
                format_date(status_date),
                str(rng.randint(1, 400)),
                rng.choice(ISIC),
                f"{rng.randint(1000, 99999)}" if operating or rng.random() < 0.5 else "",
                format_date(permit) if operating else "",
            ]
        )
    for row in known:
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode()


def _importer() -> User:
    from accounts.roles import Role
    from accounts.services import grant_give

    user, created = User.objects.get_or_create(username="bench_importer")
    if created:
        grant_give(actor=None, person=user, role=Role.NATIONAL_ADMIN)
    return user


def _run_on_commit(since: int) -> None:
    """Run now, inside the transaction that will be rolled back, what would run once it
    commits (the facts' application of the changes, the figures' new version), so that
    it is timed too."""
    hooks = connection.run_on_commit[since:]
    del connection.run_on_commit[since:]
    for _savepoints, hook, _robust in hooks:
        hook()


def _server_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend, when the server
    runs on this machine (0 otherwise): on a busy machine the wall time says how long
    the import waited, the CPU time how much work it was."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_import(content: bytes, actor: User) -> dict[str, tuple[float, float, float]]:
    """Each step's wall seconds, this process's CPU seconds and its database backend's."""
    timings: dict[str, tuple[float, float, float]] = {}

    @contextmanager
    def phase(name: str) -> Iterator[None]:
        wall, cpu, server = time.perf_counter(), time.process_time(), _server_cpu()
        yield
        timings[name] = (
            time.perf_counter() - wall,
            time.process_time() - cpu,
            _server_cpu() - server,
        )

    try:
        with transaction.atomic():
            with phase("read + columns"):
                job = services.import_upload(
                    actor=actor, province=None, upload=SimpleUploadedFile("bench.csv", content)
                )
                job = services.import_map(actor=actor, job=job, mapping=job.mapping)
            with phase("dry run"):
                job = services.import_check(job.pk)
            if job.problems_count:
                print("problems:", job.problems[:5])
                raise SystemExit(1)
            ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.COMMITTING)
            hooks = len(connection.run_on_commit)
            with phase("commit"):
                job = services.import_commit(job.pk)
            if job.state != ImportJob.State.DONE:
                print("commit failed:", job.error, job.problems[:5])
                raise SystemExit(1)
            print(f"  created {job.created:,}, updated {job.updated:,}")
            with phase("facts applied"):
                _run_on_commit(hooks)
            raise Rollback
    except Rollback:
        pass
    _vacuum()
    return timings


# What a rolled-back import leaves behind: its rows, dead, at the end of every index. The
# next run would step over them (``registry_mark``'s MAX of each key reads them one by one:
# seconds after a few runs), so each run leaves the tables vacuumed, as they were.
_WRITTEN = (
    "enterprises_enterprise", "enterprises_statusevent", "enterprises_locationevent",
    "enterprises_measureevent", "audit_auditrecord", "indicators_factchange", "indicators_fact",
)  # fmt: skip


def _vacuum() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {', '.join(_WRITTEN)}")


def run_baseline(content: bytes, actor: User, count: int) -> float:
    """``count`` rows one by one through the services (parsed by the checks, so only the
    writes are timed)."""
    from imports.checks import check
    from imports.columns import guess
    from imports.reader import read_table

    table = read_table(io.BytesIO(content), "csv")
    table.rows = table.rows[:count]
    plan = check(table, guess(table.headers), actor=actor, province=None)
    start = time.perf_counter()
    try:
        with transaction.atomic():
            hooks = len(connection.run_on_commit)
            for row in plan.rows:
                with transaction.atomic():
                    # enterprise_create for a new unit; for a known one enterprise_update,
                    # enterprise_move and enterprise_change_status as the row asks.
                    services._write_row(actor, row)
            _run_on_commit(hooks)  # each unit's change added to the facts, as on commit
            elapsed = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    _vacuum()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--updates", type=int, default=0, help="of the rows, how many name known units"
    )
    parser.add_argument("--setup", action="store_true")
    args = parser.parse_args()
    if args.setup:
        call_command("migrate", verbosity=0)
        call_command("load_reference", verbosity=0)
    print(f"{connection.vendor}; {os.cpu_count()} cores; load {os.getloadavg()}")
    actor = _importer()
    Lookups()  # warm the reference rows once, as a worker would have them
    start = time.perf_counter()
    content = build_csv(args.rows, args.seed, args.updates)
    print(f"file: {args.rows:,} rows ({args.updates:,} of known units), "
          f"{len(content) / 1e6:.1f} MB, built in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    with override_settings(PISHRAN_IMPORT_MAX_ROWS=max(args.rows, 200_000)):
        timings = run_import(content, actor)
    total = sum(wall for wall, _cpu, _server in timings.values())
    for step, (seconds, cpu, server) in timings.items():
        print(f"  {step:<16} {seconds:8.1f} s  {args.rows / seconds:10,.0f} rows/s"
              f"  (CPU: this process {cpu:.1f} s, its PostgreSQL backend {server:.1f} s)")  # fmt: skip
    cpu = sum(c + s for _wall, c, s in timings.values())
    print(f"  {'end to end':<16} {total:8.1f} s  (target: 60 s for 100,000 rows); "
          f"CPU {cpu:.1f} s")  # fmt: skip
    if args.baseline:
        seconds = run_baseline(content, actor, min(args.baseline, args.rows))
        rate = min(args.baseline, args.rows) / seconds
        print(f"one by one through the services: {rate:,.0f} rows/s; "
              f"{args.rows:,} rows projected {args.rows / rate:,.0f} s")  # fmt: skip
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
