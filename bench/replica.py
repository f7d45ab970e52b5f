"""A real PostgreSQL streaming replica, made and removed by this script, proving the read
router (``pishran/replicas.py``): reads, writes, a person pinned to the primary after a
write, lag handling and the replica stopped.

    .venv/bin/python bench/replica.py [--keep]

It makes two PostgreSQL 15 clusters of its own under a temporary directory (the server
binaries of the machine's PostgreSQL 15, run as the ``postgres`` user; the system cluster
is not touched): a primary on port 5434 that allows replication from loopback, and a hot
standby on 5435 made with ``pg_basebackup -R`` (streaming replication, PostgreSQL's own).
It migrates an empty Pishran database on the primary, then, in this process with
``DATABASE_URL`` on the primary and ``DATABASE_REPLICA_URL`` on the standby:

1. an anonymous GET of the parks page reads from the replica (queries counted per alias);
2. a unit registered on the primary appears on the replica (the lag is printed);
3. a POST sets the pin cookie; the same person's next GET reads from the primary;
4. replay paused on the standby (``pg_wal_replay_pause``) and a write on the primary: once
   the lag passes ``PISHRAN_REPLICA_MAX_LAG_SECONDS`` the router reads from the primary;
5. the standby stopped (``pg_ctl stop -m fast``): pages keep answering 200 from the primary.

Each check prints PASS or FAIL; the exit status is non-zero if any failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path("/usr/lib/postgresql/15/bin")
PRIMARY_PORT, REPLICA_PORT = 5434, 5435
DB = "pishran_replica_drill"
results: list[tuple[str, bool, str]] = []


def as_postgres(*args: str, **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, **kwargs)


def psql(port: int, sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db, "-Atc", sql],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout.strip()


def check(name: str, ok: bool, detail: str = "") -> None:
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}{'  — ' + detail if detail else ''}", flush=True)


def make_clusters(base: Path) -> tuple[Path, Path]:
    primary, replica = base / "primary", base / "replica"
    shutil.chown(base, "postgres") if os.geteuid() == 0 else None
    as_postgres(
        str(BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8"
    )
    with open(primary / "postgresql.conf", "a") as conf:
        conf.write(f"\nport = {PRIMARY_PORT}\nlisten_addresses = '127.0.0.1'\nwal_level = replica\n"
                   f"unix_socket_directories = '{base}'\nfsync = off\n")  # fmt: skip
    with open(primary / "pg_hba.conf", "a") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    as_postgres(
        str(BIN / "pg_ctl"), "-D", str(primary), "-l", str(base / "primary.log"), "-w", "start"
    )
    as_postgres(
        "pg_basebackup", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres",
        "-D", str(replica), "-R", "-X", "stream", "-c", "fast",
    )  # fmt: skip
    with open(replica / "postgresql.conf", "a") as conf:
        conf.write(f"\nport = {REPLICA_PORT}\nhot_standby = on\n")
    as_postgres(
        str(BIN / "pg_ctl"), "-D", str(replica), "-l", str(base / "replica.log"), "-w", "start"
    )
    return primary, replica


def drill() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "pishran.settings"
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DB}"
    os.environ["DATABASE_REPLICA_URL"] = f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}"
    os.environ["PISHRAN_REPLICA_MAX_LAG_SECONDS"] = "2"
    os.environ["PISHRAN_REPLICA_CHECK_SECONDS"] = "0"  # judge the replica on every request
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pishran import replicas

    started = time.monotonic()
    call_command("migrate", "--noinput", verbosity=0, database="default")
    call_command("load_reference", verbosity=0)
    print(
        f"migrated and loaded the reference data in {time.monotonic() - started:.1f} s", flush=True
    )

    def wait_replicated(sql: str, expect: str, limit: float = 30) -> float:
        began = time.monotonic()
        while time.monotonic() - began < limit:
            if psql(REPLICA_PORT, sql, DB) == expect:
                return time.monotonic() - began
            time.sleep(0.02)
        return float("inf")

    lag = wait_replicated("SELECT count(*) > 0 FROM places_province", "t")
    check("the standby received the migrated schema and reference rows", lag < 30, f"{lag:.2f} s")

    client = Client()

    def get_counting(path: str, c: Client = client) -> tuple[int, int, int]:
        with (
            CaptureQueriesContext(connections["default"]) as primary_q,
            CaptureQueriesContext(connections["replica"]) as replica_q,
        ):
            status = c.get(path).status_code
        return status, len(primary_q.captured_queries), len(replica_q.captured_queries)

    replicas.forget_health()
    status, on_primary, on_replica = get_counting("/parks/")
    check(
        "an anonymous page reads from the replica",
        status == 200 and on_replica > 0 and on_primary == 0,
        f"status {status}, {on_replica} queries on the replica, {on_primary} on the primary",
    )

    # A write on the primary, and the time until the standby has it.
    from accounts.roles import Role
    from accounts.services import grant_give, person_create
    from places.models import Province

    person = person_create(
        actor=None,
        data={"username": "drill_admin", "first_name": "آزمون"},
        role=Role.NATIONAL_ADMIN,
        password="drill-pass-1404",
    )
    lag = wait_replicated("SELECT count(*) FROM accounts_user WHERE username = 'drill_admin'", "1")
    check(
        "a write on the primary reaches the replica", lag < 5, f"visible after {lag * 1000:.0f} ms"
    )

    staff = Client()
    staff.force_login(person)  # writes the session on the primary
    response = staff.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    pinned = replicas.PIN_COOKIE in response.cookies
    status, on_primary, on_replica = get_counting("/parks/", staff)
    check(
        "after a POST the same person reads from the primary",
        pinned and status == 200 and on_replica == 0 and on_primary > 0,
        f"pin cookie {'set' if pinned else 'missing'}; {on_primary} queries on the primary, {on_replica} on the replica",
    )

    psql(REPLICA_PORT, "SELECT pg_wal_replay_pause()", DB)
    grant_give(
        actor=None,
        person=person,
        role=Role.PROVINCIAL_OFFICER,
        place_id=Province.objects.first().pk,
    )
    time.sleep(3.2)  # past PISHRAN_REPLICA_MAX_LAG_SECONDS = 2
    lag_seen = replicas.replica_lag_seconds()
    status, on_primary, on_replica = get_counting("/parks/")
    check(
        "a replica lagging beyond the limit is left alone",
        status == 200 and on_replica <= 1 and on_primary > 0,
        f"lag {lag_seen:.1f} s; {on_primary} queries on the primary, {on_replica} on the replica (the lag check)",
    )
    psql(REPLICA_PORT, "SELECT pg_wal_replay_resume()", DB)
    wait_replicated(
        "SELECT count(*) FROM accounts_grant",
        psql(PRIMARY_PORT, "SELECT count(*) FROM accounts_grant", DB),
    )
    status, on_primary, on_replica = get_counting("/parks/")
    check(
        "caught up, reads go back to the replica",
        status == 200 and on_replica > 0,
        f"{on_replica} queries on the replica",
    )

    drill.stop_replica()  # type: ignore[attr-defined]
    began = time.monotonic()
    statuses, on_primary = [], 0
    for _ in range(20):
        # Counting on the primary only: capturing the replica's queries would connect to it.
        with CaptureQueriesContext(connections["default"]) as primary_q:
            statuses.append(client.get("/parks/").status_code)
        on_primary += len(primary_q.captured_queries)
    elapsed = (time.monotonic() - began) / 20
    check(
        "with the replica stopped, pages answer from the primary",
        all(s == 200 for s in statuses) and on_primary > 0,
        f"{statuses.count(200)}/20 answered 200 ({on_primary} queries on the primary), "
        f"{elapsed * 1000:.0f} ms each",
    )
    connections.close_all()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the clusters' directory")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="pishran-replica-"))
    primary = replica = None
    try:
        primary, replica = make_clusters(base)
        psql(PRIMARY_PORT, f"CREATE DATABASE {DB}")

        def stop_replica() -> None:
            as_postgres(str(BIN / "pg_ctl"), "-D", str(replica), "-m", "fast", "-w", "stop")

        drill.stop_replica = stop_replica  # type: ignore[attr-defined]
        drill()
    finally:
        for directory in (replica, primary):
            if directory is not None and (directory / "postmaster.pid").exists():
                subprocess.run(
                    [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                     str(BIN / "pg_ctl"), "-D", str(directory), "-m", "immediate", "-w", "stop"],
                    capture_output=True,
                )  # fmt: skip
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    failed = [name for name, ok, _ in results if not ok]
    print(f"{len(results) - len(failed)} of {len(results)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
