"""A unit's page shows the support it receives, each part from its own app and by that
app's access rules: its cases of every type, its productive-credit certificates and its
export consortia — to the staff who keep them and to its owner, to nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from finance.certificates import certificate_issue
from tests.consortia.conftest import form, units_in
from tests.factories import days_ago, make_enterprise
from tests.finance.conftest import bank, introduce
from tests.views_helpers import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def supported(reference, owner):  # type: ignore[no-untyped-def]
    """A published Qom unit owned by ``owner``: introduced to a bank, supplier on a
    certificate, member of a consortium."""
    unit = make_enterprise(name="ریخته‌گری پشتیبانی‌شده", owners=[owner], published=True)
    referral = introduce(unit, "melli", days=30)
    buyer = make_enterprise(name="خودروساز خریدار")
    certificate = certificate_issue(
        actor=None, code="GAM-UNIT-1", bank=bank("melli"), buyer=buyer, supplier=unit,
        amount=2_000_000_000, issued_on=days_ago(20), term_months=6,
    )  # fmt: skip
    consortium = form(reference.qom, [unit, *units_in(reference.qom, 3)], name="کنسرسیوم ریخته‌گران")
    return unit, referral, certificate, consortium, buyer


def _sections(client, unit):  # type: ignore[no-untyped-def]
    response = client.get(reverse("enterprise_detail", args=[unit.pk]))
    assert response.status_code == 200
    return page(response)


@pytest.mark.parametrize("who", ["officer_a", "owner", "national_admin"])
def test_the_units_keepers_and_owner_see_its_cases_certificates_and_consortia(
    supported, who, request, client_for
) -> None:
    unit, referral, certificate, consortium, _buyer = supported
    html = _sections(client_for(request.getfixturevalue(who)), unit)
    cases = html[html.index('data-testid="unit-cases"') :]
    assert referral.case.get_absolute_url() in cases.split("</ul>")[0]
    certificates = html[html.index('data-testid="unit-certificates"') :].split("</ul>")[0]
    assert "GAM-UNIT-۱" in certificates and "در جایگاه تأمین‌کننده" in certificates
    assert "اکنون در دست این واحد" in certificates
    consortia = html[html.index('data-testid="unit-consortia"') :].split("</ul>")[0]
    assert consortium.name in consortia


@pytest.mark.parametrize("who", [None, "officer_b"])
def test_the_public_and_another_provinces_officer_see_the_unit_without_its_support(
    supported, who, request, client, client_for
) -> None:
    unit, *_rest = supported
    viewer = client if who is None else client_for(request.getfixturevalue(who))
    html = _sections(viewer, unit)
    assert unit.name in html
    assert 'data-testid="unit-section"' not in html
    assert "GAM-UNIT-۱" not in html and "کنسرسیوم ریخته‌گران" not in html


def test_a_buyers_page_leads_to_its_chain_of_suppliers(supported, officer_a, client_for) -> None:
    *_rest, buyer = supported
    html = _sections(client_for(officer_a), buyer)
    certificates = html[html.index('data-testid="unit-certificates"') :].split("</ul>")[0]
    assert "در جایگاه خریدار" in certificates
    assert reverse("finance_chain", args=[buyer.pk]) in certificates
