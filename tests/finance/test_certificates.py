"""Productive-credit certificates: issued buyer → supplier, passed on, discounted or settled;
each refusal names its field and saves nothing; a buyer's chain shows who holds what."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enterprises.models import Status
from finance.certificates import (
    certificate_discount,
    certificate_issue,
    certificate_pass,
    certificate_settle,
    chain,
    named,
)
from finance.models import Certificate
from persian.jalali import add_months
from tests.clinics.conftest import diagnose, open_case
from tests.factories import days_ago, make_enterprise, reload, row_counts
from tests.finance.conftest import bank
from tests.views_helpers import link, page

pytestmark = pytest.mark.django_db


def issue(buyer, supplier, *, code="GAM-1", months=6, days=100, amount=3_000_000_000):  # type: ignore[no-untyped-def]
    return certificate_issue(
        actor=None, code=code, bank=bank("melli"), buyer=buyer, supplier=supplier,
        amount=amount, issued_on=days_ago(days), term_months=months,
    )  # fmt: skip


@pytest.fixture
def units(reference):  # type: ignore[no-untyped-def]
    return {
        "buyer": make_enterprise(name="خودروساز بزرگ", employees=900),
        "tier1": make_enterprise(name="قطعه‌ساز یک"),
        "tier2": make_enterprise(name="ریخته‌گر دو", status=Status.IDLE, status_date=days_ago(400)),
        "other": make_enterprise(name="تأمین‌کننده دیگر"),
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"supplier": "buyer"}, "supplier"),
        ({"months": 13}, "term_months"),
        ({"months": 0}, "term_months"),
        ({"amount": 0}, "amount"),
    ],
)
def test_an_impossible_certificate_is_refused(units, change, field) -> None:
    supplier = units[change.get("supplier", "tier1")]
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        issue(
            units["buyer"],
            supplier,
            months=change.get("months", 6),
            amount=change.get("amount", 1000),
        )
    assert field in error.value.message_dict and row_counts() == before


def test_a_certificate_is_passed_on_and_only_its_holder_can_pass_it(units) -> None:
    certificate = issue(units["buyer"], units["tier1"])
    assert certificate.matures_on == add_months(days_ago(100), 6)
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        certificate_pass(
            actor=None,
            certificate=certificate,
            holder=units["other"],
            to=units["tier2"],
            date=days_ago(50),
        )
    assert "holder" in error.value.message_dict and row_counts() == before
    certificate_pass(
        actor=None,
        certificate=certificate,
        holder=units["tier1"],
        to=units["tier2"],
        date=days_ago(50),
    )
    assert reload(certificate).holder == units["tier2"]
    with pytest.raises(ValidationError):  # tier1 no longer holds it
        certificate_discount(
            actor=None,
            certificate=certificate,
            holder=units["tier1"],
            bank=bank("mellat"),
            date=days_ago(10),
        )
    certificate_discount(
        actor=None,
        certificate=certificate,
        holder=units["tier2"],
        bank=bank("mellat"),
        date=days_ago(10),
    )
    certificate = reload(certificate)
    assert certificate.state == Certificate.State.DISCOUNTED and certificate.holder is None


def test_a_step_dated_before_the_previous_one_or_after_maturity_is_refused(units) -> None:
    certificate = issue(units["buyer"], units["tier1"], months=1, days=100)
    with pytest.raises(ValidationError) as error:
        certificate_pass(
            actor=None,
            certificate=certificate,
            holder=units["tier1"],
            to=units["tier2"],
            date=days_ago(120),
        )
    assert "date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        certificate_pass(
            actor=None,
            certificate=certificate,
            holder=units["tier1"],
            to=units["tier2"],
            date=days_ago(5),
        )
    assert "date" in error.value.message_dict  # it matured about 70 days ago
    certificate_settle(actor=None, certificate=certificate, date=days_ago(1))
    assert reload(certificate).state == Certificate.State.SETTLED


def test_a_code_is_registered_once(units) -> None:
    issue(units["buyer"], units["tier1"], code="GAM-7")
    with pytest.raises(ValidationError) as error:
        issue(units["buyer"], units["other"], code="GAM-7")
    assert "code" in error.value.message_dict


def test_a_buyers_chain_shows_what_each_supplier_holds_and_who_is_struggling(units) -> None:
    first = issue(units["buyer"], units["tier1"], code="GAM-1", amount=2_000_000_000)
    issue(units["buyer"], units["tier1"], code="GAM-2", amount=5_000_000_000)
    certificate_pass(
        actor=None, certificate=first, holder=units["tier1"], to=units["tier2"], date=days_ago(60)
    )
    from tests.clinics.conftest import make_consultant

    case = open_case(units["tier2"], days=300, assignee=make_consultant(units["tier2"].province))
    diagnose(case, days=200)  # working capital, primary
    issue(units["other"], units["tier1"], code="GAM-3")  # another buyer's: not in this chain
    members = {m.unit.name: m for m in named(chain(units["buyer"], Certificate.objects.all()))}
    assert set(members) == {"قطعه‌ساز یک", "ریخته‌گر دو"}
    tier1, tier2 = members["قطعه‌ساز یک"], members["ریخته‌گر دو"]
    assert (tier1.depth, tier1.certificates, tier1.outstanding) == (1, 2, 5_000_000_000)
    assert (tier2.depth, tier2.outstanding, tier2.idle, tier2.working_capital) == (
        2,
        2_000_000_000,
        True,
        True,
    )


def test_a_busy_buyers_chain_is_shown_a_page_at_a_time_with_its_totals_and_warnings(
    units, national_admin, client_for, monkeypatch
) -> None:
    """A buyer whose certificates reached thousands of units: the page shows the totals of
    the whole chain, its members a page at a time, and can keep to the units with a
    warning."""
    from finance import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    suppliers = [make_enterprise(name=f"تأمین‌کننده {n}") for n in range(3)]
    for n, supplier in enumerate(suppliers):
        issue(units["buyer"], supplier, code=f"GAM-P{n}", amount=(n + 1) * 1_000_000_000)
    issue(units["buyer"], units["tier2"], code="GAM-IDLE", amount=500_000_000)  # idle
    client = client_for(national_admin)
    url = reverse("finance_chain", args=[units["buyer"].pk])
    first = page(client.get(url))
    summary = first[first.index('data-testid="chain-summary"') :]
    assert "۴" in summary[: summary.index("</div></div></div>")]  # four units reached
    # Tier 1, the most outstanding first: suppliers 2 and 1 on page one, then 0 and tier2.
    assert "تأمین‌کننده 2" in first and "تأمین‌کننده 1" in first and "تأمین‌کننده 0" not in first
    second = page(client.get(url, {"page": "2"}))
    assert "تأمین‌کننده 0" in second and units["tier2"].name in second
    flagged = page(client.get(url, {"warnings": "1"}))
    assert (
        units["tier2"].name in flagged
        and "تأمین‌کننده" not in flagged.split('data-testid="chain"')[1]
    )


def test_each_certificate_step_is_announced_once_after_the_commit_and_a_refusal_not_at_all(
    units, django_capture_on_commit_callbacks
) -> None:
    from finance.events import CertificateEvent
    from tests.events_helpers import announced, recording

    seen, certificate = announced(
        django_capture_on_commit_callbacks,
        lambda: issue(units["buyer"], units["tier1"], amount=2_000_000_000),
        CertificateEvent,
    )
    assert [(e.name, e.certificate_id, e.buyer_id, e.supplier_id, e.amount) for e in seen] == [  # type: ignore[attr-defined]
        ("certificate.issued", certificate.pk, units["buyer"].pk, units["tier1"].pk, 2_000_000_000)
    ]
    seen, _step = announced(
        django_capture_on_commit_callbacks,
        lambda: certificate_pass(
            actor=None,
            certificate=certificate,
            holder=units["tier1"],
            to=units["other"],
            date=days_ago(50),
        ),  # fmt: skip
        CertificateEvent,
    )
    assert [(e.name, e.from_holder_id, e.to_holder_id) for e in seen] == [  # type: ignore[attr-defined]
        ("certificate.passed", units["tier1"].pk, units["other"].pk)
    ]
    with recording(CertificateEvent) as refused, django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):  # tier1 no longer holds it
            certificate_discount(
                actor=None, certificate=certificate, holder=units["tier1"], bank=bank("melli"),
                date=days_ago(40),
            )  # fmt: skip
    assert refused == []
    seen, _step = announced(
        django_capture_on_commit_callbacks,
        lambda: certificate_discount(
            actor=None,
            certificate=certificate,
            holder=units["other"],
            bank=bank("melli"),
            date=days_ago(40),
        ),  # fmt: skip
        CertificateEvent,
    )
    assert [(e.name, e.holder_id) for e in seen] == [("certificate.discounted", units["other"].pk)]  # type: ignore[attr-defined]
    matured = issue(units["buyer"], units["tier1"], code="GAM-9", months=1, days=60)
    seen, _step = announced(
        django_capture_on_commit_callbacks,
        lambda: certificate_settle(actor=None, certificate=matured, date=days_ago(10)),
        CertificateEvent,
    )
    assert [(e.name, e.holder_id) for e in seen] == [("certificate.settled", units["tier1"].pk)]  # type: ignore[attr-defined]


def test_the_chain_page_shows_a_step_or_a_units_new_status_on_the_next_request(
    units, national_admin, client_for, django_capture_on_commit_callbacks
) -> None:
    """The whole chain is kept between requests (per figures version): a certificate passed
    on and a supplier gone idle each start a new version, so the next page shows them."""
    from enterprises.services import enterprise_change_status

    with django_capture_on_commit_callbacks(execute=True):  # its facts committed
        late = make_enterprise(name="پیمانکار تازه")
    certificate = issue(units["buyer"], units["tier1"])
    client = client_for(national_admin)
    url = reverse("finance_chain", args=[units["buyer"].pk])
    before = page(client.get(url))
    assert units["tier1"].name in before and late.name not in before
    with django_capture_on_commit_callbacks(execute=True):
        certificate_pass(
            actor=None, certificate=certificate, holder=units["tier1"], to=late,
            date=days_ago(50),
        )  # fmt: skip
    assert late.name in page(client.get(url))
    assert late.name not in page(client.get(url, {"warnings": "1"}))
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_change_status(
            actor=national_admin, enterprise=late, to_status=Status.IDLE, date=days_ago(5),
            reason="بدون سفارش",
        )  # fmt: skip
    assert late.name in page(client.get(url, {"warnings": "1"}))


def test_the_certificates_list_shows_the_newest_first_a_page_at_a_time_in_the_same_queries(
    units, national_admin, client_for, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(national_admin)
    url = reverse("finance_certificates")
    for n in range(3):  # newest: GAM-0 (issued 10 days ago), then GAM-1, GAM-2
        issue(units["buyer"], units["tier1"], code=f"GAM-{n}", days=10 + n)
    with CaptureQueriesContext(connection) as few:
        html = page(client.get(url))
    assert html.index("GAM-0") < html.index("GAM-1") < html.index("GAM-2")

    for n in range(3, 60):  # more than a page (50)
        issue(units["buyer"], units["other"], code=f"GAM-{n}", days=10 + n)
    with CaptureQueriesContext(connection) as many:
        first = page(client.get(url))
    second = page(client.get(url + link(first, "next")))

    assert len(many.captured_queries) == len(few.captured_queries)  # not one per row
    assert "GAM-0" in first and "GAM-49" in first and "GAM-50" not in first
    assert "GAM-50" in second and "GAM-59" in second and "GAM-0<" not in second
    assert units["other"].name in second and units["buyer"].name in second
