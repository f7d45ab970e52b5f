"""Export consortia pages and a figure, timed through Django's test client on a demo
database (docs/benchmarks.md, "Export consortia"). Run on a seeded demo:

    PISHRAN_DEMO=1 PISHRAN_VAR_DIR=… .venv/bin/python manage.py shell < bench/consortia_pages.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from accounts.services import grant_give
from consortia.models import Consortium
from indicators import sources
from indicators.base import Place
from indicators.models import Indicator
from indicators.selectors import value_of
from persian.jalali import today


def timed(label: str, call: Callable[[], Any], runs: int = 30) -> None:
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    with CaptureQueriesContext(connection) as queries:
        call()
    print(
        f"{label}: median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(0.95 * len(times)) - 1]:.1f} ms, {len(queries)} queries"
    )


def main() -> None:
    admin = User.objects.filter(username="bench_admin").first()
    if admin is None:
        admin = User.objects.create(username="bench_admin")
        grant_give(actor=None, person=admin, role=Role.NATIONAL_ADMIN)
    client = Client()
    client.force_login(admin)
    last = Consortium.objects.order_by("-pk").select_related("province").first()
    assert last is not None, "run seed_consortia first"
    params = {"province": last.province.code, "market": "IQ", "q": "کنسرسیوم"}
    timed("list (page of 50)", lambda: client.get("/consortia/"))
    timed("list filtered by province, market and name", lambda: client.get("/consortia/", params))
    timed("consortium page", lambda: client.get(f"/consortia/{last.pk}/"))
    members = Indicator.objects.get(key="consortium-members")

    def cold() -> None:
        sources.forget()
        value_of(members, Place("c"), today())

    timed("figure (members, country) computed cold", cold)


main()
