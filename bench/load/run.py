"""200 simulated people against the production server on a million enterprises.

    .venv/bin/python bench/load/run.py [--users 200] [--spawn-rate 20] [--time 180]

Bounded: loopback only, one run of ``--time`` seconds. Needs the ``bench`` extra (locust)
and the ``pishran_load`` database (bench/README.md). Prints requests/s, p50/p95/p99 and
errors per page and overall, the load average before and after, and the goal (0 errors,
p95 ≤ 300 ms). ``--profile FILE`` samples the gunicorn processes with py-spy for the whole
run (``pip install py-spy``) and prints where their time went."""

from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load.server import DEFAULT_DB, HOST, PORT, ROOT, production_server, sample_ids, warm_up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--users", type=int, default=200)
    # 200 people arrive over 100 s (each officer logs in as they arrive: ~1 s of hashing).
    parser.add_argument("--spawn-rate", type=float, default=2, help="people arriving per second")
    parser.add_argument("--time", type=int, default=300, help="seconds, the ramp included")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--no-redis", action="store_true", help="per-process memory cache")
    parser.add_argument("--think", default="2,8", help="seconds between a person's clicks: MIN,MAX")
    parser.add_argument(
        "--form-think", default="20,60", help="seconds an officer spends on a form: MIN,MAX"
    )
    parser.add_argument("--no-worker", action="store_true", help="no background worker")
    parser.add_argument("--profile", default="", help="py-spy's samples (collapsed) to this file")
    args = parser.parse_args()
    if "127.0.0.1" not in args.database_url and "localhost" not in args.database_url:
        raise SystemExit("the load runs on loopback only")

    with tempfile.TemporaryDirectory(prefix="pishran-locust-") as work:
        ids = Path(work) / "ids.json"
        sample_ids(args.database_url, ids)
        with production_server(
            args.database_url,
            workers=args.workers,
            threads=args.threads,
            redis=not args.no_redis,
            with_worker=not args.no_worker,
        ) as server:
            print(f"warm-up (dashboards computed once into the cache): {warm_up(ids):.1f} s")
            env = dict(
                os.environ,
                PISHRAN_LOAD_IDS=str(ids),
                PISHRAN_LOAD_THINK=args.think,
                PISHRAN_LOAD_FORM_THINK=args.form_think,
            )
            print(f"load average before: {loadavg()}", flush=True)
            profiler = (
                subprocess.Popen(
                    [
                        str(Path(sys.executable).with_name("py-spy")),
                        "record",
                        "--pid",
                        server["PISHRAN_SERVER_PID"],
                        "--subprocesses",
                        "--format",
                        "raw",
                        "--rate",
                        "50",
                        "--duration",
                        str(args.time),
                        "--output",
                        args.profile,
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
                if args.profile
                else None
            )
            subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")),
                 "--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
                 "--run-time", f"{args.time}s", "--host", f"http://{HOST}:{PORT}",
                 "--csv", f"{work}/stats", "--only-summary", "--loglevel", "WARNING",
                 "--stop-timeout", "10"],
                cwd=ROOT, env=env, check=False,
            )  # fmt: skip
            print(f"load average after: {loadavg()}", flush=True)
            if profiler is not None:
                profiler.wait(timeout=60)
        report(Path(f"{work}/stats_stats.csv"), Path(f"{work}/stats_failures.csv"), args)
        if args.profile:
            where_the_time_went(Path(args.profile))
    return 0


def report(stats: Path, failures: Path, args: argparse.Namespace) -> None:
    rows = list(csv.DictReader(stats.open()))
    print(f"\n{args.users} users, {args.time} s, gunicorn {args.workers}x{args.threads} threads; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")  # fmt: skip
    print(
        f"{'page':45} {'requests':>9} {'errors':>6} {'req/s':>7} {'p50':>5} {'p95':>5} {'p99':>5}"
    )
    for row in rows:
        print(f"{row['Type'] + ' ' + row['Name']:45.45} {row['Request Count']:>9} "
              f"{row['Failure Count']:>6} {float(row['Requests/s']):7.1f} {row['50%']:>5} "
              f"{row['95%']:>5} {row['99%']:>5}")  # fmt: skip
    total = next(r for r in rows if r["Name"] == "Aggregated")
    ok = int(total["Failure Count"]) == 0 and float(total["95%"]) <= 300
    print(f"\ngoal (0 errors, p95 <= 300 ms): {'met' if ok else 'NOT met'}")
    failed = list(csv.DictReader(failures.open())) if failures.exists() else []
    for row in failed[:10]:
        print(f"  failure: {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")


def where_the_time_went(profile: Path, top: int = 12) -> None:
    """py-spy's collapsed stacks summed by the view each sample was in (wall time of the
    gunicorn threads: waiting for PostgreSQL or Redis counts, waiting for a request does
    not) and by the innermost frame."""
    by_view: Counter[str] = Counter()
    by_frame: Counter[str] = Counter()
    total = 0
    for line in profile.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        view = "gunicorn and the middleware"
        for i, frame in enumerate(frames):
            if frame.startswith("BaseHandler._get_response"):
                # the view itself, not its decorators' wrappers
                inner = [f for f in frames[i + 1 :] if "<locals>" not in f.split(" (")[0]]
                view = inner[0].split(":")[0] + ")" if inner else "the handler"
                break
        by_view[view] += n
        by_frame[frames[-1].split(":")[0] + ")"] += n
    print(f"\nwhere the gunicorn threads' time went ({total} samples at 50 Hz):")
    for name, n in by_view.most_common(top):
        print(f"  {100 * n / total:5.1f}%  {name}")
    print("innermost frames:")
    for name, n in by_frame.most_common(top):
        print(f"  {100 * n / total:5.1f}%  {name}")


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


if __name__ == "__main__":
    raise SystemExit(main())
