"""One way to refresh the figures: the indicators subscribe to the domain events, and each
change below starts a new figures version once its transaction commits — not before, and
never for a change that rolled back."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from clusters import services as cluster_services
from enterprises import services as registry
from enterprises.models import Status
from indicators import facts, sources
from indicators.catalogue import load_indicators
from indicators.events import TargetDeleted, TargetSaved
from indicators.models import Indicator
from indicators.services import target_delete, target_set
from places.services import park_update
from sectors.models import IndustryGroup
from tests.events_helpers import announced
from tests.factories import days_ago, make_cluster, make_enterprise


def _admin_save(user, obj) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().post("/admin/")
    request.user = user
    admin.site._registry[type(obj)].save_model(request, obj, None, True)


def _rename_group(user, reference) -> None:  # type: ignore[no-untyped-def]
    group = IndustryGroup.objects.get(pk=reference.group.pk)
    group.name_fa = "غذایی و آشامیدنی"
    _admin_save(user, group)


def _retitle_indicator(user, reference) -> None:  # type: ignore[no-untyped-def]
    indicator = Indicator.objects.get(key="units-active")
    indicator.name = "واحدهای فعال (بازبینی)"
    _admin_save(user, indicator)


CHANGES = {
    "a cluster's stage": lambda user, reference: cluster_services.cluster_advance(
        actor=None,
        cluster=make_cluster(province=reference.qom, stage="identified", start=days_ago(90)),
        to_stage="feasibility",
        date=days_ago(10),
    ),
    "a visit to a cluster": lambda user, reference: cluster_services.visit_add(
        actor=None,
        cluster=make_cluster(province=reference.qom, stage="diagnosis", start=days_ago(90)),
        kind="visit",
        date=days_ago(1),
        by="کارشناس",
        summary="بازدید",
    ),
    "a park's name": lambda user, reference: park_update(
        actor=None, park=reference.park_p, data={"name": "شهرک نو"}, fields=("name",)
    ),
    "a target": lambda user, reference: target_set(
        actor=None, indicator=Indicator.objects.get(key="units-active"), year=1405, value=10
    ),
    "a unit's status (the facts applied)": lambda user, reference: (
        registry.enterprise_change_status(
            actor=None,
            enterprise=make_enterprise(province=reference.qom),
            to_status=Status.IDLE,
            date=days_ago(1),
            reason="رکود",
        )
    ),
    "an industry group renamed in the back office": _rename_group,
    "an indicator edited in the back office": _retitle_indicator,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_starts_a_new_figures_version_once_it_commits(
    change, national_admin, reference, django_capture_on_commit_callbacks
) -> None:
    load_indicators()
    version = sources._version()

    with django_capture_on_commit_callbacks(execute=True):
        CHANGES[change](national_admin, reference)
        assert sources._version() == version  # not before the commit

    assert sources._version() != version


def test_a_rebuild_starts_a_new_figures_version(reference, django_capture_on_commit_callbacks):
    make_enterprise(province=reference.qom)
    version = sources._version()

    with django_capture_on_commit_callbacks(execute=True):
        facts.rebuild()

    assert sources._version() != version


def test_a_refused_change_keeps_the_version(reference, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    load_indicators()
    version = sources._version()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        target_set(
            actor=None, indicator=Indicator.objects.get(key="units-active"), year=1405, value=-1
        )

    assert sources._version() == version


def test_targets_announce_what_was_set_and_removed(reference, django_capture_on_commit_callbacks):
    load_indicators()
    indicator = Indicator.objects.get(key="units-active")

    seen, target = announced(
        django_capture_on_commit_callbacks,
        lambda: target_set(
            actor=None, indicator=indicator, year=1405, value=12, province=reference.qom
        ),
        "indicators.",
    )
    assert seen == [
        TargetSaved(
            target_id=target.pk,
            indicator_id=indicator.pk,
            province_id=reference.qom.pk,
            year=1405,
            created=True,
        )
    ]

    pk = target.pk
    seen, _ = announced(
        django_capture_on_commit_callbacks,
        lambda: target_delete(actor=None, target=target),
        "indicators.",
    )
    assert seen == [
        TargetDeleted(
            target_id=pk, indicator_id=indicator.pk, province_id=reference.qom.pk, year=1405
        )
    ]
