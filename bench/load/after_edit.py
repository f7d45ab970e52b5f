"""What an anonymous request to each public dashboard costs in one process right after an
officer's save: thread CPU and wall time, median of ``N`` saves (the comparable figure on
a shared machine, where the load test's times are the other jobs' as much as ours).

    . env  # DJANGO_DEBUG=false, DATABASE_URL=<a migrated copy with facts>, REDIS_URL, ...
    N=7 .venv/bin/python bench/load/after_edit.py

A save in Qom is simulated by what it starts: a new figures version of the national figures
and of Qom (``sources.bump_version``). Each visitor comes from an address of their own
through the trusted proxy (``PISHRAN_TRUSTED_PROXIES=127.0.0.1``), as in the load test.
Results: docs/benchmarks.md."""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from indicators import sources  # noqa: E402
from places.models import Province  # noqa: E402

PAGES = [
    "/",
    "/?export=xlsx",
    "/provinces/",
    "/provinces/?export=xlsx",
    "/provinces/IR-25/",
    "/provinces/IR-25/?export=csv",
    "/provinces/IR-23/",
]
_visitors = itertools.count(1)


def get(client: Client, path: str) -> None:
    n = next(_visitors)
    response: Any = client.get(
        path,
        secure=True,
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=f"10.9.{n // 250 % 250}.{n % 250 + 1}",
    )
    assert response.status_code == 200, (path, response.status_code)
    b"".join(response.streaming_content) if response.streaming else response.content


def main() -> None:
    n = int(os.environ.get("N", "7"))
    qom = Province.objects.get(code="IR-25").pk
    client = Client()
    print("load average before:", os.getloadavg())
    for path in PAGES:  # warm: every figure computed once
        get(client, path)
    times: dict[str, list[tuple[float, float]]] = {path: [] for path in PAGES}
    for _ in range(n):
        sources.bump_version({qom})  # what an officer's save in Qom starts
        time.sleep(0.3)  # past sources.STALE_OK
        for path in PAGES:
            cpu, wall = time.thread_time(), time.perf_counter()
            get(client, path)
            times[path].append(
                ((time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000)
            )
    print("load average after:", os.getloadavg())
    print(f"{'page':32} CPU ms   wall ms (median of {n} saves)")
    for path, seen in times.items():
        cpu_ms = statistics.median(c for c, _ in seen)
        wall_ms = statistics.median(w for _, w in seen)
        print(f"{path:32} {cpu_ms:6.1f}   {wall_ms:7.1f}")


if __name__ == "__main__":
    main()
