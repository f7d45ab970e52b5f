"""The demo business clinics agree with the demo registry's history: every case closed as
revived holds the registry's own revival of its unit on its date, those that did not hold
were followed by the unit going idle again, and the cases open today are on units a clinic
takes; it is the same for a seed, running it again changes nothing, and its --force
deletes nothing when the clinics hold a case the demo did not make."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case, CaseEvent
from cases.services import case_open
from clinics import casetype
from clinics.models import DiagnosisCause, Revival
from demo.models import Seeded
from enterprises.models import CLINIC_CANDIDATE, REVIVAL_FROM, Enterprise, Status, StatusEvent
from tests.factories import make_officer, row_counts

UNTIL = "1405/06/31"


def _registry(*extra: str) -> None:
    call_command(
        "seed_demo",
        "--units",
        "1500",
        "--seed",
        "7",
        "--until",
        UNTIL,
        *extra,
        stdout=StringIO(),
        stderr=StringIO(),
        verbosity=0,
    )


def _seed(*extra: str) -> str:
    out = StringIO()
    call_command(
        "seed_clinics", "--seed", "7", "--until", UNTIL, "--share", "0.25", *extra, stdout=out
    )
    return out.getvalue()


def _fingerprint() -> list[tuple]:
    return list(
        CaseEvent.objects.order_by(
            "case__enterprise__legal_id", "case__opened_on", "date", "id"
        ).values_list("case__enterprise__legal_id", "date", "stage", "assignee__username")
    )


# Committed (a transactional test): on PostgreSQL the registry's seed rebuilds its indexes
# on a second connection, which would wait for ever on the locks of a test's open transaction.
@pytest.mark.django_db(transaction=True)
def test_the_demo_clinics_follow_the_registrys_history_and_are_the_same_for_a_seed(
    reference,
) -> None:
    _registry()
    registry_before = list(StatusEvent.objects.order_by("id").values_list("id", "to_status"))
    _seed()

    # Nothing written to the registry: the cases link its revivals.
    assert list(StatusEvent.objects.order_by("id").values_list("id", "to_status")) == (
        registry_before
    )
    revivals = list(Revival.objects.select_related("status_event", "case"))
    assert len(revivals) >= 10
    for revival in revivals:
        event = revival.status_event
        assert event.enterprise_id == revival.enterprise_id == revival.case.enterprise_id
        assert event.date == revival.date and event.is_revival
        assert revival.case.opened_on < revival.date
        assert CaseEvent.objects.filter(
            case=revival.case, stage=casetype.REVIVED, date=revival.date
        ).exists()
    # Those that did not hold: the unit went idle (or closed) again, and the case reopened
    # at "remedy plan" when it went idle.
    not_held = [r for r in revivals if r.not_sustained_on is not None]
    assert not_held
    for revival in not_held:
        relapse = StatusEvent.objects.get(
            enterprise_id=revival.enterprise_id, date=revival.not_sustained_on
        )
        assert relapse.to_status in (Status.IDLE, Status.CLOSED)
        assert revival.date <= relapse.date
        if relapse.to_status == Status.IDLE:
            assert revival.case.stage == casetype.REMEDY and revival.case.closed_on is None
    # Closed as revived and still so: closed on the revival's date.
    for case in Case.objects.filter(stage=casetype.REVIVED):
        assert case.closed_on == case.revivals.get().date
    assert Case.objects.filter(stage=casetype.CLOSED).exists()
    # Open cases, at every stage, are on units a clinic takes today.
    open_cases = Case.objects.filter(closed_on__isnull=True)
    assert {casetype.OPENED, casetype.DIAGNOSIS, casetype.REMEDY} <= set(
        open_cases.values_list("stage", flat=True)
    )
    assert (
        open_cases.count()
        == open_cases.filter(enterprise__in=Enterprise.objects.filter(CLINIC_CANDIDATE)).count()
    )
    # Each assigned to a consultant of the case's province.
    for case in Case.objects.exclude(assignee=None).select_related("assignee"):
        assert (
            case.assignee.grants.live()
            .filter(role="clinic_consultant", place_id=case.province_id)
            .exists()
        )
    primaries = DiagnosisCause.objects.filter(primary=True)
    assert primaries.filter(cause="working_capital").count() > primaries.count() / 3
    assert Enterprise.objects.filter(status__in=REVIVAL_FROM).exists()

    first = _fingerprint()
    assert "nothing changed" in _seed()
    assert _fingerprint() == first
    _seed("--force")
    assert _fingerprint() == first

    # The registry's --force takes the demo's cases with it (they protect its units).
    _registry("--force")
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_force_refuses_clinics_holding_a_case_an_officer_opened(reference) -> None:
    _registry()
    _seed()
    assert Seeded.objects.filter(command="seed_clinics", model="cases.case").get().rows == (
        Case.objects.count()
    )
    unit = (
        Enterprise.objects.filter(CLINIC_CANDIDATE, province=reference.qom)
        .exclude(pk__in=Case.objects.filter(closed_on__isnull=True).values("enterprise_id"))
        .order_by("pk")
        .first()
    )
    case_open(
        actor=make_officer("IR-25"),
        type=casetype.TYPE,
        enterprise=unit,
        date=unit.status_since,
    )
    before = {**row_counts(), "seeded": Seeded.objects.count()}

    with pytest.raises(CommandError) as refused:
        _seed("--force")

    message = str(refused.value)
    assert "seed_clinics --force refused" in message and "nothing was deleted" in message
    assert "1 row of cases_case," in message
    assert {**row_counts(), "seeded": Seeded.objects.count()} == before
    with pytest.raises(CommandError, match="seed_demo --force refused"):
        _registry("--force")
    assert {**row_counts(), "seeded": Seeded.objects.count()} == before
