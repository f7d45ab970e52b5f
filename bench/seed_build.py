#!/usr/bin/env python
"""Benchmark: build the national demo registry (a million units) on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres pishran_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_bench \\
        .venv/bin/python bench/seed_build.py

Migrates, loads the reference data, runs ``seed_demo --units 1000000 --force`` and reports
wall time, rows per second and row counts. Then measures the baseline: Django's
``bulk_create`` for 20,000 Enterprise rows from the same generator, inserted into the
loaded registry inside a transaction that is rolled back (the table is vacuumed
afterwards), projected to a million rows. Finally checks the registry's invariants
(``demo.registry.checks``; skip with ``--no-check``). The database keeps the demo data.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")
os.environ["PISHRAN_DEMO"] = "1"  # seed_demo is a command of the demo app


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1404)
    parser.add_argument("--sample", type=int, default=20_000, help="bulk_create sample rows")
    parser.add_argument("--no-check", action="store_true", help="skip the invariant checks")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print(
            "Set DATABASE_URL to a PostgreSQL database, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres pishran_bench\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_bench "
            ".venv/bin/python bench/seed_build.py",
            file=sys.stderr,
        )
        return 2

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    rows: list[tuple[str, str, str, str]] = []

    def add(
        step: str, seconds: float | None = None, count: int | None = None, rate: str = ""
    ) -> None:
        rows.append(
            (
                step,
                f"{seconds:,.1f}" if seconds is not None else "",
                f"{count:,}" if count is not None else "",
                rate,
            )
        )

    load_before = os.getloadavg()
    started = time.perf_counter()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    add("migrate", time.perf_counter() - t0)
    t0 = time.perf_counter()
    call_command("load_reference", stdout=io.StringIO())
    add("load_reference", time.perf_counter() - t0)

    out = io.StringIO()
    t0 = time.perf_counter()
    call_command("seed_demo", units=args.units, seed=args.seed, force=True, verbosity=2, stdout=out)
    seed_seconds = time.perf_counter() - t0
    load_after = os.getloadavg()

    from enterprises.models import Enterprise, LocationEvent, StatusEvent
    from places.models import Park

    counts = {
        "parks and zones": Park.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "status events": StatusEvent.objects.count(),
        "location events": LocationEvent.objects.count(),
    }
    total_rows = counts["enterprises"] + counts["status events"] + counts["location events"]
    add(
        f"seed_demo --units {args.units} --force",
        seed_seconds,
        total_rows,
        f"{total_rows / seed_seconds:,.0f} rows/s",
    )
    for label, n in counts.items():
        rate = f"{n / seed_seconds:,.0f} /s" if label == "enterprises" else ""
        add(f"  {label}", None, n, rate)

    # Baseline: Django's bulk_create for Enterprise rows, on the loaded registry.
    bulk_seconds, build_seconds = _bulk_create_baseline(args, connection)
    bulk_rate = args.sample / bulk_seconds
    projected = counts["enterprises"] / bulk_rate if counts["enterprises"] else 0.0
    add(
        f"bulk_create baseline ({args.sample:,} Enterprise rows)",
        bulk_seconds,
        args.sample,
        f"{bulk_rate:,.0f} rows/s",
    )
    add(f"  (building the {args.sample:,} model instances)", build_seconds)
    add(f"  projected bulk_create, {counts['enterprises']:,} enterprises only", projected)
    add(
        "  ratio: projected bulk_create / whole seed_demo",
        None,
        None,
        f"{projected / seed_seconds:.1f}x",
    )

    print()
    print(
        f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {_pg_version(connection)}; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after the build"
    )
    widths = [
        max(len(r[i]) for r in rows + [("step", "seconds", "rows", "rate")]) for i in range(4)
    ]
    header = ("step", "seconds", "rows", "rate")
    print(
        f"{header[0]:<{widths[0]}}  {header[1]:>{widths[1]}}  {header[2]:>{widths[2]}}  {header[3]}"
    )
    print("  ".join("-" * w for w in widths))
    for step, seconds, count, rate in rows:
        print(f"{step:<{widths[0]}}  {seconds:>{widths[1]}}  {count:>{widths[2]}}  {rate}")
    print(f"\nTotal wall time of this script so far: {time.perf_counter() - started:,.1f} s")
    print("\nseed_demo's own report:")
    print("  " + out.getvalue().strip().replace("\n", "\n  "))

    if not args.no_check:
        from demo.registry.checks import check_registry

        t0 = time.perf_counter()
        problems, figures = check_registry()
        print(
            f"\nInvariant checks ({time.perf_counter() - t0:.1f} s): "
            + ("all hold" if not problems else f"{len(problems)} FAILED")
        )
        for problem in problems:
            print(f"  FAILED: {problem}")
        for label, value in figures.items():
            print(f"  {label}: {value}")
        if problems:
            return 1
    return 0


def _bulk_create_baseline(args: argparse.Namespace, connection) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Seconds for ``Enterprise.objects.bulk_create`` of ``args.sample`` generated rows
    (and seconds to build the instances), in a transaction that is rolled back."""
    from django.db import transaction

    from demo.registry.build import group_refs, province_refs
    from demo.registry.generator import ENTERPRISE_COLUMNS, DemoGenerator
    from enterprises.models import Enterprise

    gen = DemoGenerator(units=args.sample, seed=args.seed + 1)
    stream = gen.rows(
        province_refs(gen),
        group_refs(gen),
        first_enterprise_id=0,
        first_status_event_id=0,
        first_location_event_id=0,
        first_measure_event_id=0,
        first_index=9_000_000,  # legal IDs apart from the registry's
    )
    attnames = ENTERPRISE_COLUMNS[1:]
    t0 = time.perf_counter()
    objects = [Enterprise(**dict(zip(attnames, row[0][1:], strict=True))) for row in stream]
    build_seconds = time.perf_counter() - t0
    bulk_seconds = 0.0
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            Enterprise.objects.bulk_create(objects)
            bulk_seconds = time.perf_counter() - t0
            raise _Rollback
    except _Rollback:
        pass
    table = Enterprise._meta.db_table
    with connection.cursor() as cursor:
        # The sample took ids from the sequence and left dead rows: tidy both.
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) FROM {table} "
            "HAVING MAX(id) IS NOT NULL",
            [table],
        )
        cursor.execute(f"VACUUM (ANALYZE, INDEX_CLEANUP ON) {table}")
    return bulk_seconds, build_seconds


def _pg_version(connection) -> str:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


if __name__ == "__main__":
    sys.exit(main())
