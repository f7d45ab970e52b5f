"""Faults under load, against the production server on the million-enterprise database.

    .venv/bin/python bench/faults.py postgres-restart [--clients 20] [--seconds 60]
    .venv/bin/python bench/faults.py redis-stop [--clients 20] [--seconds 60]
    .venv/bin/python bench/faults.py backup-disk-full [--size-kb 64]
    .venv/bin/python bench/faults.py worker-kill [--task ops.tasks.backup_task] [--args '[]']
                                                [--kill-after 10]

``postgres-restart``: gunicorn (production settings, ``CONN_HEALTH_CHECKS`` on, a 5 s
connect timeout) serves ``--clients`` loops of public pages; after a third of the run
PostgreSQL is restarted (``pg_ctlcluster --skip-systemctl-redirect 15 main restart``).
Reports the errors and their status codes, whether any answer carried a traceback or took
longer than the client's 30 s limit (a hang), and the time from the restart until the
first answer of 200 and until every answer is 200 again; the app is never restarted.

``worker-kill``: enqueues ``--task`` (a long job: by default the backup of the whole
database), starts ``manage.py worker``, SIGKILLs it ``--kill-after`` seconds into the job,
and reports what django_tasks_db left (the job's status) and what was left on disk; then
starts a worker again and reports what happened to the job (failed with WorkerLost and,
for a task in ``TASKS_RETRY_ON_WORKER_LOSS``, run again to the end). The task path is an
option so that other long jobs (e.g. ``indicators.tasks.rebuild_facts_task``) can be
drilled the same way.

``redis-stop``: the same load with Redis (the shared cache, sessions and rate-limit counts),
which is shut down after a third of the run: every answer must still be 200 (the site
serves without its cache) and /health/ must report the cache down; prints p95 before and
after.

``backup-disk-full``: migrates the database given, then runs ``manage.py backup`` into a
tmpfs of ``--size-kb`` (mounted by the script: run as root) that the archive cannot fit,
and checks that the command says what happened in one line, exits non-zero and leaves
nothing in the directory; then backs up again with enough space.

Loopback only; each run is bounded (``--seconds``, ``--timeout``)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load.server import DEFAULT_DB, PYTHON, ROOT, get, production_server, sample_ids


def postgres_restart(args: argparse.Namespace) -> int:
    return _under_load(
        args,
        "pg_ctlcluster restart",
        ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"],
        redis=not args.no_redis,
        expect_errors=True,
    )


def redis_stop(args: argparse.Namespace) -> int:
    """Redis (the shared cache, sessions, rate-limit counts) shut down under load: the site
    must keep answering 200 without it, and /health/ must say the cache is down."""
    from bench.load.server import REDIS_PORT

    return _under_load(
        args,
        "redis shutdown",
        ["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"],
        redis=True,
        expect_errors=False,
    )


def _under_load(
    args: argparse.Namespace, what: str, command: list[str], *, redis: bool, expect_errors: bool
) -> int:
    ids_path = Path("/tmp/pishran-faults-ids.json")
    sample_ids(args.database_url, ids_path)
    ids = json.loads(ids_path.read_text())
    pages = [
        "/", "/enterprises/", "/enterprises/?province=IR-25",
        *(f"/enterprises/{pk}/" for pk in ids["published"][:200]),
        *(f"/enterprises/?q={quote(w)}" for w in ids["names"][:50]),
        *(f"/parks/{pk}/" for pk in ids["parks"][:100]),
    ]  # fmt: skip
    # (t, status, seconds, traceback in the body, the error page)
    results: list[tuple[float, int, float, bool, bool]] = []
    lock = threading.Lock()
    with production_server(args.database_url, redis=redis):
        start = time.monotonic()
        stop = start + args.seconds

        def client(n: int) -> None:
            i = n
            while time.monotonic() < stop:
                path = pages[i % len(pages)]
                i += args.clients
                t0 = time.monotonic()
                try:
                    status, body = get(path, timeout=30)
                except OSError:
                    status, body = 0, b""  # refused / reset / timed out: counted as a hang
                took = time.monotonic() - t0
                with lock:
                    results.append((t0 - start, status, took, b"Traceback" in body,
                                    b'data-testid="server-error"' in body))  # fmt: skip
                time.sleep(0.05)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(args.seconds / 3)
        restart_at = time.monotonic() - start
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        restarted_at = time.monotonic() - start
        health_during = get("/health/", timeout=30)
        for t in threads:
            t.join()
        health_after = get("/health/", timeout=30)

    # By the time the answer came back: requests in flight when the restart began count after.
    before = [r for r in results if r[0] + r[2] < restart_at]
    after = [r for r in results if r[0] + r[2] >= restart_at]
    errors = [r for r in after if r[1] != 200]
    first_ok = next((r[0] + r[2] for r in sorted(after) if r[1] == 200), None)
    last_error = max((r[0] + r[2] for r in errors), default=None)
    statuses: dict[int, int] = {}
    for r in errors:
        statuses[r[1]] = statuses.get(r[1], 0) + 1
    before_p95 = sorted(r[2] for r in before)[int(0.95 * (len(before) - 1))] if before else 0.0
    after_p95 = sorted(r[2] for r in after)[int(0.95 * (len(after) - 1))] if after else 0.0
    print(
        f"p95 before: {before_p95 * 1000:.0f} ms; p95 from the fault on: {after_p95 * 1000:.0f} ms"
    )
    print(f"{what}: rc={run.returncode}, took {restarted_at - restart_at:.1f} s "
          f"(at t={restart_at:.1f} s of {args.seconds} s, {args.clients} clients)")  # fmt: skip
    print(f"requests before the restart: {len(before)}, errors {sum(r[1] != 200 for r in before)}")
    print(f"requests from the restart on: {len(after)}, errors {len(errors)} by status {statuses}")
    print(
        f"errors answered with the Persian error page: {sum(r[4] for r in errors)} of {len(errors)}"
    )
    print(f"answers with a traceback: {sum(r[3] for r in results)}; "
          f"longest answer: {max(r[2] for r in results):.2f} s; no answer (hang or refused): "
          f"{sum(r[1] == 0 for r in results)}")  # fmt: skip
    if first_ok is not None:
        print(f"first 200 after the restart began: +{first_ok - restart_at:.1f} s")
    if last_error is not None:
        print(f"last error: +{last_error - restart_at:.1f} s after the restart began; "
              f"every answer 200 from then on")  # fmt: skip
    print(f"/health/ right after the restart: {health_during[0]} {health_during[1][:200]!r}")
    print(f"/health/ at the end: {health_after[0]}")
    clean = not any(r[3] for r in results) and all(r[1] == 200 or r[4] for r in results)
    recovered = health_after[0] == 200 and not [r for r in after if r[0] > (last_error or 0)
                                                and r[1] != 200]  # fmt: skip
    if not expect_errors:  # the site serves on without the failed part: no error at all
        clean, recovered = clean and not errors, health_after[0] == 503
        print(f"/health/ reports the part down: {'yes' if recovered else 'NO'}")
    print(f"fails cleanly: {'yes' if clean else 'NO'}; recovers without an app restart: "
          f"{'yes' if recovered else 'NO'}")  # fmt: skip
    return 0 if clean and recovered else 1


def worker_kill(args: argparse.Namespace) -> int:
    backups = Path(args.backup_dir)
    backups.mkdir(parents=True, exist_ok=True)
    with production_server(args.database_url, redis=False) as env:
        env = dict(env, PISHRAN_BACKUP_DIR=str(backups))

        def orm(code: str) -> str:
            run = subprocess.run(
                [PYTHON, "-c", "import django, json; django.setup()\n"
                 "from django_tasks_db.models import DBTaskResult as R\n" + code],
                cwd=ROOT, env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            return run.stdout.strip()

        job = orm(
            "from django.utils.module_loading import import_string\n"
            f"t = import_string({args.task!r})\n"
            f"print(t.enqueue(*json.loads({args.args!r})).id)"
        )
        print(f"enqueued {args.task} as job {job}")
        before = set(os.listdir(backups))
        worker = subprocess.Popen(
            [PYTHON, "manage.py", "worker", "--no-startup-delay", "--interval", "0.2", "-v0"],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while orm(f"print(R.objects.get(pk={job!r}).status)") != "RUNNING":
            if time.monotonic() > deadline:
                raise SystemExit("the worker did not start the job within 60 s")
            time.sleep(0.2)
        started = time.monotonic()
        time.sleep(args.kill_after)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        print(f"worker SIGKILLed {time.monotonic() - started:.1f} s into the job")
        state = orm(f"r = R.objects.get(pk={job!r}); print(r.status, r.worker_ids)")
        print(f"what django_tasks_db left: job {job} {state}")
        left = sorted(set(os.listdir(backups)) - before)
        complete = [n for n in left if n.endswith(".tar") and not n.startswith(".")]
        print(f"left on disk: {left or 'nothing'}; complete-looking archives: {complete or 'none'}")

        restarted = time.monotonic()
        again = subprocess.run(
            [PYTHON, "manage.py", "worker", "--batch", "--no-startup-delay", "-v1"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=args.timeout, check=False,
        )  # fmt: skip
        print(
            f"a worker started again ({time.monotonic() - restarted:.1f} s, rc={again.returncode}):"
        )
        for line in again.stderr.splitlines():
            if "lost its worker" in line:
                print(f"  {line}")
        final = orm(
            f"r = R.objects.get(pk={job!r}); print(r.status, r.exception_class_path)\n"
            f"for n in R.objects.filter(task_path={args.task!r}).exclude(pk={job!r})"
            ".order_by('enqueued_at'): print('  then job', n.id, n.status, n.return_value)"
        )
        print(f"the killed job now: {final}")
        complete = sorted(n for n in os.listdir(backups) if n.endswith(".tar"))
        print(f"complete archives now: {complete or 'none'}")
        lost = "ops.workers.WorkerLost" in final
        return 0 if lost and not [n for n in left if n.endswith(".tar")] else 1


def backup_disk_full(args: argparse.Namespace) -> int:
    """``manage.py backup`` into a tmpfs too small for the archive (a disk filling up in the
    middle of the backup): the command must stop with one line, exit non-zero and leave
    nothing behind; then the same backup into enough space must succeed."""
    import tempfile

    if os.geteuid() != 0:
        raise SystemExit("backup-disk-full mounts a tmpfs: run it as root")
    env = {**os.environ, "DATABASE_URL": args.database_url, "PISHRAN_BACKUP_KEY": args.key,
           "DJANGO_SETTINGS_MODULE": "pishran.settings"}  # fmt: skip
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [PYTHON, "manage.py", "load_reference"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    with tempfile.TemporaryDirectory(prefix="pishran-full-") as mount:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={args.size_kb}k", "tmpfs", mount], check=True
        )
        try:
            started = time.monotonic()
            run = subprocess.run(
                [PYTHON, "manage.py", "backup", "--to", mount],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            elapsed = time.monotonic() - started
            left = sorted(p.name for p in Path(mount).iterdir())
            lines = [line for line in run.stderr.splitlines() if line.strip()]
            print(f"backup into {args.size_kb} KB: exit {run.returncode} after {elapsed:.1f} s")
            print(
                f"  stderr ({len(lines)} line{'s' if len(lines) != 1 else ''}): {lines[-1] if lines else ''}"
            )
            print(f"  left in the directory: {left or 'nothing'}")
            ok = (
                run.returncode != 0
                and len(lines) == 1
                and "Traceback" not in run.stderr
                and not left
            )
        finally:
            subprocess.run(["umount", mount], check=False)
        again = subprocess.run(
            [PYTHON, "manage.py", "backup", "--to", mount],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        print(
            f"the same backup with enough space: exit {again.returncode}: {again.stdout.strip()[:160]}"
        )
        ok = ok and again.returncode == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    sub = parser.add_subparsers(dest="fault", required=True)
    pg = sub.add_parser("postgres-restart")
    pg.add_argument("--clients", type=int, default=20)
    pg.add_argument("--seconds", type=int, default=60)
    pg.add_argument("--no-redis", action="store_true")
    wk = sub.add_parser("worker-kill")
    wk.add_argument("--task", default="ops.tasks.backup_task")
    wk.add_argument("--args", default="[]", help="JSON list of the task's arguments")
    wk.add_argument("--kill-after", type=float, default=10)
    wk.add_argument("--timeout", type=int, default=600, help="bound on the second worker run")
    wk.add_argument("--backup-dir", default="/tmp/pishran-faults-backups")
    rs = sub.add_parser("redis-stop")
    rs.add_argument("--clients", type=int, default=20)
    rs.add_argument("--seconds", type=int, default=60)
    full = sub.add_parser("backup-disk-full")
    full.add_argument("--size-kb", type=int, default=64, help="the tmpfs the backup goes to")
    full.add_argument(
        "--key", default="ZmF1bHRzLWRyaWxsLWtleS0zMi1ieXRlcy1sb25nISE=", help="PISHRAN_BACKUP_KEY"
    )
    args = parser.parse_args()
    if "127.0.0.1" not in args.database_url and "localhost" not in args.database_url:
        raise SystemExit("faults are drilled on loopback only")
    drills = {
        "postgres-restart": postgres_restart,
        "redis-stop": redis_stop,
        "worker-kill": worker_kill,
        "backup-disk-full": backup_disk_full,
    }
    return drills[args.fault](args)


if __name__ == "__main__":
    raise SystemExit(main())
