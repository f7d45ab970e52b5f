"""Indicator dashboards at national scale: pre-aggregated facts against GROUP BY.

Run (after bench/seed_build.py has built 1,000,000 enterprises in pishran_bench and the
database is migrated with this branch):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_bench \
        .venv/bin/python bench/indicators.py [--runs 50] [--skip-rebuild]

In one run:
1. full rebuild of the facts (``indicators.facts.rebuild``), wall time and rows;
2. the national and a province dashboard, whole Django response through the test client,
   warm (one untimed request first; the figures cache is in place), p50/p95;
3. the same figures (headline counts, jobs, breakdowns by status, group and size, the
   province ranking) computed directly with GROUP BY over the registry tables, for today
   and for a past date (from the dated history), p50/p95, and the ratio to the pages' p95;
4. freshness: one status change through ``enterprises.services``, committed, then the
   province page requested until it shows the new figure: time from the save to the page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")

import django  # noqa: E402

django.setup()

from pishran.startup import settle  # noqa: E402

settle()  # as the web process starts (pishran/wsgi.py): its pages are the ones timed

from django.db import connection  # noqa: E402
from django.db.models import Count, Q, Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from clusters.selectors import programme_counts  # noqa: E402
from enterprises import services  # noqa: E402
from enterprises.models import OPERATING, TRANSITIONS, Enterprise, Status, StatusEvent  # noqa: E402
from indicators import facts, sources  # noqa: E402
from indicators.catalogue import load_indicators  # noqa: E402
from persian.jalali import today, year_bounds, year_of  # noqa: E402
from persian.text import to_latin_digits  # noqa: E402
from places.models import Park, Province  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _series(as_of: dt.date, province_id: int | None) -> None:
    """The chart: active units at each of the last 24 Jalali month ends, from the status
    history (each event's validity interval joined with the month ends; the unit's current
    province, which flatters the baseline: the page also follows moves)."""
    last = facts.month_index(as_of)
    ends = [facts.month_end(m) for m in range(last - 23, last)] + [as_of]
    where = (
        ("WHERE enterprise_id IN (SELECT id FROM enterprises_enterprise WHERE province_id = %s)")
        if province_id
        else ""
    )
    sql = f"""
        WITH me AS (SELECT unnest(%s::date[]) AS d),
             s AS (SELECT to_status, date AS d0, LEAD(date) OVER
                          (PARTITION BY enterprise_id ORDER BY date, id) AS d1
                   FROM enterprises_statusevent {where})
        SELECT me.d, COUNT(*) FROM s JOIN me ON s.d0 <= me.d AND (s.d1 IS NULL OR s.d1 > me.d)
        WHERE s.to_status = 'active' GROUP BY me.d"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [ends] + ([province_id] if province_id else []))
        cursor.fetchall()


def _flows_and_parks(as_of: dt.date, province_id: int | None) -> None:
    """Revivals and permits from 1 Farvardin to the date, the parks and zones, the clusters."""
    first = year_bounds(year_of(as_of))[0]
    revived = StatusEvent.objects.filter(
        to_status=Status.ACTIVE,
        from_status__in=[Status.IDLE, Status.SEMI_ACTIVE],
        date__range=(first, as_of),
    )
    permits = Enterprise.objects.filter(permit_date__range=(first, as_of))
    parks = Park.objects.all()
    if province_id:
        revived = revived.filter(enterprise__province_id=province_id)
        permits = permits.filter(province_id=province_id)
        parks = parks.filter(province_id=province_id)
    revived.aggregate(n=Count("id"), j=Sum("enterprise__employees"))
    permits.aggregate(n=Count("id"), j=Sum("employees"))
    list(parks.values_list("kind", "ownership", "is_active").annotate(n=Count("id")).order_by())
    programme_counts(as_of, Province.objects.get(pk=province_id) if province_id else None)


def baseline_today(province_id: int | None) -> None:
    """The dashboard's figures for today, straight from the registry: headline counts,
    breakdowns, the ranking, the monthly series, flows, parks (and, on a province page,
    each park's units by status)."""
    units = Enterprise.objects.all()
    if province_id:
        units = units.filter(province_id=province_id)
    operating = units.filter(status__in=OPERATING)
    list(units.values_list("status").annotate(n=Count("id")).order_by())
    list(operating.values_list("industry_group").annotate(n=Count("id")).order_by())
    list(operating.values_list("size_band").annotate(n=Count("id"), j=Sum("employees")).order_by())
    operating.aggregate(j=Sum("employees"), parks=Count("id", filter=Q(park__isnull=False)))
    units.filter(status=Status.UNDER_CONSTRUCTION, construction_progress__gte=60).count()
    list(
        Enterprise.objects.filter(status=Status.ACTIVE)
        .values_list("province")
        .annotate(n=Count("id"))
        .order_by()
    )
    if province_id:
        list(units.values_list("park", "status").annotate(n=Count("id")).order_by())
    _flows_and_parks(today(), province_id)
    _series(today(), province_id)


def baseline_as_of(as_of: dt.date, province_id: int | None) -> None:
    """The same figures as of a past date: each unit's status and place that day."""
    where = "AND l.province_id = %s" if province_id else ""
    sql = f"""
        WITH s AS (SELECT DISTINCT ON (enterprise_id) enterprise_id, to_status
                   FROM enterprises_statusevent WHERE date <= %s
                   ORDER BY enterprise_id, date DESC, id DESC),
             l AS (SELECT DISTINCT ON (enterprise_id) enterprise_id, province_id, park_id
                   FROM enterprises_locationevent WHERE date <= %s
                   ORDER BY enterprise_id, date DESC, id DESC)
        SELECT l.province_id, l.park_id, s.to_status, e.industry_group_id, e.size_band,
               COUNT(*), SUM(e.employees)
        FROM s JOIN l USING (enterprise_id) JOIN enterprises_enterprise e
             ON e.id = s.enterprise_id
        WHERE TRUE {where}
        GROUP BY l.province_id, l.park_id, s.to_status, e.industry_group_id, e.size_band"""
    params: list = [as_of, as_of] + ([province_id] if province_id else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
    _flows_and_parks(as_of, province_id)
    _series(as_of, province_id)


def card_value(html: str, key: str) -> int:
    match = re.search(rf'data-testid="card-{key}">([^<]+)<', html)
    assert match, key
    return int(to_latin_digits(match.group(1)).replace("٬", "").replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--baseline-runs", type=int, default=5)
    parser.add_argument("--skip-rebuild", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL benchmark database (see bench/README.md).")

    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, PostgreSQL "
        f"{connection.cursor().connection.info.server_version}"
    )
    print(f"Registry: {Enterprise.objects.count():,} enterprises")
    print(f"Load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    load_indicators()
    if not args.skip_rebuild:
        start = time.perf_counter()
        run = facts.rebuild()
        print(f"Full rebuild: {time.perf_counter() - start:.1f} s, {run.rows:,} fact rows")

    qom = Province.objects.get(code="IR-25")  # a small province (~20,000 units)
    isfahan = Province.objects.get(code="IR-10")  # the largest (~137,000 units)
    past = dt.date(2020, 3, 19)  # 1398/12/29
    pages = {
        "national /": ("/", lambda: baseline_today(None)),
        "province /provinces/IR-25/": ("/provinces/IR-25/", lambda: baseline_today(qom.pk)),
        "province /provinces/IR-10/": ("/provinces/IR-10/", lambda: baseline_today(isfahan.pk)),
        "national as of 1398/12/29": ("/?as_of=1398/12/29", lambda: baseline_as_of(past, None)),
        "province IR-25 as of 1398/12/29": (
            "/provinces/IR-25/?as_of=1398/12/29",
            lambda: baseline_as_of(past, qom.pk),
        ),
        "province IR-10 as of 1398/12/29": (
            "/provinces/IR-10/?as_of=1398/12/29",
            lambda: baseline_as_of(past, isfahan.pk),
        ),
        # The public indicators' headline and ranking: the national GROUP BY answers them.
        "public statistics /stats/": ("/stats/", lambda: baseline_today(None)),
    }
    results = {}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"]):
        client = Client()
        for label, (url, _baseline) in pages.items():
            assert client.get(url).status_code == 200  # warm
            results[label] = timed(lambda url=url: client.get(url), args.runs)
    base = {label: timed(baseline, args.baseline_runs) for label, (_url, baseline) in pages.items()}
    print(
        f"\n{'case':34} {'page p50':>9} {'page p95':>9} {'GROUP BY p50':>13} "
        f"{'GROUP BY p95':>13} {'ratio':>7}"
    )
    for label in pages:
        page, naive = results[label], base[label]
        ratio = percentile(naive, 0.5) / percentile(page, 0.95)
        print(
            f"{label:34} {percentile(page, 0.5):8.1f}ms {percentile(page, 0.95):8.1f}ms "
            f"{percentile(naive, 0.5):12.1f}ms {percentile(naive, 0.95):12.1f}ms {ratio:6.0f}×"
        )

    # A park's page reads its breakdowns from its units' histories (the facts keep a park's
    # totals only): the first request after any change computes them, later ones are kept.
    biggest = (
        Enterprise.objects.filter(park__isnull=False)
        .values("park")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"]):
        client = Client()
        url = f"/parks/{biggest['park']}/"
        cold = []
        for _ in range(3):
            sources.forget()
            cold += timed(lambda: client.get(url), 1)
        warm = timed(lambda: client.get(url), args.runs)
    print(
        f"\nLargest park ({biggest['n']:,} units now): first request after a change "
        f"{percentile(cold, 0.5):.0f} ms (median of 3), then p50 {percentile(warm, 0.5):.1f} ms, "
        f"p95 {percentile(warm, 0.95):.1f} ms"
    )

    # Freshness: one change through the service, then the province page until it shows it.
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"]):
        client = Client()
        unit = Enterprise.objects.filter(province=qom, status=Status.ACTIVE).order_by("-id").first()
        before = card_value(client.get("/provinces/IR-25/").content.decode(), "units-idle")
        assert Status.IDLE in TRANSITIONS[unit.status]
        start = time.perf_counter()
        services.enterprise_change_status(
            actor=None,
            enterprise=unit,
            to_status=Status.IDLE,
            date=max(today(), unit.status_since),
            reason="سنجش تازگی",
        )
        saved = time.perf_counter()
        while (
            card_value(client.get("/provinces/IR-25/").content.decode(), "units-idle") != before + 1
        ):
            if time.perf_counter() - start > 30:
                print("Freshness: not visible after 30 s")
                break
        seen = time.perf_counter()
        print(
            f"\nFreshness: save {1000 * (saved - start):.0f} ms (facts applied on commit), "
            f"visible on the province page {1000 * (seen - start):.0f} ms after the save began"
        )
        services.status_event_revoke_latest(actor=None, enterprise=unit, note="سنجش تازگی")
    print(f"Load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
