"""The production server for the load and fault benchmarks: gunicorn with the production
settings (DEBUG off, whitenoise with the manifest storage, secure cookies) on loopback,
against the million-enterprise database ``pishran_load``.

There is no TLS proxy on loopback: clients send ``X-Forwarded-Proto: https``, as nginx
does in front of gunicorn (docs/deploy.md), so SSL redirect, secure cookies and HSTS stay on."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/pishran_load"
HOST, PORT = "127.0.0.1", 8231
REDIS_PORT = 6391
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def production_env(database_url: str, var_dir: Path, redis_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PISHRAN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="pishran.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PISHRAN_VAR_DIR=str(var_dir),
        DJANGO_LOG_LEVEL="ERROR",
        # Many failed logins from one address would lock the load's staff out: the throttle
        # is tested in tests/accounts; here every login is a success anyway.
        AXES_FAILURE_LIMIT="1000",
        # The load's visitors arrive through "nginx" with an address each (X-Forwarded-For
        # from loopback), so the rate limits count them apart (accounts/throttle.py).
        PISHRAN_TRUSTED_PROXIES=HOST,
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    run = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{run.stderr}")
    return run.stdout


def get(path: str, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://{HOST}:{PORT}{path}", headers=PROXY_HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway Redis on loopback (no persistence) for the shared cache and sessions."""
    process = subprocess.Popen(
        ["redis-server", "--bind", HOST, "--port", str(REDIS_PORT), "--save", "",
         "--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(0.5)
        yield f"redis://{HOST}:{REDIS_PORT}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def production_server(
    database_url: str = DEFAULT_DB,
    *,
    workers: int = 4,
    threads: int = 4,
    redis: bool = True,
    with_worker: bool = False,
) -> Iterator[dict[str, str]]:
    """Prepare (migrations, demo staff accounts, the load's officers, collectstatic) and run
    gunicorn, with a Redis cache unless ``redis`` is false and the background worker when
    ``with_worker``; yields the environment it runs with."""
    with (
        tempfile.TemporaryDirectory(prefix="pishran-load-") as var,
        redis_server() if redis else nullcontext("") as redis_url,
    ):
        env = production_env(database_url, Path(var), redis_url)
        manage(env, "migrate", "--noinput", "-v0")
        # A demo command: the demo app is installed for this one call only.
        manage({**env, "PISHRAN_DEMO": "1"}, "demo_accounts", "--insecure")
        manage(env, "shell", "-c", LOAD_OFFICERS)
        manage(env, "collectstatic", "--noinput", "-v0")
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "pishran.wsgi", f"--bind={HOST}:{PORT}",
             f"--workers={workers}", f"--threads={threads}", "--worker-class=gthread",
             "--timeout=60", "--graceful-timeout=5", "--log-level=warning",
             # Longer than a person's think time: no race between a client reusing a
             # kept-alive connection and the server closing it (nginx retries those).
             "--keep-alive=20"],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        # The background worker: the Excel files too large to wait for (ops.exports).
        worker = (
            subprocess.Popen(
                [PYTHON, "manage.py", "worker", "--no-reload", "--interval", "1"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            if with_worker
            else None
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if get("/health/", timeout=5)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not become healthy within 60 s")
                time.sleep(0.5)
            yield {**env, "PISHRAN_SERVER_PID": str(server.pid)}
        finally:
            for process in (server, worker):
                if process is None:
                    continue
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


# Provincial officers of the load, one account per simulated officer as in a real office
# (each is counted apart by the per-person rate limits), ``load-officer-NN`` for
# NN = 1..LOAD_OFFICER_COUNT, officer of the NN-th province (by code, round-robin), with
# the demo officer's password (its hash copied: hashing it 60 times would take a minute).
LOAD_OFFICER_COUNT = 60
LOAD_OFFICER_PASSWORD = "pishran-officer-1404"
LOAD_OFFICERS = f"""
from accounts.models import Role, User
from accounts.services import grant_give
from places.models import Province
hashed = User.objects.get(username="officer").password
provinces = list(Province.objects.order_by("code"))
for n in range(1, {LOAD_OFFICER_COUNT} + 1):
    user, _ = User.objects.update_or_create(
        username=f"load-officer-{{n:02d}}",
        defaults=dict(password=hashed, is_active=True, first_name="load", last_name=str(n)),
    )
    province = provinces[(n - 1) % len(provinces)]
    if not user.grants.live().filter(role=Role.PROVINCIAL_OFFICER, place_id=province.pk).exists():
        grant_give(actor=None, person=user, role=Role.PROVINCIAL_OFFICER, place_id=province.pk)
"""


def warm_up(ids_path: Path) -> float:
    """Open the dashboards once, as the first visitors after a deploy do: the figures are
    computed once and then served from the cache. Returns the seconds it took."""
    started = time.monotonic()
    ids = json.loads(ids_path.read_text())
    for path in ["/", "/provinces/", "/parks/", *(f"/provinces/{c}/" for c in ids["provinces"])]:
        get(path, timeout=120)
    return time.monotonic() - started


def sample_ids(database_url: str, path: Path) -> None:
    """Ids the simulated people use: published units (public pages), units of each province
    (the officers' edits), parks and provinces, names people type and the commonest word of
    the names (the heaviest name search: the most rows match it)."""
    import psycopg

    with psycopg.connect(database_url) as con:
        qom = con.execute("SELECT id FROM places_province WHERE code = 'IR-25'").fetchone()
        assert qom is not None, "load_reference has not run"

        def ids(sql: str, *params: object) -> list[object]:
            return [r[0] for r in con.execute(sql, params)]  # type: ignore[call-overload]

        data = {
            "published": ids(
                "SELECT id FROM enterprises_enterprise TABLESAMPLE SYSTEM (1) WHERE published "
                "LIMIT 3000"
            ),
            "province_units": {
                code: ids
                for code, ids in con.execute(
                    "SELECT p.code, (array_agg(e.id))[1:300] FROM enterprises_enterprise "
                    "e TABLESAMPLE SYSTEM (3) JOIN places_province p ON p.id = e.province_id "
                    "GROUP BY p.code"
                )
            },
            "parks": ids("SELECT id FROM places_park ORDER BY id"),
            "provinces": ids("SELECT code FROM places_province ORDER BY code"),
            # What people type: a unit's name without its legal form («(سهامی خاص)»).
            "names": ids(
                "SELECT regexp_replace(name, '\\s*\\(.*\\)\\s*', '', 'g') "
                "FROM enterprises_enterprise TABLESAMPLE SYSTEM (0.2) LIMIT 500"
            ),
        }
        words = Counter(w for name in data["names"] for w in str(name).split() if len(w) > 2)
        data["common_word"] = words.most_common(1)[0][0]
    path.write_text(json.dumps(data, ensure_ascii=False))
