"""Indicator figures from hand-built registries with known answers, the incremental path
against the full rebuild, and Jalali period edges."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from enterprises import services
from enterprises.models import Status
from indicators import facts, sources
from indicators.catalogue import load_indicators
from indicators.models import Indicator, RefreshRun
from indicators.selectors import by_province, value_of
from indicators.sources import COUNTRY, Place
from persian.jalali import parse, today
from tests.factories import make_enterprise, reload


def today_text() -> str:
    from persian.jalali import format_date

    return format_date(today(), persian_digits=False)


def J(text: str) -> dt.date:
    return parse(text)


@pytest.fixture
def shipped(reference) -> dict[str, Indicator]:
    load_indicators()
    return {i.key: i for i in Indicator.objects.select_related("numerator", "denominator")}


def value(shipped, key: str, when: str, place: Place = COUNTRY):
    return value_of(shipped[key], place, J(when))


def rebuilt() -> dict:
    facts.rebuild()
    from django.core.cache import cache

    cache.clear()
    sources.forget()
    return facts.all_facts()


def test_the_sql_rebuild_and_the_unit_by_unit_sum_agree(reference, shipped) -> None:
    a = make_enterprise(
        park=reference.park_p,
        status=Status.UNDER_CONSTRUCTION,
        status_date=J("1400/01/15"),
        construction_progress=70,
    )
    b = make_enterprise(province=reference.tehran, status_date=J("1401/06/31"), employees=150)
    services.enterprise_change_status(
        actor=None,
        enterprise=b,
        to_status=Status.IDLE,
        date=J("1402/03/01"),
        reason="کمبود نقدینگی",
    )
    services.enterprise_change_status(
        actor=None, enterprise=b, to_status=Status.ACTIVE, date=J("1402/03/20"), reason="احیا"
    )
    services.enterprise_move(
        actor=None,
        enterprise=reload(a),
        province=reference.tehran,
        park=None,
        date=J("1402/05/10"),
        reason="جابه‌جایی",
    )

    assert rebuilt() == facts.python_facts()
    assert rebuilt()  # not trivially equal: there are facts


def test_a_unit_that_moved_province_is_counted_where_it_stood_on_each_date(
    reference, shipped
) -> None:
    unit = make_enterprise(province=reference.qom, status_date=J("1398/01/10"))
    services.enterprise_move(
        actor=None,
        enterprise=unit,
        province=reference.tehran,
        park=None,
        date=J("1400/07/01"),
        reason="جابه‌جایی",
    )
    rebuilt()
    qom, tehran = Place("p", reference.qom.pk), Place("p", reference.tehran.pk)

    assert value(shipped, "units-active", "1398/12/29", qom) == 1
    assert value(shipped, "units-active", "1398/12/29", tehran) == 0
    assert value(shipped, "units-active", "1400/06/31", qom) == 1  # the day before the move
    assert value(shipped, "units-active", "1400/07/01", qom) == 0  # mid-month: the move day
    assert value(shipped, "units-active", "1400/07/01", tehran) == 1
    assert value(shipped, "units-active", "1400/07/30", tehran) == 1
    assert value(shipped, "units-active", "1398/01/09", COUNTRY) == 0  # before registration
    ranking = by_province(shipped["units-active"], J("1399/01/01"))
    assert ranking.get(reference.qom.pk) == 1 and not ranking.get(reference.tehran.pk)


def test_status_back_and_forth_within_a_month_counts_each_revival(reference, shipped) -> None:
    unit = make_enterprise(province=reference.qom, status_date=J("1401/01/05"))
    for day, status in (
        ("1402/05/02", Status.IDLE),
        ("1402/05/10", Status.ACTIVE),
        ("1402/05/12", Status.SEMI_ACTIVE),
        ("1402/05/20", Status.ACTIVE),
    ):
        services.enterprise_change_status(
            actor=None, enterprise=unit, to_status=status, date=J(day), reason="بازدید"
        )
    rebuilt()

    assert value(shipped, "revived", "1402/05/31") == 2
    assert value(shipped, "revived", "1402/05/11") == 1  # the month so far
    assert value(shipped, "revived", "1402/05/09") == 0
    assert value(shipped, "units-idle", "1402/05/05") == 1
    assert value(shipped, "units-active", "1402/05/31") == 1
    assert value(shipped, "revived", "1403/01/31") == 0  # a new year starts from nothing


def test_the_leap_esfand_1403_30_is_the_last_day_of_the_year(reference, shipped) -> None:
    unit = make_enterprise(province=reference.qom, status_date=J("1402/01/05"))
    services.enterprise_change_status(
        actor=None, enterprise=unit, to_status=Status.IDLE, date=J("1403/11/01"), reason="رکود"
    )
    services.enterprise_change_status(
        actor=None, enterprise=unit, to_status=Status.ACTIVE, date=J("1403/12/30"), reason="احیا"
    )
    rebuilt()

    assert value(shipped, "revived", "1403/12/30") == 1
    assert value(shipped, "revived", "1403/12/29") == 0
    assert value(shipped, "units-active", "1403/12/30") == 1
    assert value(shipped, "units-idle", "1403/12/29") == 1
    assert value(shipped, "revived", "1404/01/01") == 0


def test_ratios_over_nothing_are_none_and_shares_are_percentages(reference, shipped) -> None:
    assert value(shipped, "share-sme-units", "1402/12/29") is None
    make_enterprise(province=reference.qom, employees=5, status_date=J("1401/01/01"))
    make_enterprise(province=reference.qom, employees=300, status_date=J("1401/01/01"))
    rebuilt()

    assert value(shipped, "share-sme-units", "1402/12/29") == Decimal("50.0")
    assert value(shipped, "share-sme-jobs", "1402/12/29") == Decimal("1.6")
    empty = Place("p", reference.tehran.pk)
    assert value(shipped, "share-sme-units", "1402/12/29", empty) is None
    assert value(shipped, "units", "1402/12/29", empty) == 0


def test_inside_and_outside_parks_and_semi_finished(reference, shipped) -> None:
    make_enterprise(park=reference.park_p, status_date=J("1401/01/01"))
    make_enterprise(province=reference.qom, status_date=J("1401/01/01"))
    make_enterprise(
        province=reference.qom,
        status=Status.UNDER_CONSTRUCTION,
        status_date=J("1401/01/01"),
        construction_progress=65,
    )
    make_enterprise(
        province=reference.qom,
        status=Status.UNDER_CONSTRUCTION,
        status_date=J("1401/01/01"),
        construction_progress=20,
    )
    rebuilt()
    qom = Place("p", reference.qom.pk)

    assert value(shipped, "units-in-parks", "1402/01/01", qom) == 1
    assert value(shipped, "units-outside-parks", "1402/01/01", qom) == 1
    assert value(shipped, "semi-finished", "1402/01/01", qom) == 1
    assert value(shipped, "units", "1402/01/01", Place("k", reference.park_p.pk)) == 1


def test_a_parks_own_page_counts_all_its_units_inside_parks_and_none_outside(
    reference, shipped
) -> None:
    """The facts keep a park's totals only; the in/outside-parks figures of a park come from
    its units, today and on a past date (a unit that left later still counted there)."""
    from indicators.selectors import monthly

    park = Place("k", reference.park_p.pk)
    make_enterprise(park=reference.park_p, status_date=J("1400/01/10"))
    leaves = make_enterprise(park=reference.park_p, status_date=J("1400/01/10"))
    services.enterprise_move(
        actor=None,
        enterprise=leaves,
        province=reference.qom,
        park=None,
        date=J("1402/05/10"),
        reason="جابه‌جایی",
    )
    make_enterprise(province=reference.qom, status_date=J("1400/01/10"))  # Qom, outside
    rebuilt()

    for when, units in (("1401/12/29", 2), (today_text(), 1)):
        assert value(shipped, "units-in-parks", when, park) == units, when
        assert value(shipped, "units-outside-parks", when, park) == 0, when
    series = dict(monthly(shipped["units-in-parks"], park, J("1401/12/29")))
    assert series[max(series)] == 2


def test_changes_through_the_services_keep_the_facts_equal_to_a_rebuild(
    reference, shipped, django_capture_on_commit_callbacks
) -> None:
    rng = random.Random(1404)
    places = [
        (reference.qom, None),
        (reference.qom, reference.park_p),
        (reference.qom, reference.park_p2),
        (reference.tehran, reference.park_tehran),
        (reference.tehran, None),
    ]
    units = []
    with django_capture_on_commit_callbacks(execute=True):
        facts.rebuild()
        for _n in range(8):
            province, park = rng.choice(places)
            units.append(
                make_enterprise(
                    province=province,
                    park=park,
                    employees=rng.randint(1, 200),
                    status_date=J(f"139{rng.randint(5, 9)}/0{rng.randint(1, 9)}/15"),
                )
            )
        for _step in range(40):
            unit = reload(rng.choice(units))
            day = unit.status_since + dt.timedelta(days=rng.randint(0, 400))
            day = min(day, today() - dt.timedelta(days=1))
            action = rng.random()
            try:
                if action < 0.6:
                    from enterprises.models import TRANSITIONS

                    options = sorted(TRANSITIONS[unit.status])
                    if not options:
                        continue
                    services.enterprise_change_status(
                        actor=None,
                        enterprise=unit,
                        to_status=rng.choice(options),
                        date=day,
                        reason="بازدید",
                    )
                elif action < 0.8:
                    province, park = rng.choice(places)
                    services.enterprise_move(
                        actor=None,
                        enterprise=unit,
                        province=province,
                        park=park,
                        date=day,
                        reason="جابه‌جایی",
                    )
                elif action < 0.9:
                    services.enterprise_update(
                        actor=None,
                        enterprise=unit,
                        data={"employees": rng.randint(1, 300)},
                        fields=("employees",),
                    )
                else:
                    services.status_event_revoke_latest(actor=None, enterprise=unit, note="اشتباه")
            except Exception:  # a refused change (date order, lifecycle) changes nothing
                continue
    incremental = facts.all_facts()

    assert incremental == rebuilt()


def test_a_rebuild_records_its_run_and_a_dead_run_is_reported(reference, shipped) -> None:
    make_enterprise(province=reference.qom)
    run = facts.rebuild()
    stale = RefreshRun.objects.create(kind="rebuild", step="carry")

    assert run.state == RefreshRun.State.DONE and run.rows > 0
    assert facts.mark_abandoned_runs() == 1
    stale.refresh_from_db()
    assert stale.state == RefreshRun.State.FAILED and "stopped" in stale.error


def test_shipped_indicators_load_once(reference) -> None:
    load_indicators()
    count = Indicator.objects.count()

    assert load_indicators() == 0
    assert Indicator.objects.count() == count >= 15


def test_the_rebuild_task_reports_its_run_and_closes_an_abandoned_one(reference, shipped) -> None:
    from indicators.tasks import rebuild_facts_task

    make_enterprise(province=reference.qom)
    abandoned = RefreshRun.objects.create(kind="rebuild", step="fine")

    pk = rebuild_facts_task.call()

    assert RefreshRun.objects.get(pk=pk).state == RefreshRun.State.DONE
    assert RefreshRun.objects.get(pk=abandoned.pk).state == RefreshRun.State.FAILED
    assert facts.all_facts() == facts.python_facts()


@pytest.mark.django_db(transaction=True)
def test_a_change_saved_before_a_rebuild_but_applied_after_it_is_counted_once(
    reference, shipped, monkeypatch
) -> None:
    """The change committed, its commit hook not run yet when the rebuild read the
    registry: the rebuild counts it, so the hook that runs afterwards must not."""
    unit = make_enterprise(province=reference.qom, status_date=J("1401/01/10"))
    facts.rebuild()
    held: list = []
    apply_change = facts._apply_change
    monkeypatch.setattr(facts, "_apply_change", held.append)
    services.enterprise_change_status(
        actor=None,
        enterprise=unit,
        to_status=Status.IDLE,
        date=J("1402/02/02"),
        reason="کمبود مواد اولیه",
    )
    monkeypatch.setattr(facts, "_apply_change", apply_change)
    assert len(held) == 1

    facts.rebuild()
    apply_change(held[0])

    assert facts.all_facts() == facts.python_facts()
    assert value(shipped, "units-idle", "1403/01/01") == 1


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_while_a_rebuild_runs_is_not_lost(reference, shipped) -> None:
    """Another request saves a change while the rebuild is between its steps: the rebuild's
    snapshot does not see it, and the swapped-in facts must still include it."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite: a rebuild holds the write lock, so no change commits during it")
    unit = make_enterprise(province=reference.qom, status_date=J("1401/01/10"))
    facts.rebuild()

    def another_request() -> None:
        try:
            services.enterprise_change_status(
                actor=None,
                enterprise=reload(unit),
                to_status=Status.IDLE,
                date=J("1402/02/02"),
                reason="کمبود مواد اولیه",
            )
        finally:
            connections.close_all()

    def in_the_middle(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if sql.startswith(("CREATE TEMP TABLE ind_delta", "CREATE UNLOGGED TABLE ind_delta")):
            worker = threading.Thread(target=another_request)
            worker.start()
            worker.join()  # committed, and applied to the facts the rebuild will replace
        return execute(sql, params, many, context)

    with connection.execute_wrapper(in_the_middle):
        facts.rebuild()

    assert value(shipped, "units-idle", "1403/01/01") == 1
    assert facts.all_facts() == facts.python_facts()


def test_a_parks_breakdowns_today_and_on_a_past_date_follow_its_units(reference, shipped) -> None:
    """The facts keep a park's totals only; its breakdowns come from its units: today from
    their rows, on a past date from their histories (a unit that left later still counts
    there on that date)."""
    from indicators.selectors import breakdown
    from tests.factories import get_isic

    park = Place("k", reference.park_p.pk)
    stays = make_enterprise(park=reference.park_p, status_date=J("1400/01/10"), employees=5)
    leaves = make_enterprise(
        park=reference.park_p,
        status_date=J("1400/01/10"),
        employees=80,
        isic_division=get_isic("13"),
    )
    services.enterprise_move(
        actor=None,
        enterprise=leaves,
        province=reference.tehran,
        park=None,
        date=J("1402/05/10"),
        reason="جابه‌جایی",
    )
    make_enterprise(
        park=reference.park_p,
        status=Status.UNDER_CONSTRUCTION,
        status_date=J("1401/01/01"),
        construction_progress=75,
    )
    rebuilt()
    operating = shipped["units-operating"]

    now = breakdown(operating, park, today(), "size")
    before = breakdown(operating, park, J("1401/12/29"), "size")
    groups_before = breakdown(operating, park, J("1401/12/29"), "group")

    assert now == {stays.size_band: 1}
    assert sum(before.values()) == 2 and before.get(reload(leaves).size_band) >= 1
    assert groups_before == {
        str(stays.industry_group_id): 1,
        str(reload(leaves).industry_group_id): 1,
    }
    assert value(shipped, "semi-finished", "1402/01/01", park) == 1
    assert value(shipped, "semi-finished", "1400/06/01", park) == 0


def test_a_rebuild_on_postgresql_stores_the_facts_in_their_keys_order(reference, shipped) -> None:
    """The new facts table is written in the order of its key, so the key's index is built
    from sorted rows (several times faster than from shuffled ones). The order packs kinds,
    statuses, breakdowns and values into integers: group ids sort as text ("10" before "9"),
    size bands by name."""
    from django.db import connection

    from sectors.models import IndustryGroup

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL builds a new facts table; SQLite replaces the rows in place")
    groups = [
        IndustryGroup.objects.create(
            id=pk, key=f"g{pk}", name_fa=f"گروه {pk}", name_en=f"Group {pk}", position=pk
        )
        for pk in (9, 10, 11, 100)
    ]
    for n, group in enumerate(groups * 3):
        building = n % 3 == 0
        unit = make_enterprise(
            park=reference.park_p if n % 2 else None,
            industry_group=group,
            employees=(5, 40, 120)[n % 3],
            status=Status.UNDER_CONSTRUCTION if building else Status.ACTIVE,
            status_date=J(f"140{n % 3}/0{n % 9 + 1}/10"),
            construction_progress=70 if building else 100,
        )
        if n % 3 == 1:
            services.enterprise_change_status(
                actor=None,
                enterprise=reload(unit),
                to_status=Status.IDLE,
                date=J("1403/01/20"),
                reason="کمبود مواد اولیه",
            )

    facts.rebuild()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE back) FROM (SELECT (level, place, kind, dim, "
            "month, status, value) < LAG((level, place, kind, dim, month, status, value)) "
            "OVER (ORDER BY ctid) AS back FROM indicators_fact) z"
        )
        rows, out_of_order = cursor.fetchone()
        cursor.execute("SELECT COUNT(DISTINCT dim), COUNT(DISTINCT value) FROM indicators_fact")
        dims, values = cursor.fetchone()
    assert rows > 100 and dims == 5 and values > 8  # every breakdown, groups 9 to 100
    assert out_of_order == 0
