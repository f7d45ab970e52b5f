"""The consortia pages as their users meet them: the list's filters and search, the
consortium's page, and one test per form, each refusal shown beside its field with
nothing saved."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from consortia.models import Consortium, ExportYear, Member, Readiness, SupportEntry
from enterprises.models import Status
from enterprises.services import enterprise_change_status
from persian import jalali
from tests.clusters.files import PDF
from tests.consortia.conftest import Consortia, form, units_in
from tests.factories import days_ago, make_enterprise
from tests.views_helpers import field_error_text, field_errors, jalali_text, page

pytestmark = pytest.mark.django_db


def _names(response: Any) -> list[str]:
    return [c.name for c in response.context["page"]]


def test_the_list_filters_by_province_cluster_market_and_a_persian_insensitive_name(
    consortia: Consortia, national_admin: Any, client_for: Any, reference: Any, clusters: Any
) -> None:
    with_cluster = form(
        reference.qom, units_in(reference.qom, 3), name="کنسرسیوم کفش", cluster=clusters.mine,
        markets=["RU"],
    )  # fmt: skip
    client = client_for(national_admin)
    url = reverse("consortium_list")

    assert len(_names(client.get(url))) == 3
    assert _names(client.get(url, {"province": reference.tehran.code})) == [consortia.tehran.name]
    assert _names(client.get(url, {"cluster": clusters.mine.pk})) == [with_cluster.name]
    assert _names(client.get(url, {"market": "RU"})) == [with_cluster.name]
    # Arabic yeh and kaf, another spacing: the same name.
    assert _names(client.get(url, {"q": "زعفران  قم"})) == [consortia.qom.name]
    assert _names(client.get(url, {"q": "كنسرسيوم زعفران"})) == [consortia.qom.name]


def test_the_list_as_of_a_date_counts_the_members_of_that_day(
    consortia: Consortia, national_admin: Any, client_for: Any
) -> None:
    response = client_for(national_admin).get(
        reverse("consortium_list"), {"as_of": jalali_text(days_ago(200))}
    )

    assert _names(response) == []  # formed 100 days ago
    response = client_for(national_admin).get(
        reverse("consortium_list"), {"as_of": jalali_text(days_ago(50))}
    )
    assert sorted(c.member_count for c in response.context["page"]) == [4, 4]


def test_the_owner_s_list_holds_their_unit_s_consortium_only(
    consortia: Consortia, owner: Any, client_for: Any
) -> None:
    assert _names(client_for(owner).get(reverse("consortium_list"))) == [consortia.qom.name]


def test_the_page_flags_a_member_no_longer_active(
    consortia: Consortia, officer_a: Any, client_for: Any
) -> None:
    member = consortia.qom.members.last()
    assert member is not None
    enterprise_change_status(
        actor=None, enterprise=member.enterprise, to_status=Status.IDLE, date=days_ago(1),
        reason="رکود",
    )  # fmt: skip

    html = page(client_for(officer_a).get(consortia.qom.get_absolute_url()))

    assert html.count('data-testid="flagged"') == 1
    assert 'data-testid="below-minimum"' not in html  # three still active
    assert "کارت بازرگانی" in html


def test_forming_a_consortium_from_the_page(
    officer_a: Any, client_for: Any, reference: Any
) -> None:
    units = units_in(reference.qom, 3)
    data = {
        "name": "کنسرسیوم فرش", "province": reference.qom.code, "products": "فرش دستباف",
        "markets": ["AE", "IQ"], "formed_on": jalali_text(days_ago(3), persian=True),
        "units": "\n".join(u.legal_id for u in units),
    }  # fmt: skip

    response = client_for(officer_a).post(reverse("consortium_new"), data)

    consortium = Consortium.objects.get(name="کنسرسیوم فرش")
    assert response.status_code == 302 and response["Location"] == consortium.get_absolute_url()
    assert consortium.members.count() == 3 and consortium.formed_on == days_ago(3)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"formed_on": "1403/02/32"}, "formed_on"),  # no such day
        ({"units": "__TWO__"}, "units"),  # two units
        ({"units": "__CLOSED__"}, "units"),  # a closed unit among three
        ({"units": "99999999"}, "units"),  # no such unit
    ],
)
def test_forming_is_refused_with_a_message_beside_the_field(
    officer_a: Any, client_for: Any, reference: Any, change: dict[str, str], field: str
) -> None:
    units = units_in(reference.qom, 3)
    closed = make_enterprise(province=reference.qom, status=Status.CLOSED)
    data = {
        "name": "کنسرسیوم فرش", "province": reference.qom.code, "products": "فرش",
        "markets": ["AE"], "formed_on": jalali_text(days_ago(3)),
        "units": "\n".join(str(u.pk) for u in units),
    }  # fmt: skip
    data.update(change)
    if data["units"] == "__TWO__":
        data["units"] = f"{units[0].pk}\n{units[1].pk}"
    if data["units"] == "__CLOSED__":
        data["units"] = f"{units[0].pk}\n{units[1].pk}\n{closed.pk}"

    response = client_for(officer_a).post(reverse("consortium_new"), data)

    assert response.status_code == 200 and field in field_errors(response)
    assert not Consortium.objects.exists()


def test_adding_a_closed_unit_is_refused_on_the_page(
    consortia: Consortia, officer_a: Any, client_for: Any, reference: Any
) -> None:
    closed = make_enterprise(province=reference.qom, status=Status.CLOSED)
    url = reverse("consortium_member_add", args=[consortia.qom.pk])

    response = client_for(officer_a).post(
        url, {"unit": str(closed.pk), "joined_on": jalali_text(days_ago(1))}
    )

    assert response.status_code == 200 and closed.name in field_error_text(response, "unit")
    assert "تنها واحدهای فعال" in field_error_text(response, "unit")
    assert not Member.objects.filter(enterprise=closed).exists()


def test_removing_down_to_two_is_refused_on_the_page(
    national_admin: Any, client_for: Any, reference: Any
) -> None:
    consortium = form(reference.qom, units_in(reference.qom, 3))
    member = consortium.members.first()
    assert member is not None
    url = reverse("consortium_member_remove", args=[consortium.pk, member.pk])

    response = client_for(national_admin).post(
        url, {"left_on": jalali_text(days_ago(1)), "reason": "خروج"}
    )

    assert response.status_code == 200 and "data-error-summary" in page(response)
    assert "۲ عضو فعال" in response.context["form"].non_field_errors()[0]
    assert consortium.members.filter(left_on__isnull=True).count() == 3


def test_the_promoter_records_readiness_with_a_document(
    consortia: Consortia, client_for: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    member = consortia.qom.members.last()
    assert member is not None
    data = {
        "member": member.pk, "kind": "certificate", "title": "نشان استاندارد", "number": "۴۴",
        "date": jalali_text(days_ago(2)), "file": SimpleUploadedFile("mark.pdf", PDF),
    }  # fmt: skip

    response = client_for(consortia.promoter).post(
        reverse("consortium_readiness", args=[consortia.qom.pk]), data
    )

    assert response.status_code == 302
    readiness = Readiness.objects.get(member=member)
    assert readiness.file_type == "pdf" and readiness.number == "44"


def test_exports_in_words_are_refused_and_in_digits_recorded(
    consortia: Consortia, client_for: Any
) -> None:
    member = consortia.qom.members.first()
    assert member is not None
    url = reverse("consortium_exports", args=[consortia.qom.pk])
    year = str(jalali.year_of(days_ago(0)))
    client = client_for(consortia.promoter)

    refused = client.post(url, {"member": member.pk, "year": year, "amount_usd": "12 هزار دلار"})
    done = client.post(url, {"member": member.pk, "year": year, "amount_usd": "۱۲٬۵۰۰"})

    assert refused.status_code == 200 and "amount_usd" in field_errors(refused)
    assert done.status_code == 302
    assert list(ExportYear.objects.values_list("amount_usd", flat=True)) == [12500]


def test_the_promoter_does_not_record_support(consortia: Consortia, client_for: Any) -> None:
    response = client_for(consortia.promoter).get(
        reverse("consortium_support", args=[consortia.qom.pk])
    )

    assert response.status_code == 404


@pytest.mark.parametrize("amount", ["-5", "۲۰۰ میلیون", "3000000001"])
def test_support_refused_shows_why_beside_the_amount(
    consortia: Consortia, officer_a: Any, client_for: Any, amount: str
) -> None:
    url = reverse("consortium_support", args=[consortia.qom.pk])

    response = client_for(officer_a).post(
        url, {"date": jalali_text(days_ago(1)), "kind": "fair", "amount": amount}
    )

    assert response.status_code == 200 and "amount" in field_errors(response)
    assert not SupportEntry.objects.exists()
    if amount == "3000000001":  # one rial over the default cap: the room left is named
        assert "بیش از سقف" in field_error_text(response, "amount")
        assert "۳٬۰۰۰٬۰۰۰٬۰۰۰ ریال" in field_error_text(response, "amount")


def test_support_within_the_cap_is_recorded_and_the_page_shows_what_remains(
    consortia: Consortia, officer_a: Any, client_for: Any
) -> None:
    url = reverse("consortium_support", args=[consortia.qom.pk])
    client = client_for(officer_a)

    response = client.post(
        url, {"date": jalali_text(days_ago(1)), "kind": "trade_mission", "amount": "1000000000"}
    )

    assert response.status_code == 302
    html = page(client.get(consortia.qom.get_absolute_url()))
    assert "۲٬۰۰۰٬۰۰۰٬۰۰۰" in html  # remaining of the default 3 billion


def test_national_staff_set_a_year_s_cap(national_admin: Any, client_for: Any) -> None:
    response = client_for(national_admin).post(
        reverse("consortium_caps"), {"year": "۱۴۰۵", "amount": "4000000000"}
    )

    assert response.status_code == 302
    html = page(client_for(national_admin).get(reverse("consortium_caps")))
    assert "۴٬۰۰۰٬۰۰۰٬۰۰۰" in html


@pytest.mark.parametrize(
    ("language", "markets"), [("en", "Afghanistan, Iraq"), ("fa", "افغانستان، عراق")]
)
def test_a_consortiums_markets_are_listed_with_the_pages_comma(
    consortia, national_admin, client_for, language, markets
) -> None:
    client = client_for(national_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = page(client.get(reverse("consortium_detail", args=[consortia.qom.pk])))
    shown = re.search(r'data-testid="markets">([^<]*)<', html)
    assert shown is not None and shown.group(1) == markets
