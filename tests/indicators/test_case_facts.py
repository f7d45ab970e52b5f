"""The cases' pre-aggregated facts (``indicators.casefacts``): kept in step with every case
and registry change inside its transaction, equal to a rebuild and to the sum of the
cases' shares, and equal to the rows ``clinics.figures`` lists for the same figure — on the
clinics' story (``tests.indicators.test_clinic_figures``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from cases.services import case_move, case_transfer
from clinics import casetype, figures
from enterprises.models import Status
from enterprises.services import enterprise_change_status, enterprise_move
from indicators import casefacts, sources
from indicators.models import CaseFact, CaseShare
from indicators.sources import COUNTRY, Place
from persian.jalali import today, year_start
from tests.indicators.test_clinic_figures import LAST, Story, consultant, d, story, value

pytestmark = pytest.mark.django_db

__all__ = ["consultant", "story"]  # the fixtures this module borrows


def _agree() -> dict[Any, int]:
    kept = casefacts.all_facts()
    assert kept == casefacts.python_facts()
    return kept


def test_the_facts_kept_by_the_events_equal_a_rebuild(story: Story) -> None:
    kept = _agree()
    assert kept, "the story's cases count somewhere"
    rows = casefacts.rebuild()
    assert casefacts.all_facts() == kept
    assert rows == CaseFact.objects.count()
    assert CaseShare.objects.count() == 4  # one share per case


def test_a_case_change_a_move_and_a_relapse_keep_them_equal(story: Story) -> None:
    qom, tehran = story.reference.qom, story.reference.tehran
    # c4 transferred to Qom, c3 on to its remedy plan; the revived unit of c1 idle again before its
    # 6 months; c2's unit moved into the park (its cases count at the park from now on)
    case_transfer(actor=None, case=story.c4, province=qom, date=d(200), reason="بازگشت")
    case_move(actor=None, case=story.c3, to_stage=casetype.REMEDY, date=d(210))
    enterprise_change_status(
        actor=None, enterprise=story.idle1, to_status=Status.IDLE, date=d(100), reason="تعطیلی"
    )
    park = Place("k", story.reference.park_p.pk)
    assert value("clinic-revived", park, LAST) == 1
    enterprise_move(
        actor=None,
        enterprise=story.idle2,
        province=qom,
        park=story.reference.park_p,
        date=d(250),
        reason="انتقال به شهرک",
    )
    _agree()
    sources.forget()  # the figures version moves on commit, which a test never reaches
    assert value("clinic-held-6", COUNTRY, LAST) == 0  # neither held now
    assert value("clinic-revived", park, LAST) == 2  # counted at the unit's park of today
    assert value("clinic-open", Place("p", qom.pk), LAST) == 1
    assert value("clinic-open", Place("p", tehran.pk), LAST) == 1
    before = casefacts.all_facts()
    casefacts.rebuild()
    assert casefacts.all_facts() == before


def test_a_change_rolled_back_leaves_the_facts_as_they_were(story: Story) -> None:
    before = casefacts.all_facts()
    with pytest.raises(RuntimeError), transaction.atomic():
        case_move(actor=None, case=story.c3, to_stage=casetype.REMEDY, date=d(120))
        assert casefacts.all_facts() != before  # applied inside the change's transaction
        raise RuntimeError("the request failed after the write")
    assert casefacts.all_facts() == before


@pytest.mark.parametrize("day", [0, 34, 35, 59, 60, 99, 100, 150, 300, 400, 700])
def test_each_figure_from_the_facts_is_the_count_of_its_rows(story: Story, day: int) -> None:
    as_of = d(day)
    qom, tehran = story.reference.qom.pk, story.reference.tehran.pk
    park = story.reference.park_p.pk
    for place, where in (
        (COUNTRY, {}),
        (Place("p", qom), {"province_id": qom}),
        (Place("p", tehran), {"province_id": tehran}),
        (Place("k", park), {"park_id": park}),
    ):
        rows = {
            "clinic-open": figures.open_cases(as_of, **where).count(),  # type: ignore[arg-type]
            "clinic-diagnosed": figures.diagnosed(as_of, **where).count(),  # type: ignore[arg-type]
            "clinic-revived": figures.revivals(as_of, **where).count(),  # type: ignore[arg-type]
            "clinic-jobs": figures.jobs_restored(figures.revivals(as_of, **where)),  # type: ignore[arg-type]
            "clinic-days": figures.median_days(figures.revivals(as_of, **where)),  # type: ignore[arg-type]
            "clinic-held-6": figures.sustained(6, as_of, **where).count(),  # type: ignore[arg-type]
        }
        got = {key: value(key, place, as_of) for key in rows}
        assert got == rows, (place, as_of)


def test_rebuild_facts_rebuilds_the_cases_facts_too(story: Story) -> None:
    kept = casefacts.all_facts()
    CaseFact.objects.all().delete()
    CaseShare.objects.all().delete()
    call_command("rebuild_facts", verbosity=0)
    assert casefacts.all_facts() == kept


def test_a_date_in_the_middle_of_a_month_reads_that_months_days_only_up_to_it(
    story: Story,
) -> None:
    # c1 opened on d(10) and moved to "diagnosis" on d(25): the day before and the day of
    opened = value("clinic-open", COUNTRY, d(24))
    assert value("clinic-open", COUNTRY, d(9)) == 0
    assert value("clinic-open", COUNTRY, d(10)) == 1
    assert opened == figures.open_cases(d(24)).count()
    assert value("clinic-open", COUNTRY, dt.date(1990, 1, 1)) == 0


def test_a_stock_in_a_later_year_reads_the_earlier_years_from_their_year_rows(
    story: Story,
) -> None:
    """Counted from the beginning, a stock sums the year rows of whole Jalali years before
    its date: the same as the month rows they stand for (the story has no case before
    its first day)."""
    later = d(400)  # in the year after the story's
    assert CaseFact.objects.filter(gran="y", day__lt=later).exists()
    by_years = casefacts.stock(casetype.TYPE, COUNTRY, later)
    months = casefacts._sums(casetype.TYPE, casefacts.STAGE, COUNTRY, d(0), later, None)
    assert by_years == {value: n for (_place, value), n in months.items()}
    assert sum(by_years[s] for s in casetype.CLINIC.open_stages if s in by_years) == (
        figures.open_cases(later).count()
    )


def _cells_by_grain(gran: str) -> dict[tuple[Any, ...], int]:
    """Each cell's (type, level, place, measure, value) total over its rows of ``gran``."""
    out: dict[tuple[Any, ...], int] = {}
    for (case_type, level, place, measure, grain, _day, val), n in casefacts.all_facts().items():
        if grain == gran:
            key = (case_type, level, place, measure, val)
            out[key] = out.get(key, 0) + n
    return {key: n for key, n in out.items() if n}


def test_each_cells_all_time_row_is_the_sum_of_its_year_rows_after_every_change(
    story: Story,
) -> None:
    """The all-time rows a sum from the beginning reads are kept by each change with the
    year rows they total — and the migration that first wrote them from the year rows
    writes the same."""
    from importlib import import_module

    from django.db import connection

    case_move(actor=None, case=story.c3, to_stage=casetype.REMEDY, date=today())
    case_transfer(
        actor=None, case=story.c4, province=story.reference.qom, date=today(), reason="بازگشت"
    )
    kept = _agree()
    all_time = _cells_by_grain("a")
    assert all_time and all_time == _cells_by_grain("y")
    assert {day for (*_k, gran, day, _v) in kept if gran == "a"} == {casefacts.ALL_TIME}
    CaseFact.objects.filter(gran="a").delete()
    import_module("indicators.migrations.0010_casefact_all_time").write_all_time(connection)
    assert casefacts.all_facts() == kept


def test_from_the_beginning_or_this_year_to_today_a_figure_equals_its_months_and_days(
    story: Story,
) -> None:
    """As of today, a stock or a flow from the beginning reads the all-time rows and a flow
    from 1 Farvardin this year's row: the same numbers as the month and day rows they
    stand for, today's steps included."""
    from django.db.models import Sum

    case_move(actor=None, case=story.c3, to_stage=casetype.REMEDY, date=today())
    case_transfer(
        actor=None, case=story.c4, province=story.reference.qom, date=today(), reason="بازگشت"
    )

    def from_months(measure: str, place: Place, since: dt.date | None) -> dict[str, int]:
        rows = CaseFact.objects.filter(
            casefacts._where(casetype.TYPE, measure, place), casefacts._period(since, today())
        )
        found = rows.values_list("value").annotate(n=Sum("n")).order_by()
        return {v: n for v, n in found if n}

    measures = set(CaseFact.objects.filter(type=casetype.TYPE).values_list("measure", flat=True))
    assert casefacts.STAGE in measures and len(measures) > 3
    for place in (
        COUNTRY,
        Place("p", story.reference.qom.pk),
        Place("p", story.reference.tehran.pk),
    ):
        for since in (None, year_start(today())):
            for measure in measures:
                read = casefacts.flow(casetype.TYPE, measure, place, since, today())
                assert {v: n for v, n in read.items() if n} == from_months(measure, place, since), (
                    place,
                    since,
                    measure,
                )
    stages = casefacts.stock(casetype.TYPE, COUNTRY, today())
    assert stages[casetype.REMEDY] >= 1
