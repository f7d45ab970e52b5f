"""Directory speed at national scale: the product's directory against the naive baseline.

Run (after bench/seed_build.py has built 1,000,000 enterprises in pishran_bench):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_bench \
        .venv/bin/python bench/directory.py [--runs 30]

Each case is the whole Django response (middleware, view, query, template) through the
test client, warm (one untimed request first), as a national administrator (the widest
scope), as a provincial officer of the largest province (own province or published) and
as the anonymous public (published rows only). The "common word" is picked by frequency
(the three-letter product word matching closest to 4% of the units), searched nationally
and in the largest province. Prints p50/p95 per case for
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

from pishran.startup import settle  # noqa: E402

settle()  # as the web process starts (pishran/wsgi.py): its pages are the ones timed

from django.conf import settings  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from accounts.services import grant_give  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from persian.text import search_key  # noqa: E402
from places.models import Province  # noqa: E402

SAMPLE = 20_000  # units read to measure how often each word is found
COMMON_SHARE = 0.04  # the share of units a "short common word" matches (issue 20)


def _pick_name_fragment() -> str:
    """A distinctive two-word name fragment from the data itself."""
    name = Enterprise.objects.order_by("id").values_list("name", flat=True)[5000:5001][0]
    return " ".join(name.split()[-2:])


def _pick_common_word() -> tuple[str, float]:
    """The short (three-letter) product word whose search matches closest to 4% of the
    units, measured on an evenly spread sample of the registry: picked by frequency, so
    the case stays a common word whatever the generator or the seed."""
    total = Enterprise.objects.count()
    step = max(1, total // SAMPLE)
    texts = list(
        Enterprise.objects.filter(id__in=range(1, total + 1, step)).values_list(
            "search_text", "products"
        )
    )
    candidates = {
        word
        for _text, products in texts
        for word in products.split()
        if len(word) == 3 and search_key(word) == word
    }
    shares = {
        word: sum(1 for text, _p in texts if word in text) / len(texts)
        for word in sorted(candidates)
    }
    word = min(shares, key=lambda w: (abs(shares[w] - COMMON_SHARE), w))
    return word, shares[word]


def _largest_province() -> str:
    row = (
        Enterprise.objects.values("province__code")
        .annotate(n=Count("id"))
        .order_by("-n", "province__code")
        .first()
    )
    assert row is not None
    return str(row["province__code"])


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
    parser.add_argument(
        "--baseline-runs", type=int, default=5, help="0: the naive baseline is not measured"
    )
    parser.add_argument(
        "--only", default="", help="measure only the cases whose label contains this text"
    )
    parser.add_argument(
        "--who", default="admin,officer,public", help="comma-separated: admin, officer, public"
    )
    args = parser.parse_args()

    vendor = django.db.connection.vendor
    total = Enterprise.objects.count()
    # Roles are grants (the user has no role field any more).
    admin, _ = User.objects.get_or_create(username="bench-admin")
    if not admin.grants.live().filter(role=Role.NATIONAL_ADMIN).exists():
        grant_give(actor=None, person=admin, role=Role.NATIONAL_ADMIN, place_id=None)
    largest = _largest_province()
    officer, _ = User.objects.get_or_create(username="bench-officer")
    largest_id = Province.objects.get(code=largest).pk
    if not officer.grants.live().filter(role=Role.PROVINCIAL_OFFICER, place_id=largest_id).exists():
        grant_give(actor=None, person=officer, role=Role.PROVINCIAL_OFFICER, place_id=largest_id)
    name_fragment = _pick_name_fragment()
    common, share = _pick_common_word()
    deep = _deep_cursor(Client(), "", 20_000)
    deep_offset_page = 20_001
    cases = [
        ("name search", {"q": name_fragment}, {"q": name_fragment}),
        ("common word", {"q": common}, {"q": common}),
        (
            "common word + largest province",
            {"q": common, "province": largest},
            {"q": common, "province": largest},
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
    print(
        f"name fragment: {name_fragment!r}; common word: {common!r} (matches {share:.1%} of "
        f"a {SAMPLE:,}-unit sample); largest province: {largest}"
    )
    print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    header = f"{'case':38} {'who':6} {'p50 ms':>8} {'p95 ms':>8} | {'naive p50':>10} {'naive p95':>10} | {'ratio p95':>9}"
    print(header)
    print("-" * len(header))
    with override_settings(ROOT_URLCONF="bench.naive_urls", DEBUG=False):
        for who in args.who.split(","):
            client = Client()
            if who != "public":
                client.force_login(admin if who == "admin" else officer)
            for label, params, naive_params in cases:
                if args.only not in label:
                    continue
                url = "/enterprises/?" + urlencode(params)
                p50, p95, status = measure(client, url, args.runs)
                assert status == 200, status
                if args.baseline_runs <= 0:
                    print(f"{label:38} {who:6} {p50:8.1f} {p95:8.1f} |", flush=True)
                    continue
                naive_url = "/bench/naive-directory/?" + urlencode(naive_params)
                n50, n95, nstatus = measure(client, naive_url, args.baseline_runs)
                assert nstatus == 200, nstatus
                print(
                    f"{label:38} {who:6} {p50:8.1f} {p95:8.1f} | {n50:10.1f} {n95:10.1f} | "
                    f"{n95 / p95:8.1f}x",
                    flush=True,
                )
    print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    _ = settings


if __name__ == "__main__":
    main()
