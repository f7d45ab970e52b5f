"""The finance instruments' figures (``finance.figures`` through ``indicators.finance``, read
from the cases' facts): known answers on a small history written through the services, for
the country, a province and a park, by bank and instrument, as of the end of a past Jalali
year and of days inside it; each figure equals the rows its link lists; who sees which rows.

The story, in Jalali year Y (two years before this one; ``d(n)`` is n days after 1 Farvardin
Y). Units: ``q1`` (Qom, park P), ``q2`` (Qom), ``t1`` (Tehran), all active.

Referrals:
- r0: q1 → Melli, working capital, 4 bn rials, introduced ten days before the year,
  approved d(5) (15 days waiting);
- r1: q1 → Melli, working capital, 10 bn, introduced d(10), approved d(40) (30 days), paid
  d(50) in full;
- r2: q2 → Mellat, guarantee, 5 bn, introduced d(20), approved in part d(80) for 2 bn (60);
- r3: t1 → Melli, working capital, 8 bn, introduced d(30), refused d(45) (15);
- r4: q2 → Melli, leasing, 1 bn, introduced d(100), no decision yet.

Capital-market files:
- f1: q1 introduced d(10), file opened d(40), final stage d(100), admitted d(200) to the SME
  board raising 50 bn;
- f2: t1 introduced d(50), rejected d(120);
- f3: q2 introduced d(150), still at "introduced".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from cases.services import case_move
from enterprises.models import Status
from finance import figures, market
from finance.models import AdviserFirm, Bank
from finance.services import (
    listing_introduce,
    listing_update,
    referral_decide,
    referral_introduce,
    referral_pay,
)
from indicators import casefacts, selectors, sources
from indicators.catalogue import load_indicators
from indicators.models import Indicator
from indicators.sources import COUNTRY, Place
from persian.jalali import format_date, today, year_bounds, year_of
from tests.access_tables import PEOPLE, with_two_grants
from tests.factories import give, make_enterprise, make_user
from tests.views_helpers import page

pytestmark = pytest.mark.django_db

YEAR = year_of(today()) - 2
FIRST, LAST = year_bounds(YEAR)
BN = 1_000_000_000


def d(n: int) -> dt.date:
    return FIRST + dt.timedelta(days=n)


def bank(code: str) -> Bank:
    found, _ = Bank.objects.get_or_create(code=code, defaults={"name": f"بانک {code}"})
    return found


class Story:
    def __init__(self, reference: Any) -> None:
        self.reference = reference
        before = FIRST - dt.timedelta(days=400)
        self.q1 = make_enterprise(name="ریخته‌گری قم", park=reference.park_p, status_date=before)
        self.q2 = make_enterprise(name="قطعه‌سازی قم", province=reference.qom, status_date=before)
        self.t1 = make_enterprise(
            name="پلاستیک تهران", province=reference.tehran, status=Status.ACTIVE,
            status_date=before,
        )  # fmt: skip
        self.melli, self.mellat = bank("melli"), bank("mellat")
        self.r0 = self._introduce(
            self.q1, self.melli, "working_capital", 4, FIRST - dt.timedelta(days=10)
        )
        referral_decide(actor=None, referral=self.r0, decision="approved", date=d(5))
        self.r1 = self._introduce(self.q1, self.melli, "working_capital", 10, d(10))
        referral_decide(actor=None, referral=self.r1, decision="approved", date=d(40))
        referral_pay(actor=None, referral=self.r1, date=d(50), amount_paid=10 * BN)
        self.r2 = self._introduce(self.q2, self.mellat, "guarantee", 5, d(20))
        referral_decide(
            actor=None, referral=self.r2, decision="partly", date=d(80), amount_granted=2 * BN
        )
        self.r3 = self._introduce(self.t1, self.melli, "working_capital", 8, d(30))
        referral_decide(
            actor=None, referral=self.r3, decision="refused", date=d(45), reasons="وثیقه ناکافی"
        )
        self.r4 = self._introduce(self.q2, self.melli, "leasing", 1, d(100))

        firm = AdviserFirm.objects.create(code="novin", name="مشاور نوین")
        self.f1 = listing_introduce(actor=None, enterprise=self.q1, date=d(10))
        case_move(actor=None, case=self.f1.case, to_stage=market.FILE_OPENED, date=d(40))
        listing_update(actor=None, listing=self.f1, adviser=firm, market="sme", amount_raised=None)
        case_move(actor=None, case=self.f1.case, to_stage=market.FINAL, date=d(100))
        listing_update(
            actor=None, listing=self.f1, adviser=firm, market="sme", amount_raised=50 * BN
        )
        case_move(actor=None, case=self.f1.case, to_stage=market.ADMITTED, date=d(200))
        self.f2 = listing_introduce(actor=None, enterprise=self.t1, date=d(50))
        case_move(actor=None, case=self.f2.case, to_stage=market.REJECTED, date=d(120))
        self.f3 = listing_introduce(actor=None, enterprise=self.q2, date=d(150))
        sources.forget()

    def _introduce(self, unit: Any, to: Bank, instrument: str, bn: int, day: dt.date) -> Any:
        return referral_introduce(
            actor=None, enterprise=unit, bank=to, branch="شعبه مرکزی", instrument=instrument,
            amount_requested=bn * BN, date=day,
        )  # fmt: skip


@pytest.fixture
def story(reference: Any) -> Story:
    load_indicators()
    return Story(reference)


def value(key: str, place: Place, as_of: dt.date) -> Any:
    return selectors.value_of(Indicator.objects.get(key=key), place, as_of)


def breakdown(key: str, place: Place, as_of: dt.date, dim: str) -> dict[str, Any]:
    return selectors.breakdown(Indicator.objects.get(key=key), place, as_of, dim)


def test_the_figures_as_of_the_end_of_the_year(story: Story) -> None:
    qom, tehran = Place("p", story.reference.qom.pk), Place("p", story.reference.tehran.pk)
    park = Place("k", story.reference.park_p.pk)
    expected = {
        # key: (country, Qom, Tehran, park P)
        "finance-referrals": (4, 3, 1, 1),  # r0 was introduced the year before
        "finance-requested": (24 * BN, 16 * BN, 8 * BN, 10 * BN),
        "finance-decided": (4, 3, 1, 2),
        "finance-approved": (3, 3, 0, 2),
        "finance-approval-rate": (Decimal("75.0"), Decimal("100.0"), Decimal("0.0"), Decimal("100.0")),
        "finance-granted": (16 * BN, 16 * BN, 0, 14 * BN),
        "finance-days-waiting": (Decimal("22.5"), Decimal("30.0"), Decimal("15.0"), Decimal("22.5")),
        "finance-paid": (1, 1, 0, 1),
        "finance-paid-amount": (10 * BN, 10 * BN, 0, 10 * BN),
        "finance-pipeline": (1, 1, 0, 0),  # f3 only is still open
        "finance-admitted": (1, 1, 0, 1),
        "finance-raised": (50 * BN, 50 * BN, 0, 50 * BN),
    }  # fmt: skip
    for key, want in expected.items():
        got = tuple(value(key, place, LAST) for place in (COUNTRY, qom, tehran, park))
        assert got == want, key


def test_by_bank_and_instrument_with_the_days_waited(story: Story) -> None:
    melli, mellat = str(story.melli.pk), str(story.mellat.pk)
    assert breakdown("finance-referrals", COUNTRY, LAST, "bank") == {melli: 3, mellat: 1}
    assert breakdown("finance-referrals", COUNTRY, LAST, "instrument") == {
        "working_capital": 2,
        "guarantee": 1,
        "leasing": 1,
    }
    assert breakdown("finance-approved", COUNTRY, LAST, "bank") == {melli: 2, mellat: 1}
    assert breakdown("finance-granted", COUNTRY, LAST, "instrument") == {
        "working_capital": 14 * BN,
        "guarantee": 2 * BN,
    }
    assert breakdown("finance-days-waiting", COUNTRY, LAST, "bank") == {
        melli: Decimal("15.0"),  # 15, 30, 15
        mellat: Decimal("60.0"),
    }


def test_the_pipeline_by_stage_as_of_days_inside_the_year(story: Story) -> None:
    stages = breakdown("finance-pipeline", COUNTRY, LAST, "stage")
    assert stages == {
        "introduced": 1,
        "file_opened": 0,
        "final_stage": 0,
        "admitted": 1,
        "rejected": 1,
        "withdrawn": 0,
    }
    assert value("finance-pipeline", COUNTRY, d(110)) == 2  # f1 at the final stage, f2
    assert value("finance-pipeline", COUNTRY, d(9)) == 0
    assert value("finance-admitted", COUNTRY, d(199)) == 0
    tehran = Place("p", story.reference.tehran.pk)
    assert value("finance-pipeline", tehran, d(119)) == 1
    assert value("finance-pipeline", tehran, d(120)) == 0


@pytest.mark.parametrize("day", [0, 5, 40, 45, 80, 100, 150, 200, 364])
def test_each_figure_from_the_facts_is_the_count_of_its_rows(story: Story, day: int) -> None:
    as_of = min(d(day), LAST)
    qom, park = story.reference.qom.pk, story.reference.park_p.pk
    for place, where in (
        (COUNTRY, {}),
        (Place("p", qom), {"province_id": qom}),
        (Place("k", park), {"park_id": park}),
    ):
        for measure, key in (
            ("referrals", "finance-referrals"),
            ("decided", "finance-decided"),
            ("approved", "finance-approved"),
            ("paid", "finance-paid"),
        ):
            rows = figures.referrals(measure, as_of, **where).count()
            assert value(key, place, as_of) == rows, (key, place, as_of)
        files = figures.files_at(as_of, **where).count()
        assert value("finance-pipeline", place, as_of) == files, (place, as_of)
        admitted = figures.admitted(as_of, **where).count()
        assert value("finance-admitted", place, as_of) == admitted, (place, as_of)


def test_a_places_finance_figures_read_its_facts_once_per_case_type(story: Story) -> None:
    """A park's or a province's page asks for every finance figure and breakdown: the
    place's facts are read once per case type (its flows and its stages), not once per
    figure. (That they are the counts of their rows: the test above, through the same
    reads.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    keys = list(Indicator.objects.filter(source="finance").values_list("key", flat=True))
    assert len(keys) >= 6
    as_of = min(d(200), LAST)
    for place in (Place("p", story.reference.qom.pk), Place("k", story.reference.park_p.pk)):
        sources.forget()
        with CaptureQueriesContext(connection) as captured:
            for key in keys:
                value(key, place, as_of)
            by_bank = breakdown("finance-referrals", place, as_of, "bank")
            by_stage = breakdown("finance-pipeline", place, as_of, "stage")
        facts = [q["sql"][:150] for q in captured if "indicators_casefact" in q["sql"]]
        assert len(facts) <= 4, facts  # two case types, their flows and their stages
        where = {"province_id": place.id} if place.level == "p" else {"park_id": place.id}
        referrals = figures.referrals("referrals", as_of, **where)
        assert sum(by_bank.values()) == referrals.count()
        open_files = sum(n for stage, n in by_stage.items() if stage in market.LISTING.open_stages)
        assert open_files == figures.files_at(as_of, **where).count()


def test_the_facts_kept_by_the_events_equal_a_rebuild(story: Story) -> None:
    kept = casefacts.all_facts()
    assert kept == casefacts.python_facts()
    casefacts.rebuild()
    assert casefacts.all_facts() == kept


def test_the_dashboards_show_the_finance_cards_and_tables_linking_to_their_rows(
    story: Story, client_for: Any, national_admin: Any
) -> None:
    html = page(client_for(national_admin).get(reverse("home"), {"as_of": format_date(LAST)}))
    assert 'data-testid="finance-cards"' in html
    for testid in ("finance-by-instrument", "finance-by-bank", "finance-pipeline"):
        assert f'data-testid="{testid}"' in html
    assert reverse("finance_rows", args=["finance-referrals"]) in html


# --- who sees which rows -----------------------------------------------------------------------
# "full": the page lists the rows the person may see; "public": the figure and its definition
# only; "404": no such figure, or not a finance figure.

ROWS = ("finance-referrals", "finance-pipeline", "no-such-indicator", "units")
_IN = ("full", "full", "404", "404")
ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "finance_rows": {
            "GET": {
                who: dict(zip(ROWS, ("public", "public", "404", "404") if who == "anonymous" else _IN, strict=True))
                for who in (
                    "national_admin", "officer_a", "officer_b", "park_manager", "owner",
                    "cluster_agent", "anonymous",
                )
            }
        }
    }
)  # fmt: skip
assert set(ACCESS["finance_rows"]["GET"]) == set(PEOPLE)


def _rows(client: Any, key: str, **params: str) -> tuple[int, str]:
    response = client.get(
        reverse("finance_rows", args=[key]), {"as_of": format_date(LAST), **params}
    )
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    ("who", "target", "outcome"),
    [
        (who, target, outcome)
        for who, row in ACCESS["finance_rows"]["GET"].items()
        for target, outcome in row.items()
    ],
)
def test_every_role_gets_what_the_table_says_on_the_finance_rows(
    story: Story, user_of: Any, client_for: Any, who: str, target: str, outcome: str
) -> None:
    status, html = _rows(client_for(user_of(who)), target)
    if outcome == "404":
        assert status == 404
        return
    assert status == 200
    assert 'data-testid="finance-figure"' in html
    assert ('data-testid="not-listed"' in html) is (outcome == "public")
    assert ('data-testid="rows-count"' in html) is (outcome == "full")


def _listed(html: str, story: Story) -> set[str]:
    names = {"q1": story.q1.name, "q2": story.q2.name, "t1": story.t1.name}
    return {k for k, name in names.items() if name in html}


@pytest.mark.parametrize(
    ("who", "units"),
    [
        ("national_admin", {"q1", "q2", "t1"}),
        ("officer_a", {"q1", "q2"}),  # Qom's
        ("officer_b", {"t1"}),  # Tehran's
        ("melli_officer", {"q1", "t1", "q2"}),  # r1, r3, r4: Melli's
        ("mellat_officer", {"q2"}),  # r2
    ],
)
def test_the_referrals_listed_are_those_the_person_may_see(
    story: Story, user_of: Any, client_for: Any, who: str, units: set[str]
) -> None:
    from finance.roles import BANK_OFFICER

    if who.endswith("_officer") and who.split("_")[0] in ("melli", "mellat"):
        person = make_user(username=who)
        give(person, BANK_OFFICER, bank(who.split("_")[0]))
    else:
        person = user_of(who)
    status, html = _rows(client_for(person), "finance-referrals")
    assert status == 200
    assert _listed(html, story) == units


def test_a_bank_and_an_instrument_narrow_the_figure_and_its_rows(
    story: Story, client_for: Any, national_admin: Any
) -> None:
    client = client_for(national_admin)
    status, html = _rows(client, "finance-referrals", bank=str(story.mellat.pk))
    assert status == 200
    assert _listed(html, story) == {"q2"}
    figure = re.search(r'data-testid="finance-figure">(.*?)</p>', html, re.S)
    assert figure is not None
    assert ": ۱ " in figure.group(1)  # one referral to Mellat this year
    assert story.mellat.name in figure.group(1)
    status, html = _rows(client, "finance-referrals", instrument="leasing")
    assert _listed(html, story) == {"q2"}
    assert _rows(client, "finance-referrals", instrument="crypto")[0] == 404
    assert _rows(client, "finance-referrals", bank="999999")[0] == 404
    assert _rows(client, "finance-pipeline", stage="nowhere")[0] == 404
    status, html = _rows(client, "finance-pipeline", stage="rejected")
    assert _listed(html, story) == {"t1"}
