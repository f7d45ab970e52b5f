"""What the demo seeders made (``demo.seeded``): the tables a --force would empty, and the
rows in them that no seeder made."""

from __future__ import annotations

from clusters.models import ActionItem, Cluster, Document, Membership, StageEvent, Visit
from demo.models import Seeded
from demo.seeded import deletions, not_made_by_the_demo, outside_the_demo
from enterprises.models import Enterprise, LocationEvent, StatusEvent
from places.models import Park


def test_deleting_follows_the_cascades_as_django_does() -> None:
    everything = deletions((Cluster, None))
    assert set(everything) >= {Cluster, StageEvent, Membership, Document, ActionItem, Visit}
    assert all(rows is None for rows in everything.values())  # whole tables

    registry = deletions((Enterprise, None))
    assert {StatusEvent, LocationEvent} <= set(registry)
    assert Membership not in registry  # protected: Django refuses, it deletes none


def test_rows_outside_every_recorded_range_are_not_the_demos(reference) -> None:
    ids = sorted(Park.objects.values_list("pk", flat=True))
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # the reference parks, in a row
    first = ids[0]
    for low, high in ((0, 9), (11, 19), (14, 29)):  # a gap (first + 10), an overlap
        Seeded.objects.create(
            command="test", model="places.park", first_id=first + low, last_id=first + high, rows=1
        )
    outside = set(Park.objects.filter(outside_the_demo(Park)).values_list("pk", flat=True))

    assert outside == {first + 10, *ids[30:]}
    assert not_made_by_the_demo(deletions((Park, Park.objects.filter(pk__lt=first + 30)))) == {
        "places_park": 1
    }
    Seeded.objects.all().delete()
    assert Park.objects.filter(outside_the_demo(Park)).count() == len(ids)  # none recorded
