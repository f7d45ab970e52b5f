"""Finance referrals: introduced, decided by the bank's own officer, paid — each refusal
names its field and saves nothing; amounts are rials in digits."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Case
from finance import casetype
from finance.models import Decision, Referral
from finance.selectors import ledger, referrals_visible
from finance.services import referral_decide, referral_pay
from tests.factories import days_ago, reload, row_counts
from tests.finance.conftest import Finance, introduce
from tests.views_helpers import field_error_text, jalali_text, page

pytestmark = pytest.mark.django_db


def test_a_referral_goes_from_introduced_to_decided_to_paid(finance: Finance) -> None:
    referral = referral_decide(
        actor=finance.melli_officer, referral=finance.qom, decision=Decision.PARTLY,
        amount_granted=15_000_000_000, date=days_ago(30),
    )  # fmt: skip
    assert reload(referral.case).stage == casetype.DECIDED and referral.days_waiting == 30
    referral = referral_pay(
        actor=finance.melli_officer,
        referral=referral,
        date=days_ago(10),
        amount_paid=15_000_000_000,
    )
    case = reload(referral.case)
    assert case.stage == casetype.PAID and case.closed_on == days_ago(10)


@pytest.mark.parametrize(
    ("decision", "granted", "reasons", "field"),
    [
        (Decision.APPROVED, 5_000_000_000, "", "amount_granted"),  # less than asked: in part
        (Decision.PARTLY, 20_000_000_000, "", "amount_granted"),  # the whole: an approval
        (Decision.PARTLY, 30_000_000_000, "", "amount_granted"),  # more than asked
        (Decision.REFUSED, None, "", "reasons"),
        ("maybe", None, "", "decision"),
    ],
)
def test_an_inconsistent_decision_is_refused_and_nothing_is_saved(
    finance: Finance, decision, granted, reasons, field
) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        referral_decide(
            actor=finance.melli_officer, referral=finance.qom, decision=decision,
            amount_granted=granted, reasons=reasons, date=days_ago(5),
        )  # fmt: skip
    assert field in error.value.message_dict
    assert row_counts() == before and reload(finance.qom).decision == ""


def test_more_than_granted_cannot_be_paid_and_a_refused_referral_is_not_paid(
    finance: Finance,
) -> None:
    referral_decide(actor=None, referral=finance.qom, decision=Decision.APPROVED, date=days_ago(20))
    with pytest.raises(ValidationError) as error:
        referral_pay(actor=None, referral=finance.qom, date=days_ago(1), amount_paid=20_000_000_001)
    assert "amount_paid" in error.value.message_dict
    referral_decide(
        actor=None,
        referral=finance.tehran,
        decision=Decision.REFUSED,
        reasons="وثیقه کافی نیست",
        date=days_ago(3),
    )
    with pytest.raises(ValidationError):
        referral_pay(actor=None, referral=finance.tehran, date=days_ago(1), amount_paid=1)
    assert reload(finance.tehran.case).stage == casetype.REFUSED


def test_a_bank_officer_sees_and_decides_only_their_banks_referrals(
    finance: Finance, client_for
) -> None:
    assert list(referrals_visible(finance.melli_officer)) == [finance.qom]
    client = client_for(finance.melli_officer)
    assert (
        client.get(reverse("finance_referral_case", args=[finance.tehran.case_id])).status_code
        == 404
    )
    response = client.post(
        reverse("finance_decide", args=[finance.tehran.case_id]),
        {"decision": "approved", "date": jalali_text(days_ago(1))},
    )
    assert response.status_code == 404 and reload(finance.tehran).decision == ""
    # Their own bank's referral: the page, but never the case's notes or the clinic pages.
    html = page(client.get(reverse("finance_referral_case", args=[finance.qom.case_id])))
    assert 'data-testid="decide"' in html
    assert client.get(reverse("case_note_add", args=[finance.qom.case_id])).status_code == 404


def test_an_amount_typed_with_a_unit_is_refused_beside_the_field(
    finance: Finance, officer_a, client_for
) -> None:
    from tests.factories import make_enterprise

    unit = make_enterprise(name="کاشی قم")
    before = row_counts()
    response = client_for(officer_a).post(
        reverse("finance_introduce"),
        {"unit": str(unit.pk), "bank": "melli", "branch": "شعبه بازار", "instrument": "working_capital",
         "amount_requested": "۲۰ میلیون تومان", "date": jalali_text(days_ago(1))},
    )  # fmt: skip
    assert response.status_code == 200
    assert "ریال" in field_error_text(response, "amount_requested")
    assert row_counts() == before


def test_an_officer_introduces_a_unit_in_persian_digits_with_separators(
    finance: Finance, officer_a, client_for
) -> None:
    from tests.factories import make_enterprise

    unit = make_enterprise(name="کاشی قم")
    response = client_for(officer_a).post(
        reverse("finance_introduce"),
        {"unit": str(unit.pk), "bank": "melli", "branch": "شعبه بازار", "instrument": "guarantee",
         "amount_requested": "۲٬۵۰۰٬۰۰۰٬۰۰۰", "date": jalali_text(days_ago(1))},
    )  # fmt: skip
    case = Case.objects.get(enterprise=unit, type=casetype.TYPE)
    assert response.status_code == 302 and case.referral.amount_requested == 2_500_000_000
    assert "۲۵۰٬۰۰۰٬۰۰۰ تومان" in page(client_for(officer_a).get(case.get_absolute_url()))


def test_the_ledger_counts_approval_rate_and_days_waiting_per_bank(
    finance: Finance, national_admin
) -> None:
    referral_decide(actor=None, referral=finance.qom, decision=Decision.APPROVED, date=days_ago(40))
    referral_decide(
        actor=None,
        referral=finance.tehran,
        decision=Decision.REFUSED,
        reasons="بدهی معوق",
        date=days_ago(50),
    )
    introduce(finance.qom.case.enterprise, "melli", days=10, amount=1_000_000)  # not decided yet
    rows = {row.label: row for row in ledger(referrals_visible(national_admin), "bank")}
    melli, mellat = rows[str(finance.qom.bank)], rows[str(finance.tehran.bank)]
    assert (melli.referrals, melli.decided, melli.approval_rate, melli.median_wait) == (
        2,
        1,
        100.0,
        20,
    )
    assert (mellat.referrals, mellat.decided, mellat.approval_rate, mellat.median_wait) == (
        1,
        1,
        0.0,
        10,
    )
    assert melli.requested == 20_000_000_000 + 1_000_000 and melli.granted == 20_000_000_000


def test_a_referral_from_a_clinic_case_must_be_the_same_units(finance: Finance, reference) -> None:
    from enterprises.models import Status
    from tests.clinics.conftest import open_case
    from tests.factories import make_enterprise

    idle = make_enterprise(name="واحد راکد", status=Status.IDLE, status_date=days_ago(300))
    clinic_case = open_case(idle, days=100)
    with pytest.raises(ValidationError) as error:
        introduce(finance.tehran.case.enterprise, "melli", clinic_case=clinic_case)
    assert "clinic_case" in error.value.message_dict
    referral = introduce(idle, "melli", days=50, clinic_case=clinic_case)
    assert referral.clinic_case == clinic_case


def test_the_median_wait_of_an_even_number_of_referrals_is_the_mean_of_the_middle_two(
    reference,
) -> None:
    from finance.selectors import ledgers
    from tests.factories import make_enterprise

    for days, wait in ((100, 10), (100, 20), (100, 40), (100, 90)):
        referral = introduce(make_enterprise(name=f"واحد {wait}"), "melli", days=days)
        referral_decide(
            actor=None, referral=referral, decision=Decision.APPROVED, date=days_ago(days - wait)
        )
    introduce(make_enterprise(name="واحد منتظر"), "mellat", days=5)

    tables = ledgers(Referral.objects.all(), "bank", "instrument")

    melli = next(row for row in tables["bank"] if row.referrals == 4)
    assert (melli.decided, melli.median_wait, melli.approval_rate) == (4, 30, 100)
    (instrument,) = tables["instrument"]
    assert (instrument.referrals, instrument.decided, instrument.median_wait) == (5, 4, 30)


def test_the_lists_ledgers_read_from_the_facts_agree_with_the_rows_for_every_role(
    finance: Finance, national_admin, officer_a, officer_b, owner
) -> None:
    """National staff and provincial officers get the ledgers from the cases' facts (fast
    at a million units); bank officers and owners from their rows. Each must equal the
    ledgers summed from the referrals the person can see, decisions and payments
    included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finance.selectors import ledgers, ledgers_of
    from tests.factories import make_enterprise

    referral_decide(actor=None, referral=finance.qom, decision=Decision.APPROVED, date=days_ago(40))
    referral_pay(actor=None, referral=finance.qom, amount_paid=15_000_000_000, date=days_ago(30))
    referral_decide(
        actor=None,
        referral=finance.tehran,
        decision=Decision.REFUSED,
        reasons="وثیقه",
        date=days_ago(20),
    )
    introduce(make_enterprise(name="فولاد قم"), "mellat", days=12, amount=5_000_000)
    for person in (national_admin, officer_a, officer_b, owner, finance.melli_officer):
        expected = ledgers(referrals_visible(person), "bank", "instrument")
        with CaptureQueriesContext(connection) as queries:
            assert ledgers_of(person, "bank", "instrument") == expected, person.username
        from_rows = any('"finance_referral"."' in q["sql"] for q in queries.captured_queries)
        assert from_rows == (person == owner), person.username
    qom = {row.label: row for row in ledgers_of(officer_a, "bank")["bank"]}
    assert set(qom) == {str(finance.qom.bank), str(finance.tehran.bank)}
    assert qom[str(finance.qom.bank)].paid == 15_000_000_000


def test_the_lists_ledger_follows_a_banks_decision_at_once(
    finance: Finance, national_admin, client_for, django_capture_on_commit_callbacks
) -> None:
    """The ledgers are kept per figures version: the bank's decision starts a new one, so
    the next page shows it."""
    client = client_for(national_admin)

    def mellat_row() -> str:
        html = page(client.get(reverse("finance_referrals")))
        table = html[html.index('data-testid="ledger-bank"') :]
        return table[table.index(str(finance.tehran.bank)) :].split("</tr>")[0]

    before = mellat_row()
    with django_capture_on_commit_callbacks(execute=True):
        referral_decide(
            actor=None, referral=finance.tehran, decision=Decision.APPROVED, date=days_ago(20)
        )
    after = mellat_row()
    assert before != after and "۱۰۰" in after  # approved: the approval rate is 100%


def test_the_national_lists_count_follows_a_new_referral_at_once(
    finance: Finance, national_admin, client_for, django_capture_on_commit_callbacks
) -> None:
    """National staff's count of every referral is kept per figures version: a new
    referral starts a new one, so the next page counts it."""
    from persian.text import to_latin_digits
    from tests.factories import make_enterprise

    client = client_for(national_admin)

    def count() -> str:
        html = page(client.get(reverse("finance_referrals")))
        return html.split('data-testid="referral-count">')[1].split("</p>")[0]

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = count()
    with CaptureQueriesContext(connection) as captured:
        assert count() == before
    assert not any("COUNT(" in q["sql"] for q in captured)  # kept, not counted again
    with django_capture_on_commit_callbacks(execute=True):
        introduce(make_enterprise(name="واحد تازه"))
    after = count()
    assert after != before
    assert Referral.objects.count() == int(to_latin_digits(after.split()[0]))


def test_each_case_event_shows_in_every_roles_ledgers_on_the_next_page(
    finance: Finance, national_admin, officer_a, client_for, django_capture_on_commit_callbacks
) -> None:
    """After a decision, a payment, a refusal or a new referral, the next list page of
    national staff, a provincial officer and a bank's officer shows ledgers equal to those
    summed from the referrals they see — read from the facts' all-time rows, one per
    value, not from the years'."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finance.selectors import ledgers
    from tests.factories import make_enterprise

    def decide_qom() -> None:
        referral_decide(
            actor=None, referral=finance.qom, decision=Decision.PARTLY, date=days_ago(40),
            amount_granted=8_000_000_000,
        )  # fmt: skip

    events = (
        decide_qom,
        lambda: referral_pay(
            actor=None, referral=finance.qom, amount_paid=7_000_000_000, date=days_ago(30)
        ),
        lambda: referral_decide(
            actor=None,
            referral=finance.tehran,
            decision=Decision.REFUSED,
            reasons="وثیقه",
            date=days_ago(20),
        ),  # fmt: skip
        lambda: introduce(make_enterprise(name="فولاد قم"), "melli", days=12, amount=5_000_000),
    )
    people = (national_admin, officer_a, finance.melli_officer)
    shown = {person.username: [] for person in people}
    for event in events:
        with django_capture_on_commit_callbacks(execute=True):
            event()
        for person in people:
            with CaptureQueriesContext(connection) as queries:
                response = client_for(person).get(reverse("finance_referrals"))
            expected = ledgers(referrals_visible(person), "bank", "instrument")
            got = {
                "bank": response.context["by_bank"],
                "instrument": response.context["by_instrument"],
            }
            assert got == expected, (person.username, event)
            shown[person.username].append(got)
            facts = [
                q["sql"] for q in queries.captured_queries if "indicators_casefact" in q["sql"]
            ]
            assert facts and all("'a'" in sql and "'y'" not in sql for sql in facts)
    steps = shown["national_admin"]  # every event changed what national staff see
    assert all(a != b for a, b in zip(steps, steps[1:], strict=False))
    assert all(shown[p.username][0] != shown[p.username][-1] for p in people)
    melli = next(row for row in shown["national_admin"][-1]["bank"] if row.referrals == 2)
    assert (melli.granted, melli.paid, melli.median_wait) == (8_000_000_000, 7_000_000_000, 20)
