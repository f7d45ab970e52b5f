"""The demo export consortia agree with the demo registry: every founding member was active
on the forming day, no year's support passes the cap, each consortium has a promoter; it is
the same for a seed, running it again changes nothing, and --force rebuilds it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from accounts.models import Grant, User
from consortia.models import Consortium, Member, SupportEntry
from consortia.roles import PROMOTER
from consortia.services import cap_for
from demo.models import Seeded
from enterprises.models import Status
from enterprises.selectors import status_on

UNTIL = "1405/06/31"


def _seed(*extra: str) -> str:
    out = StringIO()
    call_command(
        "seed_consortia", "--seed", "7", "--until", UNTIL, "--provinces", "3", *extra, stdout=out
    )
    return out.getvalue()


def _fingerprint() -> list[tuple]:
    return list(
        Member.objects.order_by("enterprise__legal_id", "joined_on").values_list(
            "consortium__name", "enterprise__legal_id", "joined_on", "left_on"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_the_demo_consortia_follow_the_registry_and_are_the_same_for_a_seed(reference) -> None:
    call_command(
        "seed_demo", "--units", "1500", "--seed", "7", "--until", UNTIL,
        stdout=StringIO(), stderr=StringIO(), verbosity=0,
    )  # fmt: skip

    report = _seed()

    consortia = list(Consortium.objects.all())
    assert len(consortia) >= 3, report
    for consortium in consortia:
        founders = consortium.members.filter(joined_on=consortium.formed_on)
        assert founders.count() >= 4
        assert all(status_on(m.enterprise, m.joined_on) == Status.ACTIVE for m in founders)
        assert Grant.objects.filter(role=PROMOTER, place_id=consortium.pk).exists()
    for row in SupportEntry.objects.values("consortium", "year").annotate(s=Sum("amount")):
        assert row["s"] <= cap_for(row["year"])
    assert Seeded.objects.filter(command="seed_consortia", model="consortia.consortium").exists()

    first = _fingerprint()
    assert "nothing changed" in _seed()
    assert _fingerprint() == first
    _seed("--force")
    assert _fingerprint() == first

    out = StringIO()
    call_command("demo_accounts", "--insecure", stdout=out)
    qom = Consortium.objects.filter(province__code="IR-25").order_by("pk").first()
    promoter = User.objects.get(username="promoter")
    held = set(promoter.grants.live().values_list("role", "place_id"))
    assert qom is not None and held == {(PROMOTER, qom.pk)}
    assert "promoter" in out.getvalue()
