"""Parks and reference data announce their changes (``places.events``, ``audit.events``);
the indicators load their catalogue with the reference data, in its transaction."""

from __future__ import annotations

from io import StringIO

from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory

from audit.events import ReferenceRowSaved
from indicators.models import Indicator
from places.events import ParkSaved, ReferenceLoaded
from places.models import Province
from places.services import park_create, park_update
from tests.events_helpers import announced


def test_a_park_created_and_changed(reference, django_capture_on_commit_callbacks) -> None:
    seen, park = announced(
        django_capture_on_commit_callbacks,
        lambda: park_create(actor=None, data={"province": reference.qom, "name": "شهرک نو"}),
        "park.",
    )
    assert seen == [
        ParkSaved(
            park_id=park.pk, province_id=reference.qom.pk, created=True, changed=seen[0].changed
        )
    ]
    assert "name" in seen[0].changed

    seen, _ = announced(
        django_capture_on_commit_callbacks,
        lambda: park_update(
            actor=None, park=park, data={"plots_total": 40}, fields=("plots_total",)
        ),
        "park.",
    )
    assert seen == [
        ParkSaved(
            park_id=park.pk, province_id=reference.qom.pk, created=False, changed=("plots_total",)
        )
    ]

    seen, _ = announced(
        django_capture_on_commit_callbacks,
        lambda: park_update(
            actor=None, park=park, data={"plots_total": 40}, fields=("plots_total",)
        ),
        "park.",
    )
    assert seen == []  # nothing changed


def test_load_reference_announces_itself_and_brings_the_indicators(
    reference, django_capture_on_commit_callbacks
) -> None:
    Indicator.objects.filter(kind="ratio").delete()
    Indicator.objects.all().delete()

    seen, _ = announced(
        django_capture_on_commit_callbacks,
        lambda: call_command("load_reference", stdout=StringIO()),
        "reference.",
    )

    assert seen == [ReferenceLoaded(provinces=Province.objects.count(), parks_created=0)]
    assert Indicator.objects.filter(key="units-active").exists()  # loaded in its transaction


def test_a_reference_row_saved_in_the_back_office(
    reference, national_admin, django_capture_on_commit_callbacks
) -> None:
    request = RequestFactory().post("/admin/")
    request.user = national_admin
    province = Province.objects.get(pk=reference.qom.pk)
    province.capital_fa = "قم نو"

    seen, _ = announced(
        django_capture_on_commit_callbacks,
        lambda: admin.site._registry[Province].save_model(request, province, None, True),
        "reference.",
    )

    assert seen == [
        ReferenceRowSaved(
            model="places.province", pk=province.pk, created=False, changed=("capital_fa",)
        )
    ]
