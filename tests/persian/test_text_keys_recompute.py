"""The data migrations of issue 18 recompute stored names and keys in batches, writing
only the rows whose keys change."""

from __future__ import annotations

import importlib

from django.apps import apps as current_apps

from enterprises.models import Enterprise
from persian.text import search_key, sort_key
from pishran.db import recompute_in_batches
from places.models import Park
from tests.factories import make_enterprise

enterprises_0006 = importlib.import_module("enterprises.migrations.0006_recompute_text_keys")
places_0002 = importlib.import_module("places.migrations.0002_recompute_text_keys")


def test_stale_enterprise_keys_are_recomputed_and_current_ones_left_alone(reference) -> None:
    pasted = make_enterprise(name="صنایع غذایی")
    fine = make_enterprise(name="پاییز")
    # as stored before the change: the name as pasted from a PDF, with its old keys
    Enterprise.objects.filter(pk=pasted.pk).update(
        name="ﺻﻨﺎﯾﻊ\u202bغذایی", search_text="stale", sort_key="stale"
    )

    enterprises_0006.Migration.operations[0].code(current_apps, None)

    pasted.refresh_from_db()
    assert pasted.name == "صنایعغذایی"
    assert pasted.search_text.startswith(search_key("صنایعغذایی") + "|")
    assert pasted.sort_key == sort_key("صنایعغذایی")
    assert Enterprise.objects.get(pk=fine.pk).sort_key == sort_key("پاییز")


def test_batches_visit_every_row_once(reference) -> None:
    units = [make_enterprise(name=f"واحد {i}") for i in range(7)]
    Enterprise.objects.update(sort_key="stale")
    seen: list[int] = []

    def compute(row):
        seen.append(row.pk)
        return {"sort_key": sort_key(row.name)}

    changed = recompute_in_batches(Enterprise.objects.all(), compute, ["sort_key"], batch_size=3)

    assert changed == len(seen) == Enterprise.objects.count() >= len(units)
    assert sorted(seen) == seen and len(set(seen)) == len(seen)
    assert recompute_in_batches(Enterprise.objects.all(), compute, ["sort_key"]) == 0


def test_a_park_whose_new_key_is_taken_keeps_its_old_one(reference) -> None:
    park = reference.park_p
    twin = Park.objects.create(
        province=park.province, name=park.name + "x", plots_total=1, plots_allocated=0
    )
    # a name that differed only by a bidi mark before the change
    Park.objects.filter(pk=twin.pk).update(name=park.name + "\u200f", name_key="old-key")

    places_0002.recompute(current_apps, None)

    twin.refresh_from_db()
    assert twin.name_key == "old-key"
    assert Park.objects.get(pk=park.pk).name_key == search_key(park.name)
