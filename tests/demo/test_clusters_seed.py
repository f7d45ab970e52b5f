"""The demo programme: the totals asked for, deterministic, safe to run again; its --force
deletes nothing when the programme holds a cluster or a record the demo did not make."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clusters.models import Cluster, StageEvent
from clusters.selectors import programme_counts
from demo.clusters import unique_name
from demo.models import Seeded
from persian import jalali
from tests.factories import make_cluster, make_officer, row_counts

ARGS = ["--total", "70", "--development", "8", "--completed", "20", "--until", "1404/06/31"]


def _seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_clusters", *ARGS, *extra, stdout=out)
    return out.getvalue()


def _fingerprint() -> list[tuple]:
    return list(
        StageEvent.objects.order_by("cluster__name", "date", "id").values_list(
            "cluster__name", "date", "to_stage"
        )
    )


def test_the_demo_reaches_the_totals_and_is_deterministic(registry) -> None:
    _seed()
    counts = programme_counts(jalali.parse("1404/06/31"))
    # The named sample clusters come first (16 completed, 28 developing among them).
    assert counts["identified"] == Cluster.objects.count() == 70
    assert counts["completed"] == 20
    first = _fingerprint()
    assert Cluster.objects.filter(agent__username="agent", province__code="IR-25").exists()
    names = list(Cluster.objects.values_list("name", flat=True))
    assert len(set(names)) == len(names) and not [n for n in names if re.search(r"[0-9]", n)]

    assert "nothing changed" in _seed()
    assert _fingerprint() == first

    _seed("--force")
    assert _fingerprint() == first


def test_a_demo_cluster_repeating_a_product_and_city_is_its_second_or_third_in_persian() -> None:
    taken = {"خوشه آجر قم", "خوشه آجر قم ۲"}

    assert unique_name("خوشه آجر قم", taken) == "خوشه آجر قم ۳"
    assert unique_name("خوشه آجر قم", set()) == "خوشه آجر قم"
    assert unique_name("خوشه چرم تبریز", taken) == "خوشه چرم تبریز"


def test_force_refuses_a_programme_holding_a_cluster_an_officer_created(registry) -> None:
    _seed()
    assert Seeded.objects.filter(command="seed_clusters", model="clusters.cluster").get().rows == 70
    make_cluster(actor=make_officer("IR-25"))  # through cluster_create, audited
    before = {**row_counts(), "seeded": Seeded.objects.count()}

    with pytest.raises(CommandError) as refused:
        _seed("--force")

    message = str(refused.value)
    assert "seed_clusters --force refused" in message and "nothing was deleted" in message
    assert "1 row of clusters_cluster," in message and "of audit_auditrecord" in message
    assert {**row_counts(), "seeded": Seeded.objects.count()} == before
