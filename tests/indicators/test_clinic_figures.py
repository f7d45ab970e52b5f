"""The business clinics' figures (``clinics.figures`` through ``indicators.clinics``): known
answers on a small history built with the services, as of the end of a past Jalali year
and of days inside it, for the country, a province and a park; each card's count equals
the rows its link lists; who sees which rows.

The story, in Jalali year Y (two years before this one; ``d(n)`` is n days after
1 Farvardin Y), Qom unless told:

- ``idle1`` (park P, idle, 30 employees): case c1 opened d(10), diagnosed d(30)
  (working capital, primary; market), revived d(60) — it held;
- ``idle2`` (idle, 10 employees): case c2 opened d(15), diagnosed d(35) (legal), revived
  d(70), idle again d(150) — it did not hold at 6 months (no check ever ran: the figures
  read the status history);
- ``semi`` (semi-active): case c3 opened d(20), diagnosed d(55) (working capital), still
  at "diagnosis", transferred to Tehran's office on d(100);
- ``tehran_idle`` (Tehran, idle): case c4 opened d(30), still "opened";
- ``registry_only`` (Tehran, idle): revived d(90) in the registry, without a case;
- ``project`` (under construction, 80% built): a candidate, no case; ``young_project``
  (30%) and ``active`` are not candidates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from cases.services import case_move, case_open, case_transfer
from clinics import casetype, figures
from clinics.models import Cause, Revival
from clinics.roles import CLINIC_CONSULTANT
from clinics.services import action_add, diagnosis_record, relapse
from enterprises.models import Status
from enterprises.services import enterprise_change_status
from indicators import facts, selectors, sources
from indicators.catalogue import load_indicators
from indicators.models import Indicator
from indicators.services import target_set
from indicators.sources import COUNTRY, Place
from persian.jalali import add_months, format_date, today, year_bounds, year_of
from tests.access_tables import PEOPLE, with_two_grants
from tests.factories import give, make_enterprise, make_user
from tests.views_helpers import page

pytestmark = pytest.mark.django_db

YEAR = year_of(today()) - 2
FIRST, LAST = year_bounds(YEAR)


def d(n: int) -> dt.date:
    return FIRST + dt.timedelta(days=n)


class Story:
    def __init__(self, reference: Any, consultant: Any) -> None:
        self.reference, self.consultant = reference, consultant
        before = FIRST - dt.timedelta(days=400)
        self.idle1 = make_enterprise(
            name="ریسندگی خاموش", park=reference.park_p, status=Status.IDLE,
            status_date=before, employees=30,
        )  # fmt: skip
        self.idle2 = make_enterprise(
            name="لبنیات راکد", province=reference.qom, status=Status.IDLE,
            status_date=before, employees=10,
        )  # fmt: skip
        self.semi = make_enterprise(
            name="چاپ نیمه‌جان", province=reference.qom, status=Status.SEMI_ACTIVE,
            status_date=before,
        )  # fmt: skip
        self.tehran_idle = make_enterprise(
            name="آجر تهران", province=reference.tehran, status=Status.IDLE, status_date=before
        )
        self.registry_only = make_enterprise(
            name="پلاستیک تهران", province=reference.tehran, status=Status.IDLE,
            status_date=before,
        )  # fmt: skip
        self.project = make_enterprise(
            name="طرح فولاد", province=reference.qom, status=Status.UNDER_CONSTRUCTION,
            status_date=before, construction_progress=80,
        )  # fmt: skip
        self.young_project = make_enterprise(
            name="طرح نوپا", province=reference.qom, status=Status.UNDER_CONSTRUCTION,
            status_date=before, construction_progress=30,
        )  # fmt: skip
        self.active = make_enterprise(name="کارخانه فعال", province=reference.qom)

        self.c1 = self._revived(self.idle1, 10, 30, ["working_capital", "market"], 60)
        self.c2 = self._revived(self.idle2, 15, 35, ["legal"], 70)
        enterprise_change_status(
            actor=None, enterprise=self.idle2, to_status=Status.IDLE, date=d(150), reason="بی‌پولی"
        )
        self.c3 = self._open(self.semi, 20)
        self._diagnose(self.c3, 55, ["working_capital"])
        case_transfer(
            actor=None, case=self.c3, province=reference.tehran, date=d(100), reason="انتقال دفتر"
        )
        self.c4 = case_open(actor=None, type=casetype.TYPE, enterprise=self.tehran_idle, date=d(30))
        enterprise_change_status(
            actor=None,
            enterprise=self.registry_only,
            to_status=Status.ACTIVE,
            date=d(90),
            reason="احیا بی کلینیک",
        )
        facts.rebuild()
        sources.forget()

    def _open(self, unit: Any, day: int) -> Any:
        return case_open(
            actor=None, type=casetype.TYPE, enterprise=unit, date=d(day), assignee=self.consultant
        )

    def _diagnose(self, case: Any, day: int, causes: list[str]) -> None:
        case_move(actor=None, case=case, to_stage=casetype.DIAGNOSIS, date=d(day - 5))
        diagnosis_record(
            actor=None, case=case, date=d(day), finding="کمبود سرمایه در گردش", causes=causes,
            primary=causes[0],
        )  # fmt: skip

    def _revived(self, unit: Any, opened: int, diagnosed: int, causes: list[str], day: int) -> Any:
        case = self._open(unit, opened)
        self._diagnose(case, diagnosed, causes)
        case_move(actor=None, case=case, to_stage=casetype.REMEDY, date=d(diagnosed + 5))
        action_add(
            actor=None,
            case=case,
            data={
                "kind": "finance_referral",
                "description": "معرفی به بانک",
                "owner": "کارشناس استان",
                "due_on": d(diagnosed + 20),
            },
        )
        case_move(actor=None, case=case, to_stage=casetype.REVIVED, date=d(day))
        return case


@pytest.fixture
def consultant(reference: Any) -> Any:
    person = make_user(username="consultant", first_name="مریم", last_name="مشاور")
    give(person, CLINIC_CONSULTANT, reference.qom)
    return person


@pytest.fixture
def story(reference: Any, consultant: Any) -> Story:
    load_indicators()
    return Story(reference, consultant)


def value(key: str, place: Place, as_of: dt.date) -> Any:
    return selectors.value_of(Indicator.objects.get(key=key), place, as_of)


def test_the_figures_as_of_the_end_of_the_year(story: Story) -> None:
    qom, tehran = Place("p", story.reference.qom.pk), Place("p", story.reference.tehran.pk)
    park = Place("k", story.reference.park_p.pk)
    expected = {
        # key: (country, Qom, Tehran, park P)
        "clinic-candidates": (4, 3, 1, 0),  # idle2 idle again, semi, project | tehran_idle
        "clinic-open": (2, 0, 2, 0),  # c3 (transferred) and c4, both held by Tehran
        "clinic-diagnosed": (3, 3, 0, 1),
        "clinic-revived": (2, 2, 0, 1),
        "clinic-jobs": (40, 40, 0, 30),
        "clinic-held-6": (1, 1, 0, 1),  # c2's unit was idle again before its 6 months
        "clinic-held-12": (0, 0, 0, 0),  # their 12 months end next year
        "clinic-days": (Decimal("52.5"), Decimal("52.5"), None, Decimal("50.0")),
        "revived": (3, 2, 1, 1),  # every revival: the registry-only one too
    }
    for key, want in expected.items():
        got = tuple(value(key, place, LAST) for place in (COUNTRY, qom, tehran, park))
        assert got == want, key


def test_the_figures_as_of_a_day_inside_the_year(story: Story) -> None:
    qom, tehran = Place("p", story.reference.qom.pk), Place("p", story.reference.tehran.pk)
    as_of = d(65)  # c1 revived, c2 not yet; c3 in Qom's hands
    assert value("clinic-revived", COUNTRY, as_of) == 1
    assert value("clinic-jobs", COUNTRY, as_of) == 30
    assert value("clinic-days", COUNTRY, as_of) == Decimal("50.0")
    assert value("clinic-diagnosed", COUNTRY, as_of) == 3
    assert value("clinic-open", qom, as_of) == 2  # c2 at remedy, c3 at diagnosis
    assert value("clinic-open", tehran, as_of) == 1  # c4
    # everyone idle then: the five idle or semi-active units and the project
    assert value("clinic-candidates", COUNTRY, d(50)) == 6


def test_the_figures_as_of_today(story: Story) -> None:
    tehran = Place("p", story.reference.tehran.pk)
    now = today()
    assert value("clinic-candidates", COUNTRY, now) == 4
    assert (value("clinic-open", COUNTRY, now), value("clinic-open", tehran, now)) == (2, 2)
    # this year's flows: nothing revived or diagnosed since 1 Farvardin
    assert value("clinic-revived", COUNTRY, now) == 0
    assert value("clinic-diagnosed", COUNTRY, now) == 0
    assert value("clinic-days", COUNTRY, now) is None
    assert value("revived", COUNTRY, now) == 0


def test_a_transferred_case_counts_in_its_new_province_only_from_the_transfer(
    story: Story,
) -> None:
    qom, tehran = Place("p", story.reference.qom.pk), Place("p", story.reference.tehran.pk)
    assert (value("clinic-open", qom, d(99)), value("clinic-open", tehran, d(99))) == (1, 1)
    assert (value("clinic-open", qom, d(100)), value("clinic-open", tehran, d(100))) == (0, 2)
    # its diagnosis (d(55)) stays Qom's
    assert (
        figures.diagnosed(LAST, province_id=story.reference.qom.pk).filter(pk=story.c3.pk).exists()
    )
    by_province = selectors.by_province(Indicator.objects.get(key="clinic-open"), d(99))
    assert (by_province[story.reference.qom.pk], by_province[story.reference.tehran.pk]) == (1, 1)


def test_sustained_is_read_from_the_status_history_whatever_checks_ran(story: Story) -> None:
    one, two = Revival.objects.get(case=story.c1), Revival.objects.get(case=story.c2)
    six_one, six_two = add_months(one.date, 6), add_months(two.date, 6)
    assert relapse(one, six_one) is None and relapse(two, six_two) is not None
    assert two.not_sustained_on is None  # no check ran; the figure does not need one
    marks = figures.sustained_marks(6, LAST)
    assert [(r.pk, mark, held) for r, mark, held in marks] == [
        (one.pk, six_one, True),
        (two.pk, six_two, False),
    ]
    # before c1's mark, nothing was due yet
    assert value("clinic-held-6", COUNTRY, six_one - dt.timedelta(days=1)) == 0
    assert value("clinic-held-6", COUNTRY, six_one) == 1
    # the next year counts the 12-month marks
    next_last = year_bounds(YEAR + 1)[1]
    assert value("clinic-held-12", COUNTRY, next_last) == 1
    assert value("clinic-held-6", COUNTRY, next_last) == 0


def test_causes_by_share_primary_and_any(story: Story) -> None:
    diagnosed = Indicator.objects.get(key="clinic-diagnosed")
    primary = selectors.breakdown(diagnosed, COUNTRY, LAST, "cause_primary")
    any_cause = selectors.breakdown(diagnosed, COUNTRY, LAST, "cause")
    assert {k: v for k, v in primary.items() if v} == {"working_capital": 2, "legal": 1}
    assert {k: v for k, v in any_cause.items() if v} == {
        "working_capital": 2,
        "legal": 1,
        "market": 1,
    }
    stages = selectors.breakdown(Indicator.objects.get(key="clinic-open"), COUNTRY, LAST, "stage")
    assert stages == {"opened": 1, "diagnosis": 1, "remedy": 0}


def test_the_monthly_series_add_up_to_the_figures(story: Story) -> None:
    for key in ("clinic-revived", "clinic-diagnosed", "clinic-jobs", "clinic-held-6"):
        indicator = Indicator.objects.get(key=key)
        series = selectors.monthly(indicator, COUNTRY, LAST)
        in_year = sum(v for m, v in series if m // 12 == YEAR)
        assert in_year == value(key, COUNTRY, LAST), key
    for key in ("clinic-open", "clinic-candidates"):
        series = selectors.monthly(Indicator.objects.get(key=key), COUNTRY, LAST)
        assert series[-1][1] == value(key, COUNTRY, LAST), key


def test_the_provinces_targets_show_on_the_cards_and_add_up_to_the_country(
    story: Story, national_admin: Any
) -> None:
    revived = Indicator.objects.get(key="clinic-revived")
    target_set(
        actor=national_admin, indicator=revived, year=YEAR, value=4, province=story.reference.qom
    )
    target_set(
        actor=national_admin, indicator=revived, year=YEAR, value=6,
        province=story.reference.tehran,
    )  # fmt: skip
    sources.forget()
    qom = Place("p", story.reference.qom.pk)
    [card] = selectors.cards([revived], qom, LAST, story.reference.qom.pk, "IR-25")
    assert (card.value, card.target, card.progress, card.gap) == (2, 4, 50, 2)
    [country] = selectors.cards([revived], COUNTRY, LAST, None)
    assert (country.value, country.target, country.progress) == (2, 10, 20)
    # a national target of its own is the country's
    target_set(actor=national_admin, indicator=revived, year=YEAR, value=12)
    sources.forget()
    [country] = selectors.cards([revived], COUNTRY, LAST, None)
    assert country.target == 12


def test_the_clinic_cards_show_as_their_own_block_with_all_revivals_beside(
    story: Story, client_for: Any, anonymous: Any
) -> None:
    as_of = format_date(LAST, persian_digits=False)
    for url in (reverse("home"), reverse("province_detail", args=["IR-25"]), reverse("stats")):
        html = page(client_for(anonymous).get(url, {"as_of": as_of}))
        assert 'data-testid="clinic-cards"' in html, url
        assert 'data-testid="card-clinic-revived"' in html, url
    html = page(client_for(anonymous).get(reverse("home"), {"as_of": as_of}))
    assert 'data-testid="beside-clinic-revived"' in html
    html = page(client_for(anonymous).get(reverse("park_detail", args=[story.reference.park_p.pk])))
    assert 'data-testid="card-clinic-candidates"' in html


def test_the_pages_show_the_causes_by_share_and_the_open_cases_by_stage(
    story: Story, client_for: Any, anonymous: Any
) -> None:
    as_of = format_date(LAST, persian_digits=False)
    response = client_for(anonymous).get(reverse("home"), {"as_of": as_of})
    row = response.context["clinic_causes"][0]  # the commonest primary cause first
    assert str(row["label"]) == str(Cause.WORKING_CAPITAL.label)
    assert (row["primary"], row["primary_share"], row["any"]) == (2, Decimal("66.7"), 2)
    assert response.context["clinic_diagnosed"] == 3
    assert [n for _label, n, _link in response.context["clinic_by_stage"]] == [1, 1, 0]
    html = page(response)
    assert 'data-testid="clinic-causes"' in html and "۶۶٫۷" in html
    # the median has no value in a province without revivals, not 0
    days = selectors.by_province(Indicator.objects.get(key="clinic-days"), LAST)
    assert days[story.reference.tehran.pk] is None
    assert days[story.reference.qom.pk] == Decimal("52.5")


def _rows(client: Any, key: str, **params: str) -> tuple[int, str]:
    params.setdefault("as_of", format_date(LAST, persian_digits=False))
    response = client.get(reverse("clinic_rows", args=[key]), params)
    return response.status_code, page(response) if response.status_code == 200 else ""


@pytest.mark.parametrize(
    "key",
    [
        "clinic-candidates",
        "clinic-open",
        "clinic-diagnosed",
        "clinic-revived",
        "clinic-held-6",
        "clinic-held-12",
    ],
)
@pytest.mark.parametrize("place", ["", "IR-25", "IR-23", "park"])
def test_each_cards_count_is_the_count_of_the_rows_its_link_lists(
    story: Story, client_for: Any, national_admin: Any, key: str, place: str
) -> None:
    indicator = Indicator.objects.get(key=key)
    reference = story.reference
    where = {
        "": (COUNTRY, ""),
        "IR-25": (Place("p", reference.qom.pk), "IR-25"),
        "IR-23": (Place("p", reference.tehran.pk), "IR-23"),
        "park": (Place("k", reference.park_p.pk), ""),
    }[place]
    for as_of in (LAST, d(65)):
        [card] = selectors.cards([indicator], where[0], as_of, None, where[1])
        response = client_for(national_admin).get(card.link)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == card.value, (key, place, as_of)


def test_the_rows_of_a_cause_and_of_a_stage(story: Story, client_for: Any, national_admin) -> None:
    client = client_for(national_admin)
    status, html = _rows(client, "clinic-diagnosed", cause_primary="working_capital")
    assert status == 200 and html.count('data-testid="clinic-row"') == 2
    status, html = _rows(client, "clinic-diagnosed", cause="market")
    assert status == 200 and html.count('data-testid="clinic-row"') == 1
    status, html = _rows(client, "clinic-open", stage="opened")
    assert status == 200 and html.count('data-testid="clinic-row"') == 1
    assert "آجر تهران" in html
    assert _rows(client, "clinic-open", stage="no-such-stage")[0] == 404


def test_the_rows_page_tells_the_date_and_the_figure_in_persian(
    story: Story, client_for: Any, national_admin: Any
) -> None:
    status, html = _rows(client_for(national_admin), "clinic-jobs")
    assert status == 200
    assert format_date(LAST) in html  # Persian digits
    assert "۴۰" in html  # the jobs restored
    assert Indicator.objects.get(key="clinic-jobs").definition in html


# --- who sees which rows -----------------------------------------------------------------------
# "full": the page lists rows (those the person may see); "public": the figure and its
# definition only — the public sees aggregate figures, never a case; "404": no such figure
# or place. What each role finds in the list is tested below.

ROWS = ("clinic-revived", "clinic-candidates", "no-such-indicator", "units")
_STAFF = ("full", "full", "404", "404")
_OTHERS = ("public", "full", "404", "404")
ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "clinic_rows": {
            "GET": {
                who: dict(zip(ROWS, outcomes, strict=True))
                for who, outcomes in {
                    "national_admin": _STAFF,
                    "officer_a": _STAFF,
                    "officer_b": _STAFF,
                    "park_manager": _OTHERS,
                    "owner": _OTHERS,
                    "cluster_agent": _OTHERS,
                    "anonymous": _OTHERS,
                }.items()
            }
        }
    }
)
assert set(ACCESS["clinic_rows"]["GET"]) == set(PEOPLE)


@pytest.mark.parametrize(
    ("who", "target", "outcome"),
    [
        (who, target, outcome)
        for who, row in ACCESS["clinic_rows"]["GET"].items()
        for target, outcome in row.items()
    ],
)
def test_every_role_gets_what_the_table_says_on_the_clinic_rows(
    story: Story, user_of: Any, client_for: Any, who: str, target: str, outcome: str
) -> None:
    status, html = _rows(client_for(user_of(who)), target)
    if outcome == "404":
        assert status == 404
        return
    assert status == 200
    assert 'data-testid="clinic-figure"' in html
    assert ('data-testid="not-listed"' in html) is (outcome == "public")
    assert ('data-testid="rows-count"' in html) is (outcome == "full")


# Which of the year's revived cases (c1, c2: Qom's, assigned to the consultant) and open
# cases (c3, c4: Tehran's; c3's assignee dropped at the transfer) each person finds listed.
LISTED = {
    "national_admin": ({"c1", "c2"}, {"c3", "c4"}),
    "officer_a": ({"c1", "c2"}, set()),
    "officer_b": (set(), {"c3", "c4"}),
    "consultant": ({"c1", "c2"}, set()),
    "owner": (None, None),
    "anonymous": (None, None),
}


@pytest.mark.parametrize("who", list(LISTED))
def test_the_cases_listed_are_those_the_person_keeps(
    story: Story, user_of: Any, consultant: Any, client_for: Any, who: str
) -> None:
    user = consultant if who == "consultant" else user_of(who)
    client = client_for(user)
    names = {"c1": "ریسندگی خاموش", "c2": "لبنیات راکد", "c3": "چاپ نیمه‌جان", "c4": "آجر تهران"}
    for key, want in zip(("clinic-revived", "clinic-open"), LISTED[who], strict=True):
        status, html = _rows(client, key)
        assert status == 200
        if want is None:
            assert 'data-testid="not-listed"' in html
            assert not any(name in html for name in names.values())
            continue
        found = {c for c, name in names.items() if name in html}
        assert found == want, (who, key)


def test_a_province_or_park_that_does_not_exist_is_not_found(
    story: Story, client_for: Any, national_admin: Any
) -> None:
    client = client_for(national_admin)
    assert _rows(client, "clinic-open", province="IR-99")[0] == 404
    assert _rows(client, "clinic-open", park="999999999")[0] == 404
    assert _rows(client, "clinic-open", park="x")[0] == 404


def test_an_officer_of_another_province_gets_no_row_of_it(
    story: Story, client_for: Any, officer_b: Any
) -> None:
    as_of = format_date(LAST, persian_digits=False)
    response = client_for(officer_b).get(
        reverse("clinic_rows", args=["clinic-revived"]), {"as_of": as_of, "province": "IR-25"}
    )
    assert response.status_code == 200
    assert 'data-testid="clinic-row"' not in page(response)
    assert response.context["figure"] == 2  # the figure itself is Qom's, and public
    assert response.context["page"].paginator.count == 0
