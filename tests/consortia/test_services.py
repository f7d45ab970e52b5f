"""The consortia's writes: forming with at least three active members, members joining and
leaving (never below three active), readiness, exports per year, support against the
year's cap — and each refusal leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from consortia import services
from consortia.events import ConsortiumEvent, ConsortiumFormed, MemberLeft, SupportRecorded
from consortia.models import Consortium, ExportYear, Member, Readiness, SupportCap, SupportEntry
from consortia.selectors import consortium_page
from enterprises.models import Status
from enterprises.services import enterprise_change_status
from persian import jalali
from tests.consortia.conftest import form, pdf, units_in
from tests.events_helpers import announced
from tests.factories import days_ago, make_enterprise, reload

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Consortium.objects.count(),
        Member.objects.filter(left_on__isnull=True).count(),
        Readiness.objects.count(),
        ExportYear.objects.count(),
        SupportEntry.objects.count(),
    )


def _refused(call: Any) -> str:
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        call()
    assert _counts() == before
    return " ".join(refused.value.messages)


# --- forming ---------------------------------------------------------------------------------


def test_a_consortium_is_formed_with_its_members_and_markets_and_announced_once(
    reference: Any, django_capture_on_commit_callbacks: Any
) -> None:
    units = units_in(reference.qom, 3)

    seen, consortium = announced(
        django_capture_on_commit_callbacks,
        lambda: form(reference.qom, units, name="  کنسرسيوم زعفران  "),
        ConsortiumEvent,
    )

    assert consortium.name == "کنسرسیوم زعفران"  # Arabic yeh normalised
    assert sorted(consortium.members.values_list("enterprise_id", flat=True)) == sorted(
        u.pk for u in units
    )
    assert sorted(consortium.markets.values_list("country", flat=True)) == ["AF", "IQ"]
    assert [type(e) for e in seen] == [ConsortiumFormed]


def test_two_members_are_not_a_consortium(reference: Any) -> None:
    units = units_in(reference.qom, 2)

    message = _refused(lambda: form(reference.qom, units))

    assert "۳" in message and "۲" in message


def test_the_same_unit_twice_counts_once(reference: Any) -> None:
    units = units_in(reference.qom, 2)

    _refused(lambda: form(reference.qom, [*units, units[0]]))


@pytest.mark.parametrize("status", [Status.CLOSED, Status.IDLE, Status.SEMI_ACTIVE])
def test_a_unit_not_active_cannot_found_a_consortium(reference: Any, status: str) -> None:
    units = [*units_in(reference.qom, 3), make_enterprise(province=reference.qom, status=status)]

    message = _refused(lambda: form(reference.qom, units))

    assert units[-1].name in message


def test_a_unit_active_today_but_idle_on_the_forming_day_is_refused(reference: Any) -> None:
    unit = make_enterprise(province=reference.qom, status=Status.IDLE, status_date=days_ago(300))
    enterprise_change_status(
        actor=None, enterprise=unit, to_status=Status.ACTIVE, date=days_ago(10), reason="احیا"
    )

    _refused(lambda: form(reference.qom, [unit, *units_in(reference.qom, 3)], days=100))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"products": ""}, "products"),
        ({"markets": []}, "markets"),
        ({"markets": ["XX"]}, "markets"),
    ],
)
def test_a_consortium_needs_a_name_products_and_known_markets(
    reference: Any, change: dict[str, Any], field: str
) -> None:
    units = units_in(reference.qom, 3)
    before = _counts()

    with pytest.raises(ValidationError) as refused:
        form(reference.qom, units, **change)

    assert field in refused.value.message_dict
    assert _counts() == before


def test_the_cluster_must_be_of_the_consortium_s_province(reference: Any, clusters: Any) -> None:
    units = units_in(reference.qom, 3)

    _refused(lambda: form(reference.qom, units, cluster=clusters.tehran))


def test_a_consortium_is_not_formed_in_the_future(reference: Any) -> None:
    units = units_in(reference.qom, 3)

    _refused(lambda: form(reference.qom, units, days=-1))


# --- members ---------------------------------------------------------------------------------


def test_an_active_unit_joins_and_a_closed_or_idle_one_does_not(reference: Any) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 3))

    services.member_add(
        actor=None, consortium=consortium, enterprise=make_enterprise(), joined_on=days_ago(5)
    )
    for status in (Status.CLOSED, Status.IDLE):
        unit = make_enterprise(status=status)
        message = _refused(
            lambda unit=unit: services.member_add(
                actor=None, consortium=consortium, enterprise=unit, joined_on=days_ago(5)
            )
        )
        assert unit.name in message

    assert consortium.members.filter(left_on__isnull=True).count() == 4


def test_a_member_does_not_join_twice_nor_before_the_consortium_was_formed(reference: Any) -> None:
    units = units_in(reference.qom, 3)
    consortium = form(reference.qom, units, days=100)

    _refused(
        lambda: services.member_add(
            actor=None, consortium=consortium, enterprise=units[0], joined_on=days_ago(5)
        )
    )
    _refused(
        lambda: services.member_add(
            actor=None, consortium=consortium, enterprise=make_enterprise(), joined_on=days_ago(200)
        )
    )


def test_removing_a_member_that_would_leave_two_is_refused(reference: Any) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 3))
    member = consortium.members.first()

    message = _refused(
        lambda: services.member_remove(
            actor=None, member=member, left_on=days_ago(1), reason="خروج"
        )
    )

    assert "۲" in message and reload(member).left_on is None


def test_a_fourth_member_may_leave_but_then_the_next_may_not(
    reference: Any, django_capture_on_commit_callbacks: Any
) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 4))
    first, second = list(consortium.members.all())[:2]

    seen, _ = announced(
        django_capture_on_commit_callbacks,
        lambda: services.member_remove(
            actor=None, member=first, left_on=days_ago(1), reason="خروج"
        ),
        ConsortiumEvent,
    )

    assert [type(e) for e in seen] == [MemberLeft]
    assert reload(first).left_on == days_ago(1)
    _refused(
        lambda: services.member_remove(
            actor=None, member=second, left_on=days_ago(1), reason="خروج"
        )
    )


def test_an_idle_member_does_not_count_towards_the_three(reference: Any) -> None:
    units = units_in(reference.qom, 4)
    consortium = form(reference.qom, units)
    enterprise_change_status(
        actor=None, enterprise=units[3], to_status=Status.IDLE, date=days_ago(3), reason="رکود"
    )
    leaving = consortium.members.get(enterprise=units[0])

    _refused(
        lambda: services.member_remove(
            actor=None, member=leaving, left_on=days_ago(1), reason="خروج"
        )
    )
    page = consortium_page(consortium)
    assert page.active_count == 3 and not page.below_minimum
    assert [r.member.enterprise_id for r in page.members if r.flagged] == [units[3].pk]


def test_a_member_gone_idle_is_flagged_and_the_consortium_below_three(reference: Any) -> None:
    units = units_in(reference.qom, 3)
    consortium = form(reference.qom, units)
    enterprise_change_status(
        actor=None, enterprise=units[0], to_status=Status.IDLE, date=days_ago(3), reason="رکود"
    )

    page = consortium_page(consortium)

    assert page.below_minimum and page.active_count == 2


# --- readiness and exports -------------------------------------------------------------------


def test_readiness_is_recorded_with_its_document_and_a_false_pdf_is_refused(
    reference: Any,
) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 3))
    member = consortium.members.first()

    readiness = services.readiness_record(
        actor=None, member=member, kind="certificate", title="کارت بازرگانی",
        number="۱۲۳", date=days_ago(3), upload=pdf(),
    )  # fmt: skip
    fake = SimpleUploadedFile("card.pdf", b"not a pdf", content_type="application/pdf")
    _refused(
        lambda: services.readiness_record(
            actor=None, member=member, kind="certificate", title="x", date=days_ago(3), upload=fake
        )
    )

    assert readiness.file_type == "pdf" and readiness.number == "123"


def test_exports_per_year_replace_the_year_s_figure(reference: Any) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 3), days=300)
    member = consortium.members.first()
    year = jalali.year_of(days_ago(0))

    services.exports_record(actor=None, member=member, year=year, amount_usd=1000)
    services.exports_record(actor=None, member=member, year=year, amount_usd=2500)

    assert list(ExportYear.objects.values_list("year", "amount_usd")) == [(year, 2500)]
    assert consortium_page(consortium).totals == {year: 2500}


@pytest.mark.parametrize("amount", [-1, "12000", None, 10**17])
def test_exports_must_be_whole_dollars_not_negative(reference: Any, amount: Any) -> None:
    member = form(reference.qom, units_in(reference.qom, 3)).members.first()

    _refused(
        lambda: services.exports_record(
            actor=None, member=member, year=jalali.year_of(days_ago(0)), amount_usd=amount
        )
    )


def test_exports_of_a_future_year_are_refused(reference: Any) -> None:
    member = form(reference.qom, units_in(reference.qom, 3)).members.first()

    _refused(
        lambda: services.exports_record(
            actor=None, member=member, year=jalali.year_of(days_ago(0)) + 1, amount_usd=5
        )
    )


# --- support against the cap -----------------------------------------------------------------


def _support(consortium: Consortium, amount: Any, days: int = 2) -> SupportEntry:
    return services.support_record(
        actor=None, consortium=consortium, date=days_ago(days), kind="fair", amount=amount
    )


def test_support_up_to_the_default_cap_and_not_a_rial_more(
    reference: Any, django_capture_on_commit_callbacks: Any
) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 3), days=30)
    _support(consortium, 2_000_000_000)
    seen, _ = announced(
        django_capture_on_commit_callbacks,
        lambda: _support(consortium, 1_000_000_000),
        ConsortiumEvent,
    )
    assert [type(e) for e in seen] == [SupportRecorded]

    message = _refused(lambda: _support(consortium, 1))

    assert "۰" in message or "0" in message
    assert consortium_page(consortium).ledger.remaining == 0


def test_the_refusal_names_the_room_left(reference: Any) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 3), days=30)
    _support(consortium, 2_900_000_000)

    message = _refused(lambda: _support(consortium, 200_000_000))

    assert "۱۰۰٬۰۰۰٬۰۰۰" in message or "100,000,000" in message


def test_a_cap_set_for_the_year_replaces_the_default(reference: Any) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 3), days=30)
    year = jalali.year_of(days_ago(2))
    services.cap_set(actor=None, year=year, amount=5_000_000_000)

    _support(consortium, 4_000_000_000)

    assert consortium_page(consortium).ledger.remaining == 1_000_000_000
    message = _refused(lambda: services.cap_set(actor=None, year=year, amount=1_000_000_000))
    assert SupportCap.objects.get(year=year).amount == 5_000_000_000
    assert message


@pytest.mark.parametrize("amount", [0, -5, "1000", 1.5, None])
def test_support_must_be_a_positive_whole_number_of_rials(reference: Any, amount: Any) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 3), days=30)

    _refused(lambda: _support(consortium, amount))


def test_support_before_the_consortium_was_formed_is_refused(reference: Any) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 3), days=30)

    _refused(lambda: _support(consortium, 1000, days=60))


def test_a_refused_write_announces_nothing(
    reference: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.events_helpers import recording

    consortium = form(reference.qom, units_in(reference.qom, 3), days=30)
    member = consortium.members.first()

    with recording(ConsortiumEvent) as seen, django_capture_on_commit_callbacks(execute=True):
        for write in (
            lambda: _support(consortium, 3_000_000_001),
            lambda: services.member_remove(
                actor=None, member=member, left_on=days_ago(1), reason="خروج"
            ),
            lambda: form(reference.qom, units_in(reference.qom, 2)),
        ):
            with pytest.raises(ValidationError):
                write()

    assert seen == []
