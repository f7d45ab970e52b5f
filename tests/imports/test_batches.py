"""The commit writes the new units of a file in batches (``enterprises_create_batch``) and
updates the known ones in batches (``enterprises_update_batch``): the same units, events,
audit records and figures as the same rows written one by one through the services, all
of them or none, with its progress advancing."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditRecord
from enterprises.models import Enterprise, LocationEvent, MeasureEvent, Status, StatusEvent
from imports import services
from imports.models import ImportJob
from persian import jalali
from persian.jalali import today
from tests.factories import days_ago, make_enterprise
from tests.imports.conftest import commit, csv_bytes, dry_run, unit_row

pytestmark = pytest.mark.django_db


def _rows(reference: Any) -> list[dict[str, Any]]:
    """Seven new units of every kind (parks, no park, every status, permits) and a known
    unit that changes status and park."""
    rows = [
        unit_row(),
        unit_row(**{"نام واحد": "ريخته گري كوثر", "شهرک": "", "وضعیت": "در حال ساخت",
                    "شماره پروانه بهره‌برداری": "", "تاریخ پروانه بهره‌برداری": ""}),
        unit_row(**{"وضعیت": "راکد", "تعداد کارکنان": "۱۲۰",
                    "تاریخ وضعیت": jalali.format_date(days_ago(900)),
                    "تاریخ پروانه بهره‌برداری": jalali.format_date(days_ago(1000))}),
        unit_row(**{"وضعیت": "نیمه‌فعال", "کد آیسیک": "10",
                    "تاریخ وضعیت": jalali.format_date(days_ago(45))}),
        unit_row(**{"وضعیت": "تعطیل", "تعداد کارکنان": "0",
                    "تاریخ وضعیت": jalali.format_date(days_ago(5))}),
        unit_row(**{"تعداد کارکنان": "900", "تاریخ وضعیت": jalali.format_date(days_ago(400))}),
        unit_row(**{"شهرک": "", "تاریخ وضعیت": jalali.format_date(days_ago(1))}),
    ]  # fmt: skip
    return rows


def _known(reference: Any) -> Enterprise:
    return make_enterprise(
        park=reference.park_p,
        status=Status.ACTIVE,
        status_date=days_ago(300),
        permit_date=days_ago(400),
    )


def _registry() -> dict[str, Any]:
    """What a reader of the registry sees, without ids and times."""
    units = {
        e.legal_id: (e.name, e.province_id, e.park_id, e.status, e.status_since, e.employees,
                     e.size_band, e.isic_division_id, e.industry_group_id, e.permit_number,
                     e.permit_date, e.search_text, e.sort_key, e.version)
        for e in Enterprise.objects.all()
    }  # fmt: skip
    statuses = sorted(
        StatusEvent.objects.values_list(
            "enterprise__legal_id", "date", "from_status", "to_status", "reason", "author_id"
        ),
        key=repr,
    )
    locations = sorted(
        LocationEvent.objects.values_list(
            "enterprise__legal_id", "date", "province_id", "park_id", "valid_until", "reason"
        ),
        key=repr,
    )
    measures = sorted(
        MeasureEvent.objects.values_list(
            "enterprise__legal_id", "date", "employees", "construction_progress", "author_id"
        ),
        key=repr,
    )
    audit = sorted(
        (
            (r.actor_id, r.actor_name, r.action, r.subject_type_id, r.target_type_id,
             r.target_repr, repr(sorted(r.changes.items())), r.note)
            for r in AuditRecord.objects.exclude(action="import")
        ),
        key=repr,
    )  # fmt: skip
    return {
        "units": units,
        "statuses": statuses,
        "locations": locations,
        "measures": measures,
        "audit": audit,
    }


def _import(officer: Any, reference: Any, rows: list[dict[str, Any]], **kwargs: Any) -> Any:
    job = dry_run(officer, reference.qom, csv_bytes(rows))
    assert job.can_commit, job.problems
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.COMMITTING)
    job = services.import_commit(job.pk, **kwargs)
    assert job.state == ImportJob.State.DONE, job.error
    return job


def _both_ways(
    officer: Any, reference: Any, rows: list[dict[str, Any]], counts: Any, capture: Any
) -> dict[bool, Any]:
    """The file imported one by one and in batches, each in the registry as it is now
    (rolled back after): {one_by_one: (what the registry holds, the facts)}, each set of
    facts checked against a rebuild."""
    from django.db import transaction

    from indicators import facts

    seen = {}
    for one_by_one in (True, False):
        sid = transaction.savepoint_create()
        with capture(execute=True):
            facts.rebuild()
        with capture(execute=True):
            job = _import(officer, reference, rows, one_by_one=one_by_one)
        assert (job.created, job.updated) == counts
        kept = facts.all_facts()
        with capture(execute=True):
            facts.rebuild()
        assert kept == facts.all_facts(), one_by_one  # as a rebuild counts the registry
        seen[one_by_one] = (_registry(), kept)
        transaction.savepoint_rollback(sid)
    return seen


def test_the_batches_write_what_the_rows_one_by_one_write(
    officer_a: Any, reference: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    """The same file imported both ways (each in a fresh registry) leaves the same units,
    events, audit records and facts."""

    from indicators.catalogue import load_indicators

    load_indicators()
    monkeypatch.setattr(services, "BATCH", 3)  # several batches, a known unit among them
    known = _known(reference)
    rows = _rows(reference)
    rows.insert(
        4,
        unit_row(**{"شناسه ملی": known.legal_id, "وضعیت": "راکد", "شهرک": "",
                    "تاریخ پروانه بهره‌برداری": "",
                    "تاریخ وضعیت": jalali.format_date(days_ago(20))}),
    )  # fmt: skip
    seen = _both_ways(officer_a, reference, rows, (7, 1), django_capture_on_commit_callbacks)

    assert seen[True][0] == seen[False][0]
    assert seen[True][1] == seen[False][1]  # the facts (what every figure is read from)
    assert len(seen[False][0]["units"]) == 8


def test_a_figure_counts_the_imported_units(
    officer_a: Any, reference: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """What an officer reads: the province's active units go up by the active rows."""
    from indicators import facts

    with django_capture_on_commit_callbacks(execute=True):
        facts.rebuild()
    today_cells = {k: v for k, v in facts.all_facts().items() if k[0] == "s"}

    def active_in_qom(cells: dict[Any, Any]) -> int:
        return sum(
            units
            for (kind, _m, level, place, status, dim, _v), (units, _j) in cells.items()
            if kind == "s" and level == "p" and place == reference.qom.pk
            and status == "active" and dim == ""
        )  # fmt: skip

    before = active_in_qom(today_cells)
    rows = [unit_row() for _ in range(4)] + [unit_row(وضعیت="راکد")]
    with django_capture_on_commit_callbacks(execute=True):
        _import(officer_a, reference, rows)

    assert active_in_qom(facts.all_facts()) == before + 4


def test_a_refusal_in_a_late_batch_leaves_nothing_written(
    officer_a: Any, reference: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.exceptions import ValidationError

    from enterprises import services as registry
    from indicators.models import Fact, FactChange

    monkeypatch.setattr(services, "BATCH", 2)
    rows = [unit_row() for _ in range(7)]
    job = dry_run(officer_a, reference.qom, csv_bytes(rows))
    real = registry._new_enterprise
    calls: list[int] = []

    def seventh_refused(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 7:  # the last batch (rows 8 and … of the sheet): row 8
            raise ValidationError({"name": "نام پذیرفته نیست."})
        return real(**kwargs)

    monkeypatch.setattr(registry, "_new_enterprise", seventh_refused)
    before = (
        Enterprise.objects.count(), StatusEvent.objects.count(), LocationEvent.objects.count(),
        AuditRecord.objects.count(), FactChange.objects.count(), Fact.objects.count(),
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        job = commit(job)

    assert job.state == ImportJob.State.FAILED
    assert "8" in job.error and "نام پذیرفته نیست." in job.error and "هیچ" in job.error
    assert (
        Enterprise.objects.count(), StatusEvent.objects.count(), LocationEvent.objects.count(),
        AuditRecord.objects.count(), FactChange.objects.count(), Fact.objects.count(),
    ) == before  # fmt: skip


def test_a_national_id_taken_since_the_check_refuses_the_batch(
    officer_a: Any, reference: Any
) -> None:
    """The batch judges the national IDs itself (one query), as ``enterprise_create``'s
    unique check would: a unit registered meanwhile under a row's ID refuses the batch."""
    from imports import checks
    from imports.columns import guess
    from imports.reader import read_table

    rows = [unit_row(), unit_row()]
    content = csv_bytes(rows)
    import io

    table = read_table(io.BytesIO(content), "csv")
    plan = checks.check(table, guess(table.headers), actor=officer_a, province=reference.qom)
    make_enterprise(legal_id=rows[1]["شناسه ملی"])

    with pytest.raises(services.RowRefused) as refused:
        services._write_batch(officer_a, plan.rows)

    assert refused.value.number == 3 and "شناسه ملی" in refused.value.message
    assert Enterprise.objects.filter(legal_id=rows[0]["شناسه ملی"]).count() == 0


def test_the_progress_advances_batch_by_batch(
    officer_a: Any, reference: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "BATCH", 2)
    written: list[int] = []
    real = services.progress_write

    def record(job_id: int, done: int) -> None:
        written.append(done)
        real(job_id, done)

    monkeypatch.setattr(services, "progress_write", record)

    job = _import(officer_a, reference, [unit_row() for _ in range(5)])

    assert written == [0, 2, 4, 5]
    assert job.rows_done == 5 and services.progress_read(job.pk) is None  # cleared at the end


def test_a_batch_costs_the_same_queries_for_10_units_as_for_40(
    officer_a: Any, reference: Any, monkeypatch: Any
) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from enterprises import services as registry
    from indicators import sources

    # The figures' version is read again once its TTL has passed: on a busy machine that
    # can fall between the two batches and count one query more for either.
    monkeypatch.setattr(sources, "VERSION_TTL", 3600)

    def queries(count: int) -> int:
        units = [
            registry.NewUnit(
                data={"name": f"واحد {n}", "legal_id": unit_row()["شناسه ملی"],
                      "isic_division": reference.isic, "industry_group": reference.group,
                      "permit_number": "1", "employees": n},
                province=reference.qom, park=reference.park_p, status=Status.ACTIVE,
                status_date=days_ago(10), reason="",
            )
            for n in range(count)
        ]  # fmt: skip
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            registry.enterprises_create_batch(actor=officer_a, units=units)
        return len(captured)

    queries(2)  # what is read once per process or per figures version (N of semi-finished)
    assert queries(10) == queries(40)


def test_known_units_update_in_batches_as_the_services_one_by_one_would(
    officer_a: Any, reference: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    """Rows that match known units by national ID (a status change, a move to another
    park, both, more employees, another ISIC code, nothing new) update the units in
    batches with the same dated events, audit records and facts as the services one by
    one, and never a second unit."""

    from indicators.catalogue import load_indicators

    load_indicators()
    monkeypatch.setattr(services, "BATCH", 4)
    known = [_known(reference) for _ in range(6)]
    date = jalali.format_date(days_ago(20))
    no_permit = {"تاریخ پروانه بهره‌برداری": ""}
    rows = [
        unit_row(**{"شناسه ملی": known[0].legal_id, "وضعیت": "راکد", "تاریخ وضعیت": date},
                 **no_permit),
        unit_row(**{"شناسه ملی": known[1].legal_id, "شهرک": "الغدیر", "تاریخ وضعیت": date},
                 **no_permit),
        unit_row(**{"شناسه ملی": known[2].legal_id, "شهرک": "", "وضعیت": "نیمه‌فعال",
                    "تاریخ وضعیت": date}, **no_permit),
        unit_row(),
        unit_row(**{"شناسه ملی": known[3].legal_id, "تعداد کارکنان": "۴۰۰",
                    "تاریخ وضعیت": date}, **no_permit),
        unit_row(**{"شناسه ملی": known[4].legal_id, "کد آیسیک": "24", "تاریخ وضعیت": date},
                 **no_permit),
        unit_row(**{"شناسه ملی": known[5].legal_id, "نام واحد": known[5].name,
                    "تعداد کارکنان": str(known[5].employees), "تاریخ وضعیت": date,
                    "کد آیسیک": known[5].isic_division.code}, **no_permit),
    ]  # fmt: skip
    seen = _both_ways(officer_a, reference, rows, (1, 6), django_capture_on_commit_callbacks)

    assert seen[True][0] == seen[False][0]
    assert seen[True][1] == seen[False][1]
    registry = seen[False][0]
    assert len(registry["units"]) == 7  # six known units and one new: no duplicate
    moved = [e for e in registry["locations"] if e[0] == known[1].legal_id]
    assert sorted((e[1], e[3], e[4]) for e in moved) == [
        (days_ago(300), reference.park_p.pk, days_ago(20)),  # closed on the day it moved
        (days_ago(20), reference.park_p2.pk, None),
    ]
    statuses = sorted((e[1], e[3]) for e in registry["statuses"] if e[0] == known[0].legal_id)
    assert statuses == [(days_ago(300), Status.ACTIVE), (days_ago(20), Status.IDLE)]
    # more employees: a dated head count of today beside the one of its registration
    counts = sorted((e[1], e[2]) for e in registry["measures"] if e[0] == known[3].legal_id)
    assert counts[-1] == (today(), 400) and len(counts) == 2


def test_a_refused_known_unit_in_a_batch_names_its_row_and_writes_nothing(
    officer_a: Any, reference: Any, monkeypatch: Any
) -> None:
    from django.core.exceptions import ValidationError

    from enterprises import services as registry

    known = _known(reference)
    rows = [
        unit_row(),
        unit_row(**{"شناسه ملی": known.legal_id, "تعداد کارکنان": "۹",
                    "تاریخ پروانه بهره‌برداری": ""}),
    ]  # fmt: skip
    job = dry_run(officer_a, reference.qom, csv_bytes(rows))
    real = registry._full_clean

    def refuse_known(enterprise: Any, **kwargs: Any) -> None:
        if enterprise.pk == known.pk:
            raise ValidationError({"employees": "تعداد پذیرفته نیست."})
        real(enterprise, **kwargs)

    monkeypatch.setattr(registry, "_full_clean", refuse_known)
    before = (Enterprise.objects.count(), StatusEvent.objects.count(), AuditRecord.objects.count())

    job = commit(job)

    assert job.state == ImportJob.State.FAILED
    assert "3" in job.error and "تعداد پذیرفته نیست." in job.error
    assert (
        Enterprise.objects.count(), StatusEvent.objects.count(), AuditRecord.objects.count()
    ) == before  # fmt: skip


def test_a_batch_of_judged_units_validates_only_what_it_derives(
    officer_a: Any, reference: Any, monkeypatch: Any
) -> None:
    """The import's batches do not run Django's validation of every field again (the dry
    run judged each value): a third of a new unit's cost. What the registry derives from
    the values is still validated: a name left empty by its normalisation is refused."""
    from django.db import transaction

    from enterprises import services as registry

    validated: list[Any] = []
    real = Enterprise.clean_fields

    def counted(self: Enterprise, exclude: Any = None) -> None:
        validated.append(sorted({f.name for f in Enterprise._meta.fields} - set(exclude or ())))
        real(self, exclude)

    monkeypatch.setattr(Enterprise, "clean_fields", counted)

    def unit(name: str) -> Any:
        return registry.NewUnit(
            data={"name": name, "legal_id": unit_row()["شناسه ملی"],
                  "isic_division": reference.isic, "industry_group": reference.group,
                  "permit_number": "1", "employees": 3},
            province=reference.qom, park=reference.park_p, status=Status.ACTIVE,
            status_date=days_ago(10), reason="",
        )  # fmt: skip

    with transaction.atomic():
        registry.enterprises_create_batch(actor=officer_a, units=[unit("واحد")], judged=True)
    assert validated == [["name", "sort_key"]]

    with pytest.raises(registry.UnitRefused) as refused, transaction.atomic():
        registry.enterprises_create_batch(
            actor=officer_a, units=[unit("واحد"), unit("ـــ")], judged=True
        )  # a tatweel alone: nothing left once normalised
    assert refused.value.index == 1 and "name" in refused.value.error_dict


def test_the_import_writes_its_units_as_judged(
    officer_a: Any, reference: Any, monkeypatch: Any
) -> None:
    """The commit's batches skip the field validation the dry run has done; one by one,
    ``enterprise_create`` validates every field as for any form."""
    calls: list[bool] = []
    real = Enterprise.full_clean

    def counted(self: Enterprise, *args: Any, **kwargs: Any) -> None:
        calls.append(True)
        real(self, *args, **kwargs)

    monkeypatch.setattr(Enterprise, "full_clean", counted)
    _import(officer_a, reference, [unit_row(), unit_row()])
    assert calls == []
    _import(officer_a, reference, [unit_row(), unit_row()], one_by_one=True)
    assert calls == [True, True]


def _refused_in_the_second_write(monkeypatch: Any, error: Exception) -> list[int]:
    """Make the second batch's write (the database's part: the national IDs taken) fail
    with ``error``, while the batches after it are prepared."""
    from enterprises import services as registry

    real = registry._check_taken_legal_ids
    calls: list[int] = []

    def second_taken(units: list[Enterprise]) -> None:
        calls.append(len(units))
        if len(calls) == 2:
            raise error
        real(units)

    monkeypatch.setattr(registry, "_check_taken_legal_ids", second_taken)
    return calls


def test_a_refusal_while_the_next_batch_is_prepared_names_its_row_and_writes_nothing(
    officer_a: Any, reference: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The database writes batch N while batch N+1 is prepared (on PostgreSQL in another
    thread): a refusal in the writing of batch N names batch N's row, not a later one, and
    leaves nothing written — the batch before it neither."""
    from django.core.exceptions import ValidationError

    from enterprises import services as registry
    from indicators.models import FactChange

    monkeypatch.setattr(services, "BATCH", 2)
    job = dry_run(officer_a, reference.qom, csv_bytes([unit_row() for _ in range(7)]))
    refusal = registry.UnitRefused(1, ValidationError({"legal_id": "شناسه گرفته شده است."}))
    calls = _refused_in_the_second_write(monkeypatch, refusal)
    before = (Enterprise.objects.count(), StatusEvent.objects.count(),
              AuditRecord.objects.count(), FactChange.objects.count())  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        job = commit(job)

    assert job.state == ImportJob.State.FAILED
    # The second batch holds the sheet's rows 4 and 5: its unit 1 is row 5.
    assert "5" in job.error and "شناسه گرفته شده است." in job.error and "هیچ" in job.error
    assert calls == [2, 2]  # nothing written after the refused batch
    assert (Enterprise.objects.count(), StatusEvent.objects.count(),
            AuditRecord.objects.count(), FactChange.objects.count()) == before  # fmt: skip


def test_an_unexpected_error_while_writing_a_batch_fails_the_job_and_writes_nothing(
    officer_a: Any, reference: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "BATCH", 2)
    job = dry_run(officer_a, reference.qom, csv_bytes([unit_row() for _ in range(7)]))
    _refused_in_the_second_write(monkeypatch, RuntimeError("disk full"))
    before = Enterprise.objects.count(), AuditRecord.objects.count()

    with pytest.raises(RuntimeError, match="disk full"):
        commit(job)

    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and "هیچ" in job.error
    assert (Enterprise.objects.count(), AuditRecord.objects.count()) == before
    assert services.progress_read(job.pk) is None
