"""Business clinics in a real browser: a consultant's day from the late list to a revival
the registry shows, and a provincial officer opening a case from the ranked candidates."""

from __future__ import annotations

import re

import pytest

from cases.models import Case
from clinics import casetype
from clinics.roles import CLINIC_CONSULTANT
from enterprises.models import Status
from tests.clinics.conftest import open_case
from tests.factories import days_ago, give, make_enterprise, make_user
from tests.views_helpers import jalali_text

from .conftest import assert_persian_page, screenshot
from .test_journeys_registry import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _consultant(reference):  # type: ignore[no-untyped-def]
    person = make_user(first_name="مریم", last_name="مشاور")
    give(person, CLINIC_CONSULTANT, reference.qom)
    return person


def test_a_consultant_diagnoses_plans_and_closes_a_case_as_revived(page, reference):
    consultant = _consultant(reference)
    unit = make_enterprise(
        name="ریسندگی خاموش",
        park=reference.park_p,
        status=Status.IDLE,
        status_date=days_ago(400),
        employees=35,
    )
    case = open_case(unit, assignee=consultant, days=90)
    today = jalali_text(days_ago(0))

    log_in(page, consultant.username)
    page.click("[data-testid=nav-clinics]")
    page.click("text=کارهای امروز من")
    assert "ریسندگی خاموش" in page.inner_text("[data-testid=late-cases]")  # 90 days at "opened"
    assert_persian_page(page)
    screenshot(page, "clinic-my-day")

    page.click("[data-testid=late-cases] >> text=ریسندگی خاموش")
    page.click("[data-testid=move-stage]")
    page.select_option("#id_to_stage", casetype.DIAGNOSIS)
    page.fill("#id_date", today)
    page.click("[data-testid=submit]")
    page.wait_for_url(re.compile(rf"/clinics/cases/{case.pk}/$"))
    assert page.inner_text("[data-testid=case-stage]") == "عارضه‌یابی"

    # Trying to revive before the diagnosis is refused, with the reason.
    page.click("[data-testid=move-stage]")
    page.select_option("#id_to_stage", casetype.REVIVED)
    page.fill("#id_date", today)
    page.click("[data-testid=submit]")
    assert "عارضه‌یابی" in page.inner_text("[data-testid=case-form]")
    page.goto(page.base + f"/clinics/cases/{case.pk}/")

    page.click("[data-testid=record-diagnosis]")
    page.check("#cause-working_capital")
    page.check("#cause-market")
    page.select_option("#id_primary", "working_capital")
    page.fill("#id_finding", "نبود سرمایه در گردش برای خرید پنبه")
    page.fill("#id_date", today)
    page.click("[data-testid=submit]")
    assert "سرمایه در گردش" in page.inner_text("[data-testid=diagnosis]")

    page.click("[data-testid=add-action]")
    page.select_option("#id_kind", "finance_referral")
    page.fill("#id_description", "معرفی به بانک برای تسهیلات سرمایه در گردش")
    page.fill("#id_owner", "کارشناس استان")
    page.fill("#id_due_on", jalali_text(days_ago(-20)))
    page.click("[data-testid=submit]")
    assert "معرفی به بانک" in page.inner_text("[data-testid=plan]")

    for stage in (casetype.REMEDY, casetype.REVIVED):
        page.click("[data-testid=move-stage]")
        page.select_option("#id_to_stage", stage)
        page.fill("#id_date", today)
        page.click("[data-testid=submit]")
        page.wait_for_url(re.compile(rf"/clinics/cases/{case.pk}/$"))
    assert page.inner_text("[data-testid=case-stage]") == "احیاشده"
    assert "۳۵" in page.inner_text("[data-testid=revivals]")
    assert len(page.locator("[data-testid=follow-ups] li").all()) == 3  # checks at 3, 6, 12 months
    assert_persian_page(page)
    screenshot(page, "clinic-case-revived")

    # The registry now has the unit active (the case page reads it from the registry).
    assert "فعال" in page.inner_text("[data-testid=case-unit]")
    unit.refresh_from_db()
    assert unit.status == Status.ACTIVE
    assert not [e for e in page.console_errors if "404" not in e]


def test_an_officer_opens_a_case_from_the_ranked_candidates(page, reference):
    officer = make_user("provincial_officer", province=reference.qom, first_name="نرگس")
    consultant = _consultant(reference)
    make_enterprise(
        name="لبنیات نیمه‌جان",
        province=reference.qom,
        status=Status.SEMI_ACTIVE,
        status_date=days_ago(100),
    )
    longest = make_enterprise(
        name="کاشی خاموش",
        province=reference.qom,
        status=Status.IDLE,
        status_date=days_ago(800),
        employees=60,
    )

    log_in(page, officer.username)
    page.goto(page.base + "/clinics/candidates/")
    rows = page.locator("[data-testid=candidates] tbody tr")
    assert "کاشی خاموش" in rows.nth(0).inner_text()  # the longest idle first
    assert "۶۰ شغل در خطر" in rows.nth(0).inner_text()
    assert_persian_page(page)
    screenshot(page, "clinic-candidates")

    rows.nth(0).locator("[data-testid=open-from-candidate]").click()
    page.select_option("#id_assignee", str(consultant.pk))
    page.click("[data-testid=submit]")
    page.wait_for_url(re.compile(r"/clinics/cases/\d+/$"))
    case = Case.objects.get(enterprise=longest)
    assert case.assignee == consultant and case.stage == casetype.OPENED

    page.goto(page.base + "/clinics/")
    assert "کاشی خاموش" in page.inner_text("[data-testid=case-table]")
    assert "مریم مشاور" in page.inner_text("[data-testid=caseload]")
    page.goto(page.base + "/clinics/candidates/")
    assert "کاشی خاموش" not in page.inner_text("[data-testid=candidates]")
    assert not [e for e in page.console_errors if "404" not in e]
