"""The unit's registry status 6 and 12 months after the money, read from its dated status
history: on the referral's page and in the list, "not yet" for a day still to come, nothing
for a referral refused; one query for the history of a whole page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from enterprises.models import Status
from enterprises.services import enterprise_change_status
from finance.models import Decision
from finance.selectors import with_status_after
from finance.services import referral_decide, referral_pay
from persian.jalali import add_months
from tests.factories import days_ago, make_enterprise
from tests.finance.conftest import introduce
from tests.views_helpers import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_long_ago(reference: Any) -> Any:
    """Paid 420 days ago; idle from 300 days ago, active again from 100 days ago: idle six
    months after the money, active twelve months after."""
    unit = make_enterprise(name="قطعه‌سازی البرز", status_date=days_ago(900))
    referral = introduce(unit, days=500)
    referral = referral_decide(
        actor=None, referral=referral, decision=Decision.APPROVED, date=days_ago(450)
    )
    referral = referral_pay(
        actor=None, referral=referral, date=days_ago(420), amount_paid=20_000_000_000
    )
    enterprise_change_status(
        actor=None,
        enterprise=unit,
        to_status=Status.IDLE,
        date=days_ago(300),
        reason="کمبود نقدینگی",
    )
    enterprise_change_status(
        actor=None, enterprise=unit, to_status=Status.ACTIVE, date=days_ago(100), reason="بازگشت"
    )
    return referral


def test_the_status_six_and_twelve_months_after_the_payment_comes_from_the_history(
    paid_long_ago,
) -> None:
    after = with_status_after([paid_long_ago])[0].status_after

    assert [(a.months, a.on, a.status, a.pending) for a in after] == [
        (6, add_months(days_ago(420), 6), Status.IDLE, False),
        (12, add_months(days_ago(420), 12), Status.ACTIVE, False),
    ]


def test_a_day_still_to_come_is_not_yet_and_a_refusal_has_none(reference) -> None:
    unit = make_enterprise(name="نساجی کویر", status_date=days_ago(900))
    recent = introduce(unit, days=300)
    recent = referral_decide(
        actor=None, referral=recent, decision=Decision.PARTLY, amount_granted=10_000_000_000,
        date=days_ago(250),
    )  # fmt: skip
    refused = introduce(make_enterprise(name="چرم تبریز"), days=200)
    refused = referral_decide(
        actor=None, referral=refused, decision=Decision.REFUSED, reasons="وثیقه", date=days_ago(190)
    )

    recent_after, refused_after = (r.status_after for r in with_status_after([recent, refused]))

    # no payment recorded: from the approval's date
    assert [(a.status, a.pending) for a in recent_after] == [(Status.ACTIVE, False), (None, True)]
    assert refused_after == []


def test_the_referral_page_and_the_list_show_the_status_after_the_money(
    paid_long_ago, national_admin, client_for
) -> None:
    client = client_for(national_admin)
    detail = page(client.get(reverse("finance_referral_case", args=[paid_long_ago.case.pk])))
    listing = page(client.get(reverse("finance_referrals")))

    idle, active = str(Status.IDLE.label), str(Status.ACTIVE.label)
    for html in (detail, listing):
        section = html.split('data-testid="status-after"')[1].split("</td>")[0].split("</dd>")[0]
        assert section.index(idle) < section.index(active)


def test_a_page_of_referrals_reads_the_history_in_one_query(
    reference, django_assert_num_queries
) -> None:
    for n in range(5):
        unit = make_enterprise(name=f"واحد {n}", status_date=days_ago(900))
        referral = introduce(unit, days=500)
        referral_decide(
            actor=None, referral=referral, decision=Decision.APPROVED, date=days_ago(450)
        )
    rows = list(referrals_visible_all())

    with django_assert_num_queries(1):
        with_status_after(rows)

    assert all(r.status_after[0].status == Status.ACTIVE for r in rows)


def referrals_visible_all() -> Any:
    from finance.models import Referral

    return Referral.objects.select_related("case", "case__enterprise")


@pytest.mark.parametrize("who", ["national_admin", "bank_officer"])
def test_the_list_reads_a_fixed_number_of_queries_however_many_rows_it_shows(
    reference, who, request, client_for, django_capture_on_commit_callbacks
) -> None:
    """The list reads its page's rows as values with the columns it shows: no row,
    decided, paid or not, costs a query of its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.finance.conftest import make_bank_officer

    person = make_bank_officer("melli") if who == "bank_officer" else request.getfixturevalue(who)
    client = client_for(person)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            html = page(client.get(reverse("finance_referrals")))
        assert 'data-testid="referrals"' in html
        return len(captured)

    def add(n: int) -> None:
        for k in range(n):
            unit = make_enterprise(name=f"واحد {n}-{k}", status_date=days_ago(900))
            referral = introduce(unit, days=500)
            if k % 2:
                referral_decide(
                    actor=None, referral=referral, decision=Decision.APPROVED, date=days_ago(450)
                )
                referral_pay(
                    actor=None, referral=referral, amount_paid=1_000_000, date=days_ago(400)
                )

    add(2)
    queries()  # the first request reads what the process keeps (grants, figures)
    few = queries()
    with django_capture_on_commit_callbacks(execute=True):  # a new figures version
        add(10)
    html = page(client.get(reverse("finance_referrals")))
    assert html.count("واحد 10-") == 10  # every new row is shown
    assert queries() <= few + 1  # (+1: the figures version is read again each second)
