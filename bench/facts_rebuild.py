"""The facts' full rebuild, step by step: wall time, and the CPU seconds of this Python
process and of the PostgreSQL backend serving it, per step.

Run (the database migrated with the code being measured):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_bench \
        .venv/bin/python bench/facts_rebuild.py [--runs 2] [--code /path/to/other/checkout]

``--code`` measures another checkout's ``indicators.facts`` (e.g. ``main``'s, with its own
virtualenv's Python) with this script, on the same database, so two versions can be run one
after the other. The machine's load average is printed before and after each run. On a
shared machine the wall time says little: the CPU seconds are the steadier figure. The
backend's CPU is read from ``/proc/<pid>/stat`` (the server must be on this machine); the
CPU of PostgreSQL's parallel workers (short-lived processes of their own, "parallel worker
for PID <backend>") is sampled every 50 ms and shown in a column of its own (a worker that
lives less than that is missed).

``--against DIR --pairs N`` compares this checkout's rebuild with another's on the same
database, each run a process of its own, in turn (the other first, this one last, so the
database keeps this code's facts): the wall and server CPU seconds of every run, each
pair's ratio (this / other) and the medians. The baseline of the issue's goal ("≤ 30 s;
today 28–30 s") is the rebuild before the dated measure history, commit ``48b6787``
(``git worktree add /tmp/base 48b6787``; it runs with this virtualenv: the same
pinned dependencies).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--runs", type=int, default=1)
parser.add_argument("--code", help="the checkout whose code to measure (default: this one)")
parser.add_argument("--statements", type=int, default=0, help="print the N slowest statements")
parser.add_argument("--against", help="another checkout to compare with, run for run")
parser.add_argument("--pairs", type=int, default=3, help="with --against: runs of each")
args = parser.parse_args()


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def whole(code: str | None) -> tuple[float, float]:
    """One rebuild in a process of its own: its wall seconds and the server's CPU seconds
    (the backend and its parallel workers), read from the run's ``whole`` line."""
    command = [sys.executable, __file__, *(["--code", code] if code else [])]
    # stderr passes through: a run that fails shows its traceback, not only its exit code.
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("whole"))
    print(f"  {code or 'this checkout'}: {' '.join(line.split())}", flush=True)
    wall, _python, backend, workers = (float(v) for v in line.split()[1:5])
    return wall, backend + workers


if args.against:
    print(f"Pairs: {args.against} (other), then this checkout; load average {loadavg()}")
    pairs = []
    for number in range(1, args.pairs + 1):
        other, this = whole(args.against), whole(None)
        pairs.append((other, this))
        print(
            f"pair {number}: other {other[0]:.1f} s (server CPU {other[1]:.1f}), this "
            f"{this[0]:.1f} s (server CPU {this[1]:.1f}); ratio wall {this[0] / other[0]:.2f}, "
            f"CPU {this[1] / other[1]:.2f}",
            flush=True,
        )
    print(
        f"median: other {statistics.median(o[0] for o, _ in pairs):.1f} s, this "
        f"{statistics.median(t[0] for _, t in pairs):.1f} s; ratio wall "
        f"{statistics.median(t[0] / o[0] for o, t in pairs):.2f}, CPU "
        f"{statistics.median(t[1] / o[1] for o, t in pairs):.2f}; "
        f"load average {loadavg()}"
    )
    sys.exit(0)
sys.path.insert(0, str(Path(args.code).resolve() if args.code else Path(__file__).parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from indicators import facts  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (``/proc/<pid>/stat`` fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Workers:
    """The CPU seconds of the parallel workers serving one backend, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.tag = f"parallel worker for PID {pid}".encode()
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.wait(0.05):
            self.sample()

    def sample(self) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if self.tag in (entry / "cmdline").read_bytes():
                    self.seen[int(entry.name)] = backend_cpu(int(entry.name))
            except OSError:
                continue

    def total(self) -> float:
        return sum(self.seen.values())


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL benchmark database.")
    print(f"Code: {facts.__file__}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM enterprises_measureevent")
        print(f"Measure events: {cursor.fetchone()[0]:,}")
    for number in range(1, args.runs + 1):
        run_once(number, pid)


def run_once(number: int, pid: int) -> None:
    marks: list[tuple[str, float, float, float, float]] = []
    workers = Workers(pid)

    def progress(step: str, done: int, total: int) -> None:
        workers.sample()
        now = (time.perf_counter(), time.process_time(), backend_cpu(pid), workers.total())
        marks.append((step, *now))

    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - began, sql))

    before = loadavg()
    start = (time.perf_counter(), time.process_time(), backend_cpu(pid), workers.total())
    with connection.execute_wrapper(timed):
        run = facts.rebuild(progress=progress)
    workers.stop.set()
    workers.thread.join()
    workers.sample()
    end = (time.perf_counter(), time.process_time(), backend_cpu(pid), workers.total())
    print(f"\nRun {number}: load average {before} before, {loadavg()} after")
    print(
        f"{'step':<14} {'wall s':>8} {'python cpu s':>13} {'backend cpu s':>14} "
        f"{'workers cpu s':>14}"
    )
    for (step, w0, p0, b0, k0), (_next, w1, p1, b1, k1) in zip(marks, marks[1:], strict=False):
        print(f"{step:<14} {w1 - w0:8.1f} {p1 - p0:13.1f} {b1 - b0:14.1f} {k1 - k0:14.1f}")
    print(
        f"{'whole':<14} {end[0] - start[0]:8.1f} {end[1] - start[1]:13.1f} "
        f"{end[2] - start[2]:14.1f} {end[3] - start[3]:14.1f}   ({run.rows:,} fact rows)"
    )
    for seconds, sql in sorted(statements, reverse=True)[: args.statements]:
        print(f"{seconds:7.1f} s  {' '.join(sql.split())[:160]}")


main()
