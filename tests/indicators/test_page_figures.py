"""A dashboard's figures read from the shared cache in one round trip and written in one
(``sources.page_figures``, around every dashboard through ``pagecache.figures_page``):
after an edit, a process that built the page before asks Redis once for all its figures,
an edit still shows at once, and a Redis that is down still serves the page.

Against the real Redis on 127.0.0.1:6379 (``test_shared_figures``' fixture). "Another
process" is this one with its in-memory figures dropped (``sources._MEMO``); what the
process remembers of which figures each page asks for (``sources._PAGES``) is dropped or
kept as the case needs.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.models import Status
from indicators import facts, pagecache, selectors, sources
from indicators.catalogue import load_indicators
from persian.jalali import today
from pishran.cache import ForgivingRedisCache
from tests.factories import days_ago, make_enterprise
from tests.indicators.test_dashboards import card, make_idle
from tests.indicators.test_shared_figures import (  # noqa: F401  (fixtures)
    _closed_port,
    _no_outage_remembered,
    _redis_cache,
    shared,
)
from tests.views_helpers import page

PROVINCE = reverse("province_detail", args=["IR-25"])  # Qom


@pytest.fixture
def built(registry: Any, reference: Any) -> Any:
    load_indicators()
    make_enterprise(province=reference.qom, status=Status.IDLE, status_date=days_ago(50))
    facts.rebuild()
    return registry


@pytest.fixture
def calls(monkeypatch: Any) -> Counter[str]:
    """The shared cache's calls, by method (every one is a round trip to Redis)."""
    seen: Counter[str] = Counter()
    for name in ("get", "get_many", "set", "set_many"):
        original = getattr(ForgivingRedisCache, name)

        def counted(self: Any, *args: Any, _name: str = name, _original: Any = original) -> Any:
            seen[_name] += 1
            return _original(self, *args)

        monkeypatch.setattr(ForgivingRedisCache, name, counted)
    return seen


def _another_process(*, knows_the_page: bool) -> None:
    sources._MEMO.clear()
    if not knows_the_page:
        sources._PAGES.clear()


@pytest.mark.usefixtures("shared")
def test_after_an_edit_a_process_reads_a_dashboards_figures_in_one_round_trip(
    built: Any, national_admin: Any, client_for: Any, calls: Counter[str]
) -> None:
    staff = client_for(national_admin)  # a person's page: never the kept whole page
    assert card(page(staff.get(PROVINCE)), "units-idle")[1] == "۱"  # this process knows the page
    known = dict(sources._PAGES)

    sources.bump_version()  # an edit elsewhere: every figure is new
    _another_process(knows_the_page=False)
    calls.clear()
    first = page(staff.get(PROVINCE))  # the first process after the edit computes them
    assert calls["set_many"] == 1 and calls["set"] == 0  # and writes them in one round trip

    _another_process(knows_the_page=True)
    sources._PAGES.update(known)  # this process built the page before the edit
    calls.clear()
    with CaptureQueriesContext(connection) as queries:
        second = page(staff.get(PROVINCE))

    assert calls == Counter(get_many=1)  # one round trip, nothing computed nor written
    assert not [q["sql"] for q in queries if "indicators_fact" in q["sql"]]
    for key in ("units", "units-active", "units-idle", "jobs"):
        assert card(second, key) == card(first, key)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shared")
def test_an_edit_shows_at_once_in_the_page_and_in_the_figure(
    built: Any, reference: Any, anonymous: Any, national_admin: Any, client_for: Any, clock: Any
) -> None:
    idle = selectors.indicator("units-idle")
    qom = sources.Place("p", reference.qom.pk)
    for who in (anonymous, national_admin):
        assert card(page(client_for(who).get(PROVINCE)), "units-idle")[1] == "۱"

    make_idle(national_admin, built.e, days_ago(1))

    clock.advance(pagecache.FRESH_FOR)  # the public's kept page: within its bound
    for who in (anonymous, national_admin):  # the editor, and the public's kept page
        assert card(page(client_for(who).get(PROVINCE)), "units-idle")[1] == "۲"
    assert selectors.value_of(idle, qom, today()) == 2
    # Another process, which built the page before the edit and has not read the new
    # version yet: the public's page (built to be kept) has no figure of the old one.
    _another_process(knows_the_page=True)
    sources._local.update(read_at=0.0, bumped_at=0.0)
    assert card(page(client_for(anonymous).get(PROVINCE)), "units-idle")[1] == "۲"
    with sources.exact_version():
        assert selectors.value_of(idle, qom, today()) == 2


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_dashboards_are_served_and_show_an_edit(
    settings: Any, built: Any, anonymous: Any, national_admin: Any, client_for: Any
) -> None:
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {**settings.CACHES, "figures": _redis_cache(down, "pishran-test:figures")}
    for who in (anonymous, national_admin):
        for _twice in range(2):
            response = client_for(who).get(PROVINCE)
            assert response.status_code == 200
            assert card(page(response), "units-idle")[1] == "۱"

    make_idle(national_admin, built.e, days_ago(1))
    _another_process(knows_the_page=True)

    for who in (anonymous, national_admin):
        assert card(page(client_for(who).get(PROVINCE)), "units-idle")[1] == "۲"


@pytest.mark.usefixtures("shared")
def test_a_park_page_this_process_never_built_asks_the_cache_once(
    built: Any, reference: Any, national_admin: Any, client_for: Any, calls: Counter[str]
) -> None:
    staff = client_for(national_admin)
    assert staff.get(reverse("park_detail", args=[reference.park_p.pk])).status_code == 200
    other = reverse("park_detail", args=[reference.park_p2.pk])
    calls.clear()

    html = page(staff.get(other))  # read like the last park's page, at this park

    assert calls == Counter(get_many=1, set_many=1)  # nobody had its figures: computed
    assert card(html, "units")[1] == "۱"  # the park's own figures (its one unit)
    _another_process(knows_the_page=False)
    calls.clear()
    assert card(page(staff.get(other)), "units") == card(html, "units")
    assert calls["get_many"] == 0 and calls["set"] == calls["set_many"] == 0  # read, not computed
