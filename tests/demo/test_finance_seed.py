"""The demo finance agrees with the demo registry and clinics: every referral, file and
certificate is on a unit registered and not closed on its dates, the referrals from a clinic
case's plan link back to it, the files reach every stage, certificates travel along chains;
it is the same for a seed, running it again changes nothing, and the registry's --force
takes it with it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Min

from accounts.models import User
from accounts.scope import Scope
from cases.models import Case, CaseEvent
from demo.models import Seeded
from enterprises.models import Status, StatusEvent
from finance import casetype, market
from finance.models import Bank, Certificate, CertificateStep, Decision, Referral
from persian.jalali import parse, year_bounds

UNTIL = "1405/06/31"


def _quiet(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO(), verbosity=0)
    return out.getvalue()


def _registry(*extra: str) -> None:
    _quiet("seed_demo", "--units", "1500", "--seed", "7", "--until", UNTIL, *extra)


def _seed(*extra: str) -> str:
    return _quiet(
        "seed_finance", "--seed", "7", "--until", UNTIL, "--referrals", "150", "--files", "40",
        "--certificates", "40", *extra,
    )  # fmt: skip


def _fingerprint() -> list[tuple]:
    return list(
        CaseEvent.objects.filter(case__type__in=(casetype.TYPE, market.TYPE))
        .order_by("case__enterprise__legal_id", "case__opened_on", "date", "stage", "id")
        .values_list("case__enterprise__legal_id", "case__type", "date", "stage")
    ) + list(
        CertificateStep.objects.order_by("certificate__code", "date", "id").values_list(
            "certificate__code", "kind", "date", "to_holder__legal_id"
        )
    )


# Committed (a transactional test), as the clinics' seed test: on PostgreSQL the registry's
# seed rebuilds its indexes on a second connection.
@pytest.mark.django_db(transaction=True)
def test_the_demo_finance_follows_the_registry_and_the_clinics(reference) -> None:
    _registry()
    _quiet("seed_clinics", "--seed", "7", "--until", UNTIL, "--share", "0.25")
    registry_before = StatusEvent.objects.count()
    report = _seed()

    assert "referrals" in report and StatusEvent.objects.count() == registry_before
    until, first = parse(UNTIL), year_bounds(1402)[0]
    since = dict(
        StatusEvent.objects.values("enterprise_id")
        .annotate(first=Min("date"))
        .values_list("enterprise_id", "first")
    )
    # Every case and step on a unit registered then, never closed, dated 1402 to --until.
    for case in Case.objects.filter(type__in=(casetype.TYPE, market.TYPE)).select_related(
        "enterprise"
    ):
        assert case.enterprise.status != Status.CLOSED
        assert first <= case.opened_on <= until and since[case.enterprise_id] <= case.opened_on
        assert case.stage_since <= until
    referrals = Referral.objects.select_related("case", "clinic_case")
    assert referrals.count() >= 150
    stages = set(referrals.values_list("case__stage", flat=True))
    assert {casetype.INTRODUCED, casetype.DECIDED, casetype.PAID, casetype.REFUSED} <= stages
    assert len(set(referrals.values_list("instrument", flat=True))) >= 4
    assert len(set(referrals.values_list("bank_id", flat=True))) >= 5
    years = {r.case.opened_on.year for r in referrals}
    assert len(years) >= 3
    # From the clinics' plans: the same unit, linked back, introduced once the case was open.
    linked = [r for r in referrals if r.clinic_case is not None]
    assert linked
    for referral in linked:
        assert referral.clinic_case.enterprise_id == referral.case.enterprise_id
        assert referral.case.opened_on >= referral.clinic_case.opened_on
    # Decisions carry amounts: in part is less than asked, paid at most what was granted.
    for referral in referrals.exclude(decision=""):
        if referral.decision == Decision.PARTLY:
            assert 0 < referral.amount_granted < referral.amount_requested
        if referral.paid_on is not None:
            assert referral.amount_paid <= referral.amount_granted
            assert referral.decided_on <= referral.paid_on <= until
    # The pipeline at every stage.
    files = set(Case.objects.filter(type=market.TYPE).values_list("stage", flat=True))
    assert {market.INTRODUCED, market.FILE_OPENED, market.REJECTED} <= files
    assert files & {market.FINAL, market.ADMITTED}
    # Certificates: passed along chains, each step dated in order.
    assert Certificate.objects.count() >= 30
    assert CertificateStep.objects.filter(kind=CertificateStep.Kind.TRANSFER).exists()
    for certificate in Certificate.objects.prefetch_related("steps"):
        dates = [s.date for s in certificate.steps.all()]
        assert dates == sorted(dates) and dates[-1] <= until
        assert certificate.buyer_id != certificate.supplier_id

    first_run = _fingerprint()
    assert "nothing changed" in _seed()
    assert _fingerprint() == first_run
    _seed("--force")
    assert _fingerprint() == first_run
    assert Seeded.objects.filter(command="seed_finance", model="finance.referral").exists()

    # The demo accounts: Bank Melli's officer and the first firm's staff, who see its rows.
    printed = _quiet("demo_accounts", "--insecure")
    assert "bankofficer" in printed and "pishran-bank-1404" in printed
    assert "adviser" in printed and "pishran-adviser-1404" in printed
    officer = User.objects.get(username="bankofficer")
    melli = Bank.objects.get(code="melli")
    assert officer.grants.live().get().place_id == melli.pk
    seen = Case.objects.filter(Scope.of(officer).visible_q(Case), type=casetype.TYPE)
    assert seen.count() == Referral.objects.filter(bank=melli).count() > 0
    adviser = User.objects.get(username="adviser")
    assert adviser.grants.live().get().role == "market_adviser"

    # The registry's --force takes the demo finance with it.
    _registry("--force")
    assert not Referral.objects.exists() and not Certificate.objects.exists()
