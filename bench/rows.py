"""Rows behind a figure at national scale (issue 20): ``indicators.views.indicator_rows``
against the naive baseline (the page as it was: correlated "latest event" subqueries per
unit, an exact COUNT, OFFSET pages; ``bench/naive_rows.py``), in the same run.

Run (a copy of the 1,000,000-unit benchmark database, migrated with this branch and its
facts rebuilt with ``manage.py rebuild_facts``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishran_rows \\
        .venv/bin/python bench/rows.py [--runs 15] [--baseline-runs 1] [--baseline some|all|none]

Each case is the whole Django response through the test client (DEBUG False, the rate
limits off), warm (one untimed request first): figures units-in-parks, units-idle, jobs
and units-active; the country and the largest province (IR-10); today and a past date
(1398/12/29); the first page and a deep page; as a national administrator, the provincial
officer of IR-10 and the anonymous public. The deep page is, for the product, the page
after the cursor of the unit halfway through the name order (row 500,000 of the whole
registry: halfway through every list); for the baseline, ``?page=2000`` (its Paginator
answers the last page when there are fewer). Prints p50/p95 per case, the baseline's for
the cases chosen (``--baseline some``: one of each kind per person, as each baseline
request takes seconds), nproc and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")

import django  # noqa: E402

django.setup()

from pishran.startup import settle  # noqa: E402

settle()  # as the web process starts (pishran/wsgi.py): its pages are the ones timed

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from accounts.services import grant_give  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from indicators import rows  # noqa: E402
from indicators.catalogue import load_indicators  # noqa: E402
from places.models import Province  # noqa: E402

PAST = "1398/12/29"
FIGURES = ("units-in-parks", "units-idle", "jobs", "units-active")
# The baseline's cases with --baseline some: (figure, province, past date, deep page).
SOME = {
    ("units-in-parks", "", False, False),
    ("units-in-parks", "", True, True),
    ("units-idle", "IR-10", True, False),
    ("jobs", "", True, True),
}


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def timed(client: Client, url: str, runs: int, fresh: bool = True) -> list[float]:
    out = []
    for _ in range(runs):
        if fresh:
            cache.clear()  # every request counts afresh (a visitor's first page)
        start = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def person(username: str, role: str, place_id: int | None) -> User:
    user, _ = User.objects.get_or_create(username=username)
    if not user.grants.live().filter(role=role).exists():
        grant_give(actor=None, person=user, role=role, place_id=place_id)
    return user


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_and_people() -> dict[str, User]:
    """Prints the machine, PostgreSQL, the load and the registry's size; loads the
    indicators; the national administrator and the provincial officer of IR-10."""
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL benchmark database.")
    print(
        f"Machine: {platform.platform()}, nproc {os.cpu_count()}, PostgreSQL "
        f"{connection.cursor().connection.info.server_version}; load before: {load()}"
    )
    print(f"Registry: {Enterprise.objects.count():,} enterprises")
    load_indicators()
    isfahan = Province.objects.get(code="IR-10")
    return {
        "admin": person("bench-rows-admin", Role.NATIONAL_ADMIN, None),
        "officer": person("bench-rows-officer", Role.PROVINCIAL_OFFICER, isfahan.pk),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--baseline", choices=("some", "all", "none"), default="some")
    parser.add_argument(
        "--kept-counts",
        action="store_true",
        help="keep the capped counts between requests (a person paging on) instead of "
        "counting afresh each time (a visitor's first page, the default)",
    )
    parser.add_argument("--no-flows", action="store_true", help="skip the flows' cases")
    parser.add_argument("--flows-only", action="store_true", help="the flows' cases only")
    parser.add_argument(
        "--park-kinds-only",
        action="store_true",
        help="the park kind × ownership narrowings only (issue 20, item 2)",
    )
    parser.add_argument("--no-park-kinds", action="store_true", help="skip the park kinds' cases")
    args = parser.parse_args()
    people: dict[str, User | None] = {**machine_and_people(), "public": None}
    print(f"Runs {args.runs}")
    if args.flows_only:
        print(f"Worst p95: {flows(people, args.runs):.1f} ms; load after: {load()}")
        return
    if args.park_kinds_only:
        print(f"Worst p95: {park_kinds(people, args.runs):.1f} ms; load after: {load()}")
        return
    middle = Enterprise.objects.order_by("sort_key", "id")[500_000]
    deep = rows.encode_cursor(middle)

    header = (
        f"{'figure':15} {'place':6} {'date':10} {'page':5} {'who':8} "
        f"{'p50 ms':>8} {'p95 ms':>8} | {'naive p50':>10} {'naive p95':>10} | {'rows':>5} {'load1':>6}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    with override_settings(
        ROOT_URLCONF="bench.naive_rows", DEBUG=False, PISHRAN_RATE_LIMITS_ENABLED=False
    ):
        for who, user in people.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            for figure in FIGURES:
                for province in ("", "IR-10"):
                    for past in (False, True):
                        for is_deep in (False, True):
                            params = {}
                            if past:
                                params["as_of"] = PAST
                            if province:
                                params["province"] = province
                            new = dict(params, after=deep) if is_deep else params
                            url = f"/indicators/{figure}/rows/?{urlencode(new)}"
                            cache.clear()
                            first = client.get(url)  # warm
                            shown = first.content.decode().count('data-testid="drill-row"')
                            times = timed(client, url, args.runs, fresh=not args.kept_counts)
                            worst = max(worst, percentile(times, 0.95))
                            naive = ""
                            if args.baseline == "all" or (
                                args.baseline == "some"
                                and (figure, province, past, is_deep) in SOME
                            ):
                                old = dict(params, page="2000") if is_deep else params
                                nurl = f"/bench/naive-rows/{figure}/?{urlencode(old)}"
                                n = timed(client, nurl, args.baseline_runs)
                                naive = f"{percentile(n, 0.5):10.0f} {percentile(n, 0.95):10.0f}"
                            print(
                                f"{figure:15} {province or 'IR':6} {PAST if past else 'today':10} "
                                f"{'deep' if is_deep else '1':5} {who:8} "
                                f"{percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f} | "
                                f"{naive or ' ' * 21} | {shown:5} {os.getloadavg()[0]:6.2f}",
                                flush=True,
                            )
    if not args.no_flows:
        worst = max(worst, flows(people, args.runs))
    if not args.no_park_kinds:
        worst = max(worst, park_kinds(people, args.runs))
    print(f"Worst p95 of the product's cases: {worst:.1f} ms; load after: {load()}")


FLOW_DATE = "1404/12/29"  # a whole year of the benchmark's history (it ends that year)
FLOW_PLACES = ("", "IR-10", "IR-30")


def flows(people: dict[str, User | None], runs: int) -> float:
    """The flows' rows (revivals newest first, permits in name order) of the year to
    ``FLOW_DATE``: the country, the largest province and a smaller one; the first page and
    a deep one (revivals: after the revival halfway through the country's year; permits:
    after the unit halfway through the registry), as each person. Prints p50/p95."""
    from enterprises.models import REVIVAL_FROM, Status, StatusEvent
    from indicators.models import Indicator
    from persian import jalali

    as_of = jalali.parse(FLOW_DATE)
    revivals = StatusEvent.objects.filter(
        date__range=(jalali.year_start(as_of), as_of),
        to_status=Status.ACTIVE,
        from_status__in=sorted(REVIVAL_FROM),
    ).order_by("-date", "-id")
    middle = revivals[revivals.count() // 2]
    unit = Enterprise.objects.order_by("sort_key", "id")[500_000]
    deep = {
        "revived": f"{middle.date.isoformat()}.{middle.pk}",
        "permits": rows.encode_cursor(unit),
    }
    assert Indicator.objects.filter(key__in=deep).count() == 2
    worst = 0.0
    print(f"Flows, as of {FLOW_DATE}")
    with override_settings(DEBUG=False, PISHRAN_RATE_LIMITS_ENABLED=False):
        for who, user in people.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            for figure, after in deep.items():
                for province in FLOW_PLACES:
                    for is_deep in (False, True):
                        params = {"as_of": FLOW_DATE}
                        if province:
                            params["province"] = province
                        if is_deep:
                            params["after"] = after
                        url = f"/indicators/{figure}/rows/?{urlencode(params)}"
                        first = client.get(url)  # warm
                        shown = first.content.decode().count('data-testid="drill-row"')
                        times = timed(client, url, runs)
                        worst = max(worst, percentile(times, 0.95))
                        print(
                            f"{figure:15} {province or 'IR':6} {FLOW_DATE:10} "
                            f"{'deep' if is_deep else '1':5} {who:8} "
                            f"{percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f} | "
                            f"{' ' * 21} | {shown:5} {os.getloadavg()[0]:6.2f}",
                            flush=True,
                        )
    return worst


# The numbers of the table "units and jobs by park kind and ownership" (the country's and a
# province's pages, ``/parks/units-by-kind/``): the rows of a (kind, ownership) group, the
# smallest one (private zones: 0.5% of the units), a status within a group, the jobs outside
# parks.
PARK_KINDS = (
    ("units", {"park_kind": "zone", "ownership": "private"}),
    ("units", {"park_kind": "park", "ownership": "private", "status": "idle"}),
    ("jobs", {"park_kind": "none"}),
)


def park_kinds(people: dict[str, User | None], runs: int) -> float:
    """The rows pages narrowed by the kind and ownership of the unit's park on the date: the
    country and the largest province, today and ``PAST``, the first page and the page after
    the unit halfway through the registry, as each person. Prints p50/p95."""
    unit = Enterprise.objects.order_by("sort_key", "id")[500_000]
    deep = rows.encode_cursor(unit)
    worst = 0.0
    print("Park kind × ownership")
    with override_settings(DEBUG=False, PISHRAN_RATE_LIMITS_ENABLED=False):
        for who, user in people.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            for figure, narrow in PARK_KINDS:
                for province in ("", "IR-10"):
                    for past in (False, True):
                        for is_deep in (False, True):
                            params = dict(narrow)
                            if past:
                                params["as_of"] = PAST
                            if province:
                                params["province"] = province
                            if is_deep:
                                params["after"] = deep
                            url = f"/indicators/{figure}/rows/?{urlencode(params)}"
                            cache.clear()
                            first = client.get(url)  # warm
                            shown = first.content.decode().count('data-testid="drill-row"')
                            times = timed(client, url, runs)
                            worst = max(worst, percentile(times, 0.95))
                            label = "/".join(v for k, v in narrow.items())
                            print(
                                f"{figure + ' ' + label:28} {province or 'IR':6} "
                                f"{PAST if past else 'today':10} {'deep' if is_deep else '1':5} "
                                f"{who:8} {percentile(times, 0.5):8.1f} "
                                f"{percentile(times, 0.95):8.1f} | {shown:5} "
                                f"{os.getloadavg()[0]:6.2f}",
                                flush=True,
                            )
    return worst


if __name__ == "__main__":
    main()
