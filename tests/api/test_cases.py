"""Cases (clinics, finance referrals, capital-market files) and export consortia through
the API: each app's scope (404 outside it), the stage and office on a past date read from
the cases' history, the keepers' reasons, members on a date."""

from __future__ import annotations

import pytest

from cases.services import case_move, case_transfer
from clinics import casetype
from consortia.services import member_remove
from tests.api.conftest import make_token
from tests.clinics.conftest import Clinic
from tests.consortia.conftest import Consortia
from tests.factories import days_ago
from tests.finance.conftest import Finance


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def moved_case(clinic: Clinic, reference):
    """The Qom clinic case (opened 395 days ago) in diagnosis from 100 days ago, handed to
    Tehran's office 20 days ago."""
    case = clinic.case
    case_move(
        actor=None, case=case, to_stage=casetype.DIAGNOSIS, date=days_ago(100), reason="بررسی"
    )
    case_transfer(
        actor=None, case=case, province=reference.tehran, date=days_ago(20), reason="انتقال"
    )
    return case


# --- cases -------------------------------------------------------------------------------


def test_an_office_on_a_past_date_holds_what_it_held_then_page_by_page(
    call, moved_case, clinic: Clinic, reference, national_admin
) -> None:
    """Qom's cases 50 days ago: the case handed to Tehran since is there; Tehran's case
    handed to Qom since is not (it is Qom's only now); pages of one walk each once."""
    case_transfer(
        actor=None,
        case=clinic.tehran_case,
        province=reference.qom,
        date=days_ago(10),
        reason="انتقال",
    )
    secret = make_token(national_admin)
    then = days_ago(50).isoformat()

    qom_then = _ids(call("/cases", secret, as_of=then, province="IR-25"))
    tehran_then = _ids(call("/cases", secret, as_of=then, province="IR-23"))
    walked: list[int] = []
    cursor = None
    while True:
        params = {"as_of": then, "province": "IR-25", "limit": 1}
        body = call("/cases", secret, **params, **({"cursor": cursor} if cursor else {})).json()
        walked += [row["id"] for row in body["results"]]
        if not (cursor := body["next_cursor"]):
            break

    assert moved_case.pk in qom_then and clinic.tehran_case.pk in tehran_then
    assert clinic.tehran_case.pk not in qom_then
    assert walked == sorted(qom_then)


def test_each_caller_sees_the_cases_their_pages_show(
    call, clinic, finance: Finance, officer_a, officer_b, owner, anonymous
) -> None:
    qom = make_token(officer_a)
    melli = make_token(finance.melli_officer)

    assert clinic.case.pk in _ids(call("/cases", qom))
    assert clinic.tehran_case.pk not in _ids(call("/cases", qom))
    assert call(f"/cases/{clinic.tehran_case.pk}", qom).status_code == 404
    assert _ids(call("/cases", melli)) == {finance.qom.case_id}  # the referral to their bank
    assert call(f"/cases/{clinic.case.pk}", melli).status_code == 404
    assert _ids(call("/cases", make_token(owner))) == {finance.qom.case_id}  # their unit's
    assert _ids(call("/cases")) == set()
    assert call(f"/cases/{clinic.case.pk}").status_code == 404
    assert clinic.tehran_case.pk in _ids(call("/cases", make_token(officer_b), type="clinic"))


def test_the_stage_and_office_on_a_past_date_come_from_the_history(
    call, moved_case, national_admin
) -> None:
    secret = make_token(national_admin)

    def at(days: int) -> dict:
        return call(f"/cases/{moved_case.pk}", secret, as_of=days_ago(days).isoformat()).json()

    assert (at(200)["stage"], at(200)["province"]) == ("opened", "IR-25")
    assert (at(50)["stage"], at(50)["province"]) == ("diagnosis", "IR-25")
    assert at(50)["stage_since"] == days_ago(100).isoformat()
    assert (at(5)["province"], len(at(5)["history"])) == ("IR-23", 3)
    assert [e["kind"] for e in at(50)["history"]] == ["open", "stage"]
    assert (
        call(f"/cases/{moved_case.pk}", secret, as_of=days_ago(400).isoformat()).status_code == 404
    )
    then = days_ago(50).isoformat()
    assert moved_case.pk in _ids(call("/cases", secret, as_of=then, province="IR-25"))
    assert moved_case.pk not in _ids(call("/cases", secret, province="IR-25"))
    assert moved_case.pk in _ids(call("/cases", secret, as_of=then, stage="diagnosis", open=True))
    assert moved_case.pk not in _ids(call("/cases", secret, open=False))


def test_reasons_are_the_keepers_and_a_referral_names_its_bank(
    call, moved_case, finance: Finance, national_admin, owner
) -> None:
    kept = call(f"/cases/{moved_case.pk}", make_token(national_admin)).json()
    owners = call(f"/cases/{finance.qom.case_id}", make_token(owner)).json()

    assert kept["history"][1]["reason"] == "بررسی"
    assert all(event["reason"] is None for event in owners["history"])
    assert owners["referral"]["bank"] == "melli" and owners["referral"]["decision"] is None
    assert owners["type"] == "finance_referral" and owners["listing"] is None


def test_a_units_name_typed_with_arabic_letters_finds_its_cases(
    call, clinic, national_admin
) -> None:
    secret = make_token(national_admin)

    assert _ids(call("/cases", secret, q="ريسندگي")) == {clinic.case.pk}  # Arabic yeh


def test_an_unknown_type_or_stage_is_refused_by_name(call, clinic) -> None:
    kind = call("/cases", type="loan")
    stage = call("/cases", type="clinic", stage="paid")

    assert kind.status_code == 422 and kind.json()["detail"][0]["field"] == "type"
    assert stage.status_code == 422 and stage.json()["detail"][0]["field"] == "stage"


# --- export consortia --------------------------------------------------------------------------


def test_each_caller_sees_the_consortia_their_pages_show(
    call, consortia: Consortia, officer_a, owner
) -> None:
    qom, tehran = consortia.qom.pk, consortia.tehran.pk

    assert _ids(call("/consortia", make_token(officer_a))) == {qom}
    assert _ids(call("/consortia", make_token(owner))) == {qom}  # their unit is a member
    assert _ids(call("/consortia", make_token(consortia.tehran_promoter))) == {tehran}
    assert _ids(call("/consortia")) == set()
    assert call(f"/consortia/{tehran}", make_token(officer_a)).status_code == 404
    assert call(f"/consortia/{qom}").status_code == 404


def test_members_on_a_date_and_a_consortium_not_yet_formed(
    call, consortia: Consortia, national_admin
) -> None:
    secret = make_token(national_admin)
    member = consortia.qom.members.order_by("pk").last()
    member_remove(actor=None, member=member, left_on=days_ago(10), reason="توقف صادرات")

    today = call(f"/consortia/{consortia.qom.pk}", secret).json()
    then = call(f"/consortia/{consortia.qom.pk}", secret, as_of=days_ago(50).isoformat()).json()

    assert (today["member_count"], len(today["former_members"])) == (3, 1)
    assert today["former_members"][0]["left_on"] == days_ago(10).isoformat()
    assert (then["member_count"], then["former_members"]) == (4, [])
    assert sorted(today["markets"]) == ["AF", "IQ"]
    before = days_ago(200).isoformat()
    assert _ids(call("/consortia", secret, as_of=before)) == set()
    assert _ids(call("/consortia", secret, q="زعفران", province="IR-25")) == {consortia.qom.pk}
