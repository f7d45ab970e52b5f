"""Jobs, size bands and semi-finished projects as of a past date use that date's employees
and construction progress (``enterprises.MeasureEvent``), in the SQL rebuild, in the
unit-by-unit sum and in the facts kept up to date change by change."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from enterprises import services
from enterprises.models import Status
from indicators import facts
from indicators.catalogue import load_indicators
from indicators.models import Indicator
from indicators.selectors import breakdown
from indicators.sources import COUNTRY, Place
from persian.jalali import today
from tests.factories import make_enterprise, reload
from tests.indicators.test_facts import J, rebuilt, value


@pytest.fixture
def shipped(reference) -> dict[str, Indicator]:
    load_indicators()
    return {i.key: i for i in Indicator.objects.select_related("numerator", "denominator")}


pytestmark = pytest.mark.django_db


def measure(unit, when: str, **values):
    return services.enterprise_record_measures(
        actor=None, enterprise=reload(unit), date=J(when), **values
    )


def sizes(indicator, place, when: str) -> dict:
    return {k: v for k, v in breakdown(indicator, place, J(when), "size").items() if v}


def test_a_past_date_counts_the_employees_and_size_band_of_that_date(reference, shipped) -> None:
    unit = make_enterprise(province=reference.qom, status_date=J("1400/01/15"), employees=10)
    measure(unit, "1403/02/01", employees=60)
    rebuilt()
    qom = Place("p", reference.qom.pk)

    assert value(shipped, "jobs", "1401/06/31") == 10
    assert sizes(shipped["units-operating"], qom, "1401/06/31") == {"small": 1}
    assert sizes(shipped["jobs"], COUNTRY, "1401/06/31") == {"small": 10}
    assert value(shipped, "jobs", "1403/06/31") == 60
    assert sizes(shipped["units-operating"], qom, "1403/06/31") == {"medium": 1}
    # Inside the month of the change: before it and after it.
    assert value(shipped, "jobs", "1403/01/31") == 10
    assert value(shipped, "jobs", "1403/02/10") == 60
    assert reload(unit).employees == 60


def test_a_revival_brings_the_jobs_the_unit_had_that_day(reference, shipped) -> None:
    unit = make_enterprise(status=Status.IDLE, status_date=J("1400/01/15"), employees=5)
    measure(unit, "1402/01/10", employees=40)
    services.enterprise_change_status(
        actor=None, enterprise=reload(unit), to_status=Status.ACTIVE, date=J("1402/03/01"),
        reason="احیا",
    )  # fmt: skip
    measure(unit, "1403/01/10", employees=90)
    rebuilt()

    revived = facts.all_facts()[("r", facts.month_index(J("1402/03/01")), "c", 0, "active", "", "")]
    assert revived == (1, 40)


def test_a_project_is_semi_finished_once_its_progress_stood_still_for_six_months(
    reference, shipped
) -> None:
    qom = Place("p", reference.qom.pk)
    unit = make_enterprise(
        province=reference.qom,
        status=Status.UNDER_CONSTRUCTION,
        status_date=J("1401/01/01"),
        construction_progress=30,
    )
    measure(unit, "1402/01/10", construction_progress=70)
    rebuilt()

    assert value(shipped, "semi-finished", "1401/12/29", qom) == 0  # 30%: not built enough
    assert value(shipped, "semi-finished", "1402/06/31", qom) == 0  # 70% for under 6 months
    assert value(shipped, "semi-finished", "1402/07/09", qom) == 0
    assert value(shipped, "semi-finished", "1402/07/10", qom) == 1  # stalled 6 months: no event
    assert value(shipped, "semi-finished", "1402/07/30", qom) == 1

    measure(unit, "1402/08/01", construction_progress=80)  # progress again: the clock restarts
    rebuilt()

    assert value(shipped, "semi-finished", "1402/07/30", qom) == 1  # the past stands
    assert value(shipped, "semi-finished", "1402/09/30", qom) == 0
    assert value(shipped, "semi-finished", "1403/01/31", qom) == 0
    assert value(shipped, "semi-finished", "1403/02/01", qom) == 1


def test_the_semi_finished_timer_that_falls_after_today_is_not_counted_today(
    reference, shipped
) -> None:
    unit = make_enterprise(
        status=Status.UNDER_CONSTRUCTION,
        status_date=today() - dt.timedelta(days=400),
        construction_progress=20,
    )
    services.enterprise_record_measures(
        actor=None,
        enterprise=unit,
        date=today() - dt.timedelta(days=10),
        construction_progress=90,
    )
    rebuilt()

    assert value_today(shipped, "semi-finished") == 0
    assert facts.python_facts() == facts.all_facts()


def value_today(shipped, key: str):
    from indicators.selectors import value_of

    return value_of(shipped[key], COUNTRY, today())


def test_measure_changes_kept_incrementally_equal_a_rebuild(
    reference, shipped, django_capture_on_commit_callbacks
) -> None:
    rng = random.Random(20)
    units = []
    with django_capture_on_commit_callbacks(execute=True):
        facts.rebuild()
        for n in range(8):
            units.append(
                make_enterprise(
                    province=reference.qom if n % 2 else reference.tehran,
                    park=reference.park_p if n % 3 == 0 else None,
                    status=Status.UNDER_CONSTRUCTION if n % 2 else Status.ACTIVE,
                    employees=rng.randint(1, 150),
                    construction_progress=rng.choice([10, 55, 65, 90]),
                    status_date=J(f"139{rng.randint(5, 9)}/0{rng.randint(1, 9)}/15"),
                )
            )
        for _step in range(60):
            unit = reload(rng.choice(units))
            last = unit.measure_events.order_by("-date").first().date
            day = min(last + dt.timedelta(days=rng.randint(0, 500)), today())
            action = rng.random()
            try:
                if action < 0.35:
                    measure(unit, _text(day), employees=rng.randint(1, 300))
                elif action < 0.6:
                    measure(unit, _text(day), construction_progress=rng.randint(40, 100))
                elif action < 0.7:
                    services.enterprise_update(
                        actor=None,
                        enterprise=unit,
                        data={"employees": rng.randint(1, 300), "construction_progress": 75},
                        fields=("employees", "construction_progress"),
                        measures_date=day,
                    )
                else:
                    from enterprises.models import TRANSITIONS

                    options = sorted(TRANSITIONS[unit.status])
                    if not options:
                        continue
                    services.enterprise_change_status(
                        actor=None,
                        enterprise=unit,
                        to_status=rng.choice(options),
                        date=max(day, unit.status_since),
                        reason="بازدید",
                    )
            except Exception:  # a refused change (date order, lifecycle) changes nothing
                continue
    incremental = facts.all_facts()

    assert incremental == rebuilt()
    assert incremental == facts.python_facts()
    assert any(key[5] == "semi" for key in incremental)


def _text(day: dt.date) -> str:
    from persian.jalali import format_date

    return format_date(day, persian_digits=False)


def test_projects_that_stall_with_one_recorded_progress_agree_with_the_unit_by_unit_sum(
    reference, shipped
) -> None:
    """Units whose only measure event is their registration take the rebuild's fast path:
    the month their progress has stood for 6 months moves them to the semi-finished class."""
    qom = Place("p", reference.qom.pk)
    for opened in ("1400/06/10", "1401/03/01", None):
        unit = make_enterprise(
            province=reference.qom,
            park=reference.park_p if opened else None,
            status=Status.UNDER_CONSTRUCTION,
            status_date=J("1400/01/15"),
            construction_progress=70,
            employees=8,
        )
        if opened:
            services.enterprise_update(
                actor=None,
                enterprise=reload(unit),
                data={"permit_number": "12-3", "permit_date": J(opened)},
                fields=("permit_number", "permit_date"),
            )
            services.enterprise_change_status(
                actor=None, enterprise=reload(unit), to_status=Status.ACTIVE, date=J(opened),
                reason="بهره‌برداری",
            )  # fmt: skip

    assert rebuilt() == facts.python_facts()
    assert value(shipped, "semi-finished", "1400/06/31", qom) == 0
    assert value(shipped, "semi-finished", "1400/07/15", qom) == 2  # the third opened before
    assert value(shipped, "semi-finished", "1401/03/01", qom) == 1


def test_the_clinic_candidates_and_semi_finished_rows_use_that_days_progress(
    reference, shipped
) -> None:
    from clinics.figures import candidates

    unit = make_enterprise(
        province=reference.qom,
        status=Status.UNDER_CONSTRUCTION,
        status_date=J("1401/01/01"),
        construction_progress=30,
    )
    measure(unit, "1402/01/10", construction_progress=70)

    assert unit.pk not in set(candidates(J("1402/07/09")).values_list("pk", flat=True))
    assert unit.pk in set(candidates(J("1402/07/10")).values_list("pk", flat=True))
    measure(unit, "1402/08/01", construction_progress=80)
    assert unit.pk not in set(candidates(J("1402/09/30")).values_list("pk", flat=True))
    assert unit.pk in set(candidates(J("1402/07/30")).values_list("pk", flat=True))


def test_a_parks_semi_finished_projects_today_wait_for_six_months_without_progress(
    reference, shipped
) -> None:
    park = Place("k", reference.park_p.pk)
    for days in (400, 30):  # progress recorded 400 days ago (stalled) and 30 days ago
        make_enterprise(
            park=reference.park_p,
            status=Status.UNDER_CONSTRUCTION,
            status_date=today() - dt.timedelta(days=days),
            construction_progress=75,
        )
    rebuilt()

    assert value_today(shipped, "semi-finished") == 1
    from indicators.selectors import value_of

    assert value_of(shipped["semi-finished"], park, today()) == 1


def test_headcounts_crossing_size_bands_and_a_project_stalling_twice_stay_off_the_general_path(
    reference, shipped
) -> None:
    """Units that never moved but changed their headcount or stalled more than once are
    rebuilt from their status and class periods, not from the general path (window
    functions over every event): the same facts as unit by unit, each date's size band."""
    qom = Place("p", reference.qom.pk)
    worker = make_enterprise(
        province=reference.qom, park=reference.park_p, status_date=J("1399/01/15"), employees=5
    )
    measure(worker, "1399/03/10", employees=12)  # micro -> small
    measure(worker, "1399/03/20", employees=60)  # -> medium, the same month
    services.enterprise_change_status(
        actor=None, enterprise=reload(worker), to_status=Status.IDLE, date=J("1400/02/01"),
        reason="کمبود نقدینگی",
    )  # fmt: skip
    measure(worker, "1400/05/01", employees=150)  # -> large while idle
    services.enterprise_change_status(
        actor=None, enterprise=reload(worker), to_status=Status.ACTIVE, date=J("1401/01/20"),
        reason="احیا",
    )  # fmt: skip
    measure(worker, "1401/01/20", employees=8)  # back to micro on the day it revived
    project = make_enterprise(
        province=reference.qom,
        status=Status.UNDER_CONSTRUCTION,
        status_date=J("1399/01/15"),
        construction_progress=65,
        employees=3,
    )
    measure(project, "1400/01/10", construction_progress=70)  # stalled 1399/07/15, moved again
    measure(project, "1400/04/01", employees=20)
    measure(project, "1401/06/01", construction_progress=100)  # stalled again from 1400/07/10
    services.enterprise_update(
        actor=None,
        enterprise=reload(project),
        data={"permit_number": "12-3", "permit_date": J("1401/06/01")},
        fields=("permit_number", "permit_date"),
    )
    services.enterprise_change_status(
        actor=None, enterprise=reload(project), to_status=Status.ACTIVE, date=J("1401/06/01"),
        reason="بهره‌برداری",
    )  # fmt: skip
    # Opened two months after reaching 70%, its headcount unchanged: never semi-finished at
    # a month's end while under construction, so it keeps the fast path.
    opened = make_enterprise(
        province=reference.qom,
        status=Status.UNDER_CONSTRUCTION,
        status_date=J("1399/01/15"),
        construction_progress=30,
        employees=12,
        permit_number="55-1",
        permit_date=J("1400/03/01"),
    )
    measure(opened, "1400/01/10", construction_progress=70)
    services.enterprise_change_status(
        actor=None, enterprise=reload(opened), to_status=Status.ACTIVE, date=J("1400/03/01"),
        reason="بهره‌برداری",
    )  # fmt: skip
    measure(opened, "1400/03/01", construction_progress=100)
    # Its headcount unchanged, stalled twice while under construction: it keeps the fast
    # path, a pair of rows moving it in and out of the semi-finished class each time.
    twice = make_enterprise(
        province=reference.qom,
        status=Status.UNDER_CONSTRUCTION,
        status_date=J("1399/01/15"),
        construction_progress=65,
        employees=4,
        permit_number="55-2",
        permit_date=J("1401/02/01"),
    )
    measure(twice, "1400/01/10", construction_progress=70)
    services.enterprise_change_status(
        actor=None, enterprise=reload(twice), to_status=Status.ACTIVE, date=J("1401/02/01"),
        reason="بهره‌برداری",
    )  # fmt: skip
    paths: dict[str, int] = {}

    def count(step: str, done: int, total: int) -> None:
        if step == "events":  # the work tables of the steps before are there
            from django.db import connection

            with connection.cursor() as cursor:
                for table in ("ind_simple", "ind_mu", "ind_mover"):
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")
                    paths[table] = cursor.fetchone()[0]

    facts.rebuild(progress=count)
    assert paths == {"ind_simple": 2, "ind_mu": 2, "ind_mover": 0}
    assert rebuilt() == facts.python_facts()
    assert sizes(shipped["units-operating"], qom, "1399/02/31") == {"micro": 1}
    assert sizes(shipped["units-operating"], qom, "1399/03/31") == {"medium": 1}
    # Jobs count active, semi-active and idle units: not the project under construction.
    assert value(shipped, "jobs", "1399/03/31") == 60
    assert value(shipped, "jobs", "1400/06/31") == 150 + 12
    assert value(shipped, "jobs", "1401/01/31") == 8 + 12
    assert value(shipped, "jobs", "1401/06/31") == 8 + 20 + 12 + 4
    assert value(shipped, "semi-finished", "1399/07/14", qom) == 0
    assert value(shipped, "semi-finished", "1399/12/29", qom) == 2
    assert value(shipped, "semi-finished", "1400/03/31", qom) == 0  # progress recorded again
    assert value(shipped, "semi-finished", "1400/07/30", qom) == 2
    assert value(shipped, "semi-finished", "1401/03/31", qom) == 1  # one opened
    assert value(shipped, "semi-finished", "1401/06/31", qom) == 0  # both opened
    revived = facts.all_facts()[("r", facts.month_index(J("1401/01/20")), "c", 0, "active", "", "")]
    assert revived == (1, 8)
    assert sizes(shipped["units-operating"], qom, "1400/06/31") == {"large": 1, "small": 1}
    permits = facts.all_facts()[("p", facts.month_index(J("1401/06/01")), "c", 0, "", "", "")]
    assert permits == (1, 20)
