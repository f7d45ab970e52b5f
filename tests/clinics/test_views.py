"""The clinic pages as an officer and a consultant use them: candidates ranked with their
reasons, a case opened by national ID, refusals beside their fields with nothing saved, and
a revival closed from the case page that the registry then shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case
from clinics import casetype
from enterprises.models import Status, StatusEvent
from tests.clinics.conftest import Clinic, diagnose, plan
from tests.factories import days_ago, make_enterprise, reload, row_counts
from tests.views_helpers import field_error_text, jalali_text, page

pytestmark = pytest.mark.django_db


def test_candidates_are_ranked_longest_idle_first_with_the_reason_shown(
    clinic: Clinic, officer_a, client_for
) -> None:
    html = page(client_for(officer_a).get(reverse("clinic_candidates")))
    # ``idle`` has an open case; the project (900 days) comes before the semi-active unit (200).
    assert clinic.idle.name not in html and clinic.active.name not in html
    assert html.index(clinic.project.name) < html.index(clinic.semi.name)
    assert clinic.tehran_idle.name not in html  # another province
    assert "۸۰٪" in html  # the project's construction progress is part of its reason


def test_an_officer_opens_a_case_by_national_id_typed_in_persian_digits(
    clinic: Clinic, officer_a, client_for
) -> None:
    typed = clinic.semi.legal_id.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client_for(officer_a).post(
        reverse("clinic_open"),
        {"unit": typed, "date": jalali_text(days_ago(1)), "assignee": str(clinic.consultant.pk)},
    )
    case = Case.objects.get(enterprise=clinic.semi)
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.assignee == clinic.consultant and case.province == clinic.semi.province


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"date": "1403/12/31"}, "date", "معتبر"),  # 1403 is not a leap year
        ({"unit": "active"}, "unit", "راکد"),
        ({"unit": "idle"}, "unit", "باز"),
        ({"assignee": "other"}, "assignee", "قم"),
    ],
)
def test_opening_a_case_with_bad_input_names_the_field_and_saves_nothing(
    clinic: Clinic, officer_a, client_for, data, field, words
) -> None:
    units = {"active": clinic.active, "idle": clinic.idle}
    post = {"unit": str(clinic.semi.pk), "date": jalali_text(days_ago(1))}
    if "unit" in data:
        post["unit"] = str(units[data["unit"]].pk)
    if "date" in data:
        post["date"] = data["date"]
    if "assignee" in data:
        post["assignee"] = str(clinic.other_consultant.pk)
    before = row_counts()

    response = client_for(officer_a).post(reverse("clinic_open"), post)

    assert response.status_code == 200
    assert words in field_error_text(response, field)
    assert row_counts() == before


def test_closing_as_revived_from_the_case_page_writes_the_registry(
    clinic: Clinic, client_for
) -> None:
    case = plan(diagnose(clinic.case, days=60), days=40)
    client = client_for(clinic.consultant)
    response = client.post(
        reverse("case_stage", args=[case.pk]),
        {
            "to_stage": casetype.REVIVED,
            "date": jalali_text(days_ago(2)),
            "reason": "تولید از سر گرفته شد",
        },
    )
    assert response.status_code == 302
    unit = reload(clinic.idle)
    assert unit.status == Status.ACTIVE
    event = StatusEvent.objects.filter(enterprise=unit).latest("id")
    assert f"#{case.pk}" in event.reason
    html = page(client.get(case.get_absolute_url()))
    assert 'data-testid="revivals"' in html


def test_a_revival_without_a_diagnosis_is_refused_on_the_page_with_the_reason(
    clinic: Clinic, client_for
) -> None:
    client = client_for(clinic.consultant)
    client.post(
        reverse("case_stage", args=[clinic.case.pk]),
        {"to_stage": casetype.DIAGNOSIS, "date": jalali_text(days_ago(5))},
    )
    before = row_counts()
    response = client.post(
        reverse("case_stage", args=[clinic.case.pk]),
        {"to_stage": casetype.REVIVED, "date": jalali_text(days_ago(1))},
    )
    assert response.status_code == 200
    assert "عارضه‌یابی" in page(response)
    assert row_counts() == before and reload(clinic.idle).status == Status.IDLE


def test_a_diagnosis_needs_a_primary_cause_among_those_chosen(clinic: Clinic, client_for) -> None:
    response = client_for(clinic.consultant).post(
        reverse("clinic_diagnosis", args=[clinic.case.pk]),
        {
            "causes": ["market"],
            "primary": "working_capital",
            "finding": "بازار",
            "date": jalali_text(days_ago(1)),
        },
    )
    assert response.status_code == 200 and field_error_text(response, "primary")


def test_the_owner_sees_the_plan_but_never_the_notes_or_the_diagnosis(
    clinic: Clinic, client_for, reference
) -> None:
    from cases.services import note_add
    from enterprises.services import enterprise_set_owners
    from tests.factories import make_user

    owner = make_user(username="idle_owner")
    enterprise_set_owners(actor=None, enterprise=clinic.idle, owners=[owner])
    case = plan(diagnose(clinic.case, days=60), days=40)
    note_add(actor=clinic.consultant, case=case, text="مالک بدهی مالیاتی پنهان کرده است")
    html = page(client_for(owner).get(case.get_absolute_url()))
    assert "معرفی به بانک" in html  # the plan
    assert "پنهان" not in html and "کمبود سرمایه" not in html


def test_the_consultants_day_lists_late_cases_and_follow_ups_due(
    clinic: Clinic, client_for
) -> None:
    from cases.services import follow_up_add

    follow_up_add(actor=None, case=clinic.case, due_on=days_ago(-3), title="بازدید از خط تولید")
    html = page(client_for(clinic.consultant).get(reverse("clinic_mine")))
    assert clinic.idle.name in html and "بازدید از خط تولید" in html
    assert clinic.tehran_idle.name not in html


def test_an_unknown_filter_on_the_cases_list_is_named_not_silently_widened(
    clinic: Clinic, national_admin, client_for
) -> None:
    html = page(client_for(national_admin).get(reverse("clinic_cases"), {"stage": "nonsense"}))
    assert 'data-testid="ignored-filters"' in html


def test_a_unit_not_in_the_registry_is_refused_by_national_id(
    clinic: Clinic, officer_a, client_for
) -> None:
    make_enterprise(
        name="واحد دیگر", province="IR-07", status=Status.IDLE, status_date=days_ago(100)
    )
    response = client_for(officer_a).post(
        reverse("clinic_open"), {"unit": "12345678901", "date": jalali_text(days_ago(1))}
    )
    assert response.status_code == 200 and field_error_text(response, "unit")


def test_a_candidates_total_past_the_cap_says_more_than_instead_of_counting_them_all(
    clinic: Clinic, officer_a, client_for, monkeypatch
) -> None:
    from clinics import views

    monkeypatch.setattr(views, "CANDIDATES_AHEAD", 1)
    html = page(client_for(officer_a).get(reverse("clinic_candidates")))
    assert "بیش از ۱ نامزد" in html
    assert html.index(clinic.project.name) < html.index(clinic.semi.name)  # the page is whole


def test_candidates_past_the_counted_rows_are_still_reached_page_by_page(
    clinic: Clinic, officer_a, client_for, monkeypatch
) -> None:
    """Counting stops a little past the page asked for, not at a fixed row: every page of
    the ranked list can be reached with "next", and the last page says how many there are."""
    from clinics import selectors, views
    from persian.text import to_persian_digits

    monkeypatch.setattr(views, "CANDIDATES_AHEAD", 1)
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    make_enterprise(name="ریسندگی راکد", status=Status.IDLE, status_date=days_ago(900))
    ranked = [u.name for u in selectors.candidates(officer_a)]
    assert len(ranked) == 3
    client = client_for(officer_a)
    for number, name in enumerate(ranked, start=1):
        html = page(client.get(reverse("clinic_candidates"), {"page": str(number)}))
        assert name in html and all(other not in html for other in ranked if other != name)
        assert (f"page={number + 1}" in html) == (number < len(ranked))
    last = page(client.get(reverse("clinic_candidates"), {"page": "999"}))
    assert ranked[-1] in last
    assert f"{to_persian_digits(str(len(ranked)))} نامزد" in last and "بیش از" not in last


def test_a_deep_page_of_cases_holds_the_cases_of_that_page_in_order(
    clinic: Clinic, national_admin, client_for
) -> None:
    from clinics import views
    from tests.clinics.conftest import open_case

    for n in range(3):
        unit = make_enterprise(name=f"واحد راکد {n}", status=Status.IDLE, status_date=days_ago(300))
        open_case(unit, days=10 + n)
    old, views.PAGE_SIZE = views.PAGE_SIZE, 2
    try:
        html = page(client_for(national_admin).get(reverse("clinic_cases"), {"page": "2"}))
    finally:
        views.PAGE_SIZE = old
    # Newest first: واحد راکد 0 (10 days), 1 (11), 2 (12), then the fixture's two older cases.
    assert "واحد راکد 2" in html and "واحد راکد 0" not in html
    assert html.index("واحد راکد 2") < html.index(clinic.tehran_idle.name)
