"""The downloads of the rows behind a figure at national scale (issue 20: "national CSV
≥ 50,000 rows/s with the first row within 1 s; XLSX streamed, first byte within 1 s,
memory flat"), against the path before (keyset chunks of 1,000 model instances, each
described, then converted cell by cell: ``rows.chunks_of``) in the same run.

Run (a copy of the 1,000,000-unit benchmark database, migrated with this branch and its
facts rebuilt with ``manage.py rebuild_facts``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_downloads \\
        .venv/bin/python bench/downloads.py [--baseline-rows 50000] [--formats csv,xlsx]

Each case is the whole Django response through the test client (DEBUG False, the rate
limits off), its streamed body read to the end: the active units of the country today and
on 1398/12/29 (~600,000 rows) and the idle units of IR-10 on 1398/12/29 as the national
administrator, and the active units of IR-10 on 1398/12/29 as its provincial officer.
Prints per case and format: the rows, the seconds to the first data row (CSV) or the first
byte (XLSX), the seconds to the end, rows/s, the process's CPU seconds (PostgreSQL works
in its own process), the peak of Python's resident memory above what it held before
(VmHWM, reset per case), the bytes sent and the load average. The baseline reads the
same list the old way, stopped after ``--baseline-rows`` rows (at ~4,000 rows/s a whole
national list would take minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")

import django  # noqa: E402

django.setup()

from pishran.startup import settle  # noqa: E402

settle()  # as the web process starts (pishran/wsgi.py): its pages are the ones timed

from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import translation  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.scope import Scope  # noqa: E402
from bench.rows import load, machine_and_people  # noqa: E402
from exports.tables import Column, Table  # noqa: E402
from exports.writers import csv_chunks, xlsx_chunks  # noqa: E402
from indicators import rows  # noqa: E402
from indicators.models import Indicator  # noqa: E402
from persian import jalali  # noqa: E402
from places.models import Province  # noqa: E402

PAST = "1398/12/29"
# (who, figure, province, date)
CASES = (
    ("admin", "units-active", "", ""),
    ("admin", "units-active", "", PAST),
    ("admin", "units-idle", "IR-10", PAST),
    ("officer", "units-active", "IR-10", PAST),
)


def _reset_peak() -> int:
    """Reset the resident-memory high-water mark; the memory resident now (kB)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _status("VmRSS")


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure(chunks: Iterator[bytes], fmt: str, limit: int = 0) -> dict[str, Any]:
    """Read ``chunks`` to the end (or to ``limit`` rows): time to the first data row (CSV:
    the first chunk after the head) or the first byte (XLSX), rows, seconds, CPU, memory."""
    before = _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    first = None
    size = lines = 0
    for number, chunk in enumerate(chunks):
        size += len(chunk)
        if fmt == "csv":
            # The first chunk is the head (the lines above the header, the header): not rows.
            lines += chunk.count(b"\n") if number else 0
            if number == 1 and first is None:
                first = time.perf_counter() - start
        elif first is None:
            first = time.perf_counter() - start
        if limit and lines >= limit:
            break
    seconds = time.perf_counter() - start
    return {
        "first": first or 0.0,
        "seconds": seconds,
        "cpu": time.process_time() - cpu,
        "peak_mb": (_status("VmHWM") - before) / 1024,
        "size": size,
        "lines": lines,
    }


def old_path(
    user: User, figure: str, code: str, as_of: dt.date, fmt: str, limit: int
) -> Iterator[bytes]:
    """The download as it was read before: keyset chunks of 1,000 units, described, as
    mappings converted cell by cell (the same columns)."""
    indicator = Indicator.objects.get(key=figure)
    asked = rows.Asked()
    if code:
        asked.province_id = Province.objects.get(code=code).pk
    units = rows.counted(indicator, Scope.of(user), as_of, asked)

    def mapped() -> Iterator[dict[str, Any]]:
        for chunk in rows.chunks_of(units, as_of):
            for row in chunk:
                unit = row.unit
                yield {
                    "name": unit.name,
                    "status": row.status if unit.with_history else f"{row.status} (today)",  # type: ignore[attr-defined]
                    "since": row.since,
                    "province": row.province,
                    "park": row.park,
                    "park_kind": row.park_kind,
                    "ownership": row.ownership,
                    "employees": unit.employees,
                    "size": row.size,
                }

    columns = [
        Column("name", "Name"),
        Column("status", "Status then"),
        Column("since", "Since", "date"),
        Column("province", "Province then"),
        Column("park", "Park or zone then"),
        Column("park_kind", "Kind"),
        Column("ownership", "Ownership"),
        Column("employees", "Employees", "int"),
        Column("size", "Size"),
    ]
    table = Table(
        title=figure, columns=columns, rows=itertools.islice(mapped(), limit), filename=figure
    )
    return csv_chunks(table) if fmt == "csv" else xlsx_chunks(table)


def show(label: str, fmt: str, m: dict[str, Any], rows_read: int) -> None:
    print(
        f"{label:52} {fmt:4} {rows_read:8,} {m['first']:7.3f} {m['seconds']:8.2f} "
        f"{rows_read / m['seconds']:9,.0f} {m['cpu']:7.2f} {m['peak_mb']:7.1f} "
        f"{m['size'] / 1e6:8.1f} {os.getloadavg()[0]:6.2f} {m.get('head', 0):7.3f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-rows", type=int, default=50_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--cases", default="", help="the numbers of the cases to run (0-3)")
    args = parser.parse_args()
    people = machine_and_people()
    header = (
        f"{'case':52} {'fmt':4} {'rows':>8} {'first s':>7} {'total s':>8} {'rows/s':>9} "
        f"{'cpu s':>7} {'peak MB':>7} {'MB sent':>8} {'load1':>6} {'view s':>7}"
    )
    print(header)
    print("-" * len(header))
    chosen = {int(n) for n in args.cases.split(",") if n} or set(range(len(CASES)))
    with override_settings(DEBUG=False, PISHRAN_RATE_LIMITS_ENABLED=False):
        for number, (who, figure, code, date) in enumerate(CASES):
            if number not in chosen:
                continue
            client = Client()
            client.force_login(people[who])
            params = {k: v for k, v in (("province", code), ("as_of", date)) if v}
            label = f"{who} {figure} {code or 'country'} {date or 'today'}"
            listed = 0
            client.get(f"/indicators/{figure}/rows/?{urlencode(params)}")  # warm: the page
            for fmt in args.formats.split(","):
                url = f"/indicators/{figure}/rows/?{urlencode(dict(params, export=fmt))}"
                start = time.perf_counter()
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                head = time.perf_counter() - start
                m = measure(iter(response.streaming_content), fmt)
                m["first"] += head
                m["seconds"] += head
                m["head"] = head
                if fmt == "csv":
                    listed = m["lines"]
                show(label, fmt, m, listed)  # an XLSX holds the rows the CSV held
                if args.baseline_rows:
                    as_of = jalali.parse(date) if date else rows.selectors.today()
                    with translation.override("fa"):
                        b = measure(
                            old_path(people[who], figure, code, as_of, fmt, args.baseline_rows),
                            fmt,
                        )
                    read = b["lines"] if fmt == "csv" else min(args.baseline_rows, listed)
                    show("  before", fmt, b, max(read, 1))
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()
