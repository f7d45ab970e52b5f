"""Directory speed at national scale: the product's directory against the naive baseline.

Run (after bench/seed_build.py has built 1,000,000 enterprises in pishran_bench):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_bench \
        .venv/bin/python bench/directory.py [--runs 30]

Each case is the whole Django response (middleware, view, query, template) through the
test client, warm (one untimed request first), as a national administrator (the widest
scope) and as the anonymous public (published rows only). Prints p50/p95 per case for
both implementations and the ratio of their p95s, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from accounts.services import grant_give  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402


def _pick_name_words() -> tuple[str, str]:
    """A distinctive two-word name fragment and a product word from the data itself."""
    sample = Enterprise.objects.order_by("id").values_list("name", "products")[5000:5001]
    name, products = sample[0]
    words = name.split()
    return " ".join(words[-2:]), products.split()[0]


def _deep_cursor(client: Client, base: str, pages: int) -> str:
    """Follow Next links ``pages`` times is too slow to set up for 30,000 pages; instead
    jump: the cursor of the row at position pages*25 in the sort order."""
    from enterprises.selectors import _encode_cursor

    row = Enterprise.objects.order_by("sort_key", "id").values_list("sort_key", "id")[
        pages * 25 : pages * 25 + 1
    ][0]
    return _encode_cursor(row)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[index]


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    response = client.get(url)  # warm
    status = response.status_code
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    return statistics.median(times), percentile(times, 0.95), status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--baseline-runs", type=int, default=5)
    args = parser.parse_args()

    vendor = django.db.connection.vendor
    total = Enterprise.objects.count()
    # Roles are grants (the user has no role field any more).
    admin, _ = User.objects.get_or_create(username="bench-admin")
    if not admin.grants.live().filter(role=Role.NATIONAL_ADMIN).exists():
        grant_give(actor=None, person=admin, role=Role.NATIONAL_ADMIN, place_id=None)
    name_fragment, product = _pick_name_words()
    deep = _deep_cursor(Client(), "", 20_000)
    deep_offset_page = 20_001
    cases = [
        ("name search", {"q": name_fragment}, {"q": name_fragment}),
        (
            "product search + province",
            {"q": product, "province": "IR-10"},
            {"q": product, "province": "IR-10"},
        ),
        (
            "province + status",
            {"province": "IR-23", "status": "idle"},
            {"province": "IR-23", "status": "idle"},
        ),
        (
            "group + size + status",
            {"group": "metal", "size": "medium", "status": "active"},
            {"group": "metal", "size": "medium", "status": "active"},
        ),
        (
            "province + group + kb + exporter",
            {"province": "IR-10", "group": "chemical", "kb": "1", "exporter": "1"},
            {"province": "IR-10", "group": "chemical", "kb": "1", "exporter": "1"},
        ),
        (
            "all filters",
            {
                "province": "IR-07",
                "group": "food",
                "size": "small",
                "status": "active",
                "exporter": "1",
            },
            {
                "province": "IR-07",
                "group": "food",
                "size": "small",
                "status": "active",
                "exporter": "1",
            },
        ),
        ("deep page (row 500,000)", {"after": deep}, {"page": str(deep_offset_page)}),
        ("first page, no filter", {}, {}),
    ]
    from urllib.parse import urlencode

    print(
        f"database: {vendor}; enterprises: {total:,}; runs per case: {args.runs} "
        f"(baseline {args.baseline_runs})"
    )
    print(f"name fragment: {name_fragment!r}; product word: {product!r}")
    header = f"{'case':38} {'who':6} {'p50 ms':>8} {'p95 ms':>8} | {'naive p50':>10} {'naive p95':>10} | {'ratio p95':>9}"
    print(header)
    print("-" * len(header))
    with override_settings(ROOT_URLCONF="bench.naive_urls", DEBUG=False):
        for who in ("admin", "public"):
            client = Client()
            if who == "admin":
                client.force_login(admin)
            for label, params, naive_params in cases:
                url = "/enterprises/?" + urlencode(params)
                naive_url = "/bench/naive-directory/?" + urlencode(naive_params)
                p50, p95, status = measure(client, url, args.runs)
                n50, n95, nstatus = measure(client, naive_url, args.baseline_runs)
                assert status == 200 and nstatus == 200, (status, nstatus)
                print(
                    f"{label:38} {who:6} {p50:8.1f} {p95:8.1f} | {n50:10.1f} {n95:10.1f} | "
                    f"{n95 / p95:8.1f}x",
                    flush=True,
                )
    _ = settings


if __name__ == "__main__":
    main()
