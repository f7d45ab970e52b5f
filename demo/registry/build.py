"""The database side of the demo build: recognising existing demo data, clearing the
registry for ``--force`` (only when every row it deletes is demo data: ``demo.seeded``),
adding the synthetic parks, handing the generator's rows to the writer for the backend, and
recording what it wrote. Used by ``manage.py seed_demo``."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from accounts.models import Grant
from cases.models import Case
from demo import seeded
from enterprises.models import Enterprise, LocationEvent, MeasureEvent, StatusEvent
from enterprises.services import location_events_close
from finance.models import Certificate
from indicators.models import CaseFact, CaseShare
from persian.text import search_key
from places.models import Park, Province
from sectors.models import IndustryGroup, IsicDivision

from . import words as W
from .generator import (
    ENTERPRISE_COLUMNS,
    LOCATION_EVENT_COLUMNS,
    MEASURE_EVENT_COLUMNS,
    PLACES_DATA,
    STATUS_EVENT_COLUMNS,
    DemoGenerator,
    GroupRef,
    ParkRef,
    ProvinceRef,
    read_csv,
)
from .writers import Table, pending_finalize, pg_finalize, writer_for

TABLES = (
    Table(Enterprise, ENTERPRISE_COLUMNS),
    Table(StatusEvent, STATUS_EVENT_COLUMNS),
    Table(LocationEvent, LOCATION_EVENT_COLUMNS),
    Table(MeasureEvent, MEASURE_EVENT_COLUMNS),
)
REGISTRY_MODELS: tuple[type[models.Model], ...] = (
    Enterprise,
    StatusEvent,
    LocationEvent,
    MeasureEvent,
)


@dataclass
class BuildReport:
    parks_total: int = 0
    parks_created: int = 0
    parks_deleted: int = 0
    enterprises_deleted: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    fast_search_text: bool = True


def reference_problem() -> str | None:
    """Why the demo cannot be built yet (reference data missing), or None."""
    if Province.objects.count() < 31 or not IndustryGroup.objects.exists():
        return "Reference data is missing: run `manage.py load_reference` first."
    if not IsicDivision.objects.filter(code="33").exists():
        return "ISIC divisions are missing: run `manage.py load_reference` first."
    return None


def demo_present() -> bool:
    """Demo units are recognised by the reason of their first status event, which says
    they are demo data (``words.FIRST_REASONS``)."""
    return StatusEvent.objects.filter(from_status="", reason__in=W.FIRST_REASONS).exists()


def _dependent_models() -> list[type[models.Model]]:
    """Models (including many-to-many link tables) with a relation to an enterprise or an
    event, other than the registry tables themselves, and the models that refer to those in
    turn (a case's events refer to the case, which refers to the unit): PostgreSQL
    truncates a table only together with every table that refers to it."""
    out: list[type[models.Model]] = []
    targets = set(REGISTRY_MODELS)
    found = True
    while found:
        found = False
        for model in apps.get_models(include_auto_created=True):
            if model in targets:
                continue
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model in targets:
                    out.append(model)
                    targets.add(model)
                    found = True
                    break
    return out


def clear_registry(*, log: Callable[[str], None]) -> tuple[int, bool]:
    """Delete every enterprise with its status and location history and the owner grants
    over them.

    Fast path (TRUNCATE on PostgreSQL, plain DELETE elsewhere) when nothing but those
    tables refers to enterprises; otherwise Django's own deletion (cascades and protections
    of later modules apply). Returns (enterprises deleted, truncated-in-this-transaction)."""
    count = Enterprise.objects.count()
    # Owner grants name their unit by id (no foreign key): they go with the units.
    Grant.objects.filter(place_kind="enterprise").delete()
    dependents = _dependent_models()
    if any(m._default_manager.exists() for m in dependents):
        log("  rows of other modules refer to enterprises: deleting through Django (slow)")
        Case.objects.all().delete()  # they protect the units and the status events
        Certificate.objects.all().delete()  # so do the «گام» certificates' buyers and holders
        # and their share of the figures goes with them (rebuild_facts counts the new ones)
        CaseFact.objects.all().delete()
        CaseShare.objects.all().delete()
        StatusEvent.objects.all().delete()
        LocationEvent.objects.all().delete()
        MeasureEvent.objects.all().delete()
        Enterprise.objects.all().delete()
        return count, False
    qn = connection.ops.quote_name
    models_in_order: list[type[models.Model]] = [
        *dependents,
        StatusEvent,
        LocationEvent,
        MeasureEvent,
        Enterprise,
    ]
    tables = [m._meta.db_table for m in models_in_order]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows deleted earlier in this transaction (the demo's cases) leave deferred
            # foreign-key checks pending, and TRUNCATE refuses a table with pending trigger
            # events: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE " + ", ".join(qn(t) for t in tables))
            return count, True
        for table in tables:
            cursor.execute(f"DELETE FROM {qn(table)}")
    return count, False


def prepare_empty_tables() -> bool:
    """On PostgreSQL, TRUNCATE the (empty) registry tables so that COPY may write frozen
    rows; only when every table that refers to them is empty too."""
    if connection.vendor != "postgresql":
        return False
    involved: list[type[models.Model]] = [*_dependent_models(), *REGISTRY_MODELS]
    if any(m._default_manager.exists() for m in involved):
        return False
    qn = connection.ops.quote_name
    tables = [m._meta.db_table for m in involved]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in clear_registry
        cursor.execute("TRUNCATE " + ", ".join(qn(t) for t in tables))
    return True


def reference_park_keys() -> set[tuple[str, str]]:
    """(province code, name key) of the named real parks shipped in parks_sample.csv."""
    return {
        (row["province_code"], search_key(row["name_fa"]))
        for row in read_csv(PLACES_DATA / "parks_sample.csv")
    }


def synthetic_park_ids() -> list[int]:
    """The parks that are not named real parks (the demo's synthetic ones)."""
    keys = reference_park_keys()
    return [
        pk
        for pk, code, key in Park.objects.values_list("pk", "province__code", "name_key")
        if (code, key) not in keys
    ]


def force_deletions() -> seeded.Deletions:
    """What ``--force`` deletes: every enterprise with its history and the owner grants
    over them (and whatever cascades from them), the cases on them (which protect their
    units and the revivals they link), and the synthetic parks (with their links)."""
    return seeded.deletions(
        (Case, None),
        (Certificate, None),
        (Enterprise, None),
        (StatusEvent, None),
        (LocationEvent, None),
        (Grant, Grant.objects.filter(place_kind="enterprise")),
        (Park, Park.objects.filter(pk__in=synthetic_park_ids())),
    )


def delete_synthetic_parks() -> int:
    """Delete the parks that are not named real parks (the demo's synthetic ones)."""
    ids = synthetic_park_ids()
    deleted = 0
    for start in range(0, len(ids), 500):
        Park.objects.filter(pk__in=ids[start : start + 500]).delete()
        deleted += len(ids[start : start + 500])
    return deleted


def _province_dicts() -> list[dict[str, Any]]:
    return [
        {
            "id": p.pk,
            "code": p.code,
            "name_fa": p.name_fa,
            "capital_fa": p.capital_fa,
            "lat": float(p.latitude or 32.0),
            "lon": float(p.longitude or 53.0),
        }
        for p in Province.objects.order_by("code")
    ]


def _decimal(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def ensure_parks(gen: DemoGenerator) -> tuple[int, int]:
    """Add synthetic parks and zones until each province reaches its estimated count, and
    give the named real parks the attributes their rows lack (demo values: area from the
    reference note where it states hectares). Returns (created, total)."""
    provinces = _province_dicts()
    by_code = {p["code"]: p for p in provinces}
    existing: dict[str, list[str]] = defaultdict(list)
    for code, name in Park.objects.values_list("province__code", "name").order_by("id"):
        existing[code].append(name)
    specs = gen.park_specs(provinces, existing)
    for spec in specs:
        Park(
            province_id=by_code[spec.province_code]["id"],
            name=spec.name,
            kind=spec.kind,
            ownership=spec.ownership,
            specialty=spec.specialty,
            area_ha=_decimal(spec.area_ha, 2),
            established_on=spec.established_on,
            is_active=spec.is_active,
            latitude=_decimal(spec.latitude, 5),
            longitude=_decimal(spec.longitude, 5),
        ).save()
    keys = reference_park_keys()
    for park in Park.objects.select_related("province").order_by("id"):
        if (park.province.code, park.name_key) not in keys:
            continue
        if park.area_ha is not None and park.established_on and park.latitude is not None:
            continue
        spec = gen.reference_park_attributes(
            by_code[park.province.code], park.name, park.kind, park.specialty
        )
        changed: list[str] = []
        if park.area_ha is None:
            park.area_ha = _decimal(spec.area_ha, 2)
            changed.append("area_ha")
        if park.established_on is None:
            park.established_on = spec.established_on
            changed.append("established_on")
        if park.latitude is None or park.longitude is None:
            park.latitude, park.longitude = _decimal(spec.latitude, 5), _decimal(spec.longitude, 5)
            changed += ["latitude", "longitude"]
        park.save(update_fields=[*changed, "updated_at"])
    return len(specs), Park.objects.count()


def province_refs(gen: DemoGenerator) -> list[ProvinceRef]:
    refs = {}
    for p in _province_dicts():
        stats = gen.province_stats[p["code"]]
        refs[p["id"]] = ProvinceRef(
            id=p["id"],
            code=p["code"],
            name_fa=p["name_fa"],
            capital_fa=p["capital_fa"],
            lat=p["lat"],
            lon=p["lon"],
            parks_target=int(stats["parks_zones_est"]),
            units_weight=float(stats["units_in_parks_1398_est"]),
        )
    for park in Park.objects.order_by("id"):
        prov = refs[park.province_id]
        area = float(park.area_ha) if park.area_ha is not None else 50.0
        prov.parks.append(
            ParkRef(
                id=park.pk,
                province_id=park.province_id,
                name=park.name,
                lat=float(park.latitude) if park.latitude is not None else prov.lat,
                lon=float(park.longitude) if park.longitude is not None else prov.lon,
                # Bigger parks hold more units; parks not yet active hardly any.
                weight=max(area, 5.0) ** 0.8 * (1.0 if park.is_active else 0.05),
                opened=park.established_on.toordinal() if park.established_on else 0,
            )
        )
    return list(refs.values())


def group_refs(gen: DemoGenerator) -> list[GroupRef]:
    ids = dict(IndustryGroup.objects.values_list("key", "id"))
    return [
        GroupRef(
            id=ids[row["key"]],
            key=row["key"],
            share=float(row["share_1398"]),
            divisions=[d for d in row["isic_divisions"].split(";") if d],
        )
        for row in gen.group_rows
        if row["key"] in ids
    ]


def update_park_plots(gen: DemoGenerator) -> None:
    """Land plots per park from the units now standing in it (allocated ≥ units)."""
    rng = random.Random(gen.seed * 1_000_003 + 4)
    parks = list(Park.objects.order_by("id"))
    for park in parks:
        units = gen.units_per_park.get(park.pk, 0)
        area = float(park.area_ha) if park.area_ha is not None else None
        park.plots_total, park.plots_allocated = gen.plots_for(rng, units, area)
    Park.objects.bulk_update(parks, ["plots_total", "plots_allocated"], batch_size=500)


def build(
    gen: DemoGenerator,
    *,
    force: bool,
    log: Callable[[str], None],
    progress_factory: Callable[..., Any] | None,
) -> BuildReport:
    """Load everything in one transaction; then (PostgreSQL) rebuild the indexes."""
    report = BuildReport(fast_search_text=gen.fast_search_text)

    def timed(name: str, t0: float) -> None:
        report.timings[name] = time.perf_counter() - t0
        log(f"  {name}: {report.timings[name]:.1f} s")

    writer = writer_for(connection, TABLES, log=log)
    with transaction.atomic():
        t0 = time.perf_counter()
        truncated = False
        deleted = force_deletions()
        if force:
            seeded.refuse_unless_demo("seed_demo", deleted)
            report.enterprises_deleted, truncated = clear_registry(log=log)
            report.parks_deleted = delete_synthetic_parks()
            seeded.forget(deleted)
            timed("delete previous data", t0)
        if not truncated:
            truncated = prepare_empty_tables()
        before = seeded.high_water(deleted)
        t0 = time.perf_counter()
        report.parks_created, report.parks_total = ensure_parks(gen)
        timed("parks", t0)
        provinces, groups = province_refs(gen), group_refs(gen)
        ids = writer.next_ids()
        t0 = time.perf_counter()
        writer.prepare(empty_tables=truncated)
        timed("prepare tables", t0)
        progress = (
            progress_factory(total=gen.units, desc="enterprises", unit=" units")
            if progress_factory
            else None
        )
        stream = gen.rows(
            provinces,
            groups,
            first_enterprise_id=ids[Enterprise._meta.db_table],
            first_status_event_id=ids[StatusEvent._meta.db_table],
            first_location_event_id=ids[LocationEvent._meta.db_table],
            first_measure_event_id=ids[MeasureEvent._meta.db_table],
        )
        try:
            writer.write(stream, progress)
        finally:
            if progress is not None:
                progress.close()
        writer.finish()
        t0 = time.perf_counter()
        location_events_close()  # the COPY bypassed enterprise_move, which keeps them
        timed("location events closed", t0)
        t0 = time.perf_counter()
        update_park_plots(gen)
        timed("park plots", t0)
        seeded.record("seed_demo", before)
        t0 = time.perf_counter()
    timed("commit", t0)
    writer.finalize(progress_factory)
    result = writer.result()
    report.counts = result.counts
    report.timings.update(result.timings)
    return report


def finish_interrupted_build(
    *, log: Callable[[str], None], progress_factory: Callable[..., Any] | None
) -> bool:
    """Finish a demo build that loaded its rows but stopped before its indexes were
    rebuilt (PostgreSQL). Returns True if there was one."""
    marker = pending_finalize(connection)
    if marker is None:
        return False
    pg_finalize(connection, marker, progress_factory, log=log)
    return True
