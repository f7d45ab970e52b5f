"""Load the reference data shipped in places/data and sectors/data (sources and licences in
their SOURCES.md): provinces, ISIC divisions, industry groups and the named real parks and
zones. Safe to run again: rows are matched on their codes and names and updated in place."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from persian.text import normalize, search_key
from pishran.events import publish
from places.events import ReferenceLoaded
from places.models import Park, Province
from sectors.models import IndustryGroup, IsicDivision

PLACES_DATA = Path(settings.BASE_DIR) / "places" / "data"
SECTORS_DATA = Path(settings.BASE_DIR) / "sectors" / "data"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class Command(BaseCommand):
    help = "Load provinces, ISIC divisions, industry groups and named parks (idempotent)."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        for row in _rows(PLACES_DATA / "provinces.csv"):
            Province.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_fa": normalize(row["name_fa"]),
                    "name_en": row["name_en"],
                    "capital_fa": normalize(row["capital_fa"]),
                    "population": int(row["population"]),
                    "latitude": Decimal(row["lat"]),
                    "longitude": Decimal(row["lon"]),
                },
            )
        groups: dict[str, IndustryGroup] = {}
        for position, row in enumerate(_rows(SECTORS_DATA / "isipo_groups.csv")):
            groups[row["key"]], _ = IndustryGroup.objects.update_or_create(
                key=row["key"],
                defaults={
                    "name_fa": normalize(row["name_fa"]),
                    "name_en": row["name_en"],
                    "position": position,
                },
            )
        division_group = {
            code: groups[row["key"]]
            for row in _rows(SECTORS_DATA / "isipo_groups.csv")
            for code in row["isic_divisions"].split(";")
            if code
        }
        for row in _rows(SECTORS_DATA / "isic_divisions.csv"):
            IsicDivision.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_fa": normalize(row["name_fa"]),
                    "name_en": row["name_en"],
                    "group": division_group.get(row["code"]),
                },
            )
        provinces = {p.code: p for p in Province.objects.all()}
        created = 0
        for row in _rows(PLACES_DATA / "parks_sample.csv"):
            province = provinces[row["province_code"]]
            park = Park.objects.filter(
                province=province, name_key=search_key(row["name_fa"])
            ).first()
            if park is None:
                park = Park(province=province, name=row["name_fa"])
                created += 1
            park.kind = Park.Kind.ZONE if row["kind"] == "zone" else Park.Kind.PARK
            park.ownership = (
                Park.Ownership.PRIVATE if row["private"] == "yes" else Park.Ownership.STATE
            )
            park.specialty = normalize(row["specialty"])[:300]
            park.save()
        # Within this transaction, the indicators load their shipped catalogue (they
        # subscribe: ``IndicatorsConfig.ready``), and start a new figures version once it
        # commits.
        publish(ReferenceLoaded(provinces=len(provinces), parks_created=created))
        self.stdout.write(
            f"Reference data: {len(provinces)} provinces, {IsicDivision.objects.count()} ISIC "
            f"divisions, {len(groups)} industry groups, named parks loaded ({created} new)."
        )
