"""Every kind of page meets WCAG 2.1 A and AA as far as a rule engine can tell: axe-core
(vendored for the tests, ``tests/browser/vendor/axe-core``, never served) runs on each page,
as an anonymous visitor and as a national administrator, at a desktop's and a phone's width,
in Persian and in English, and the test fails on any violation, naming the page, the rule
and the elements.

One browser, one live server and one set of data for the whole walk: each (person,
language) is a test, walking every page at both widths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from accounts.models import Role
from enterprises.models import Status
from tests.factories import make_cluster, make_enterprise, make_user

from .test_journeys_registry import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (1280, 390)

# Charts and the map are drawn after load (the map fetches its shapes): wait for them, so
# that axe sees what a person sees.
_DRAWN = """() => [...document.querySelectorAll('[data-chart], [data-choropleth]')]
  .every(el => el.dataset.drawn === '1')"""

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' — ' +
                                        (n.failureSummary || '').split('\\n').slice(1, 2).join('')),
    count: v.nodes.length,
  }));
}"""


class Site:
    """The data every page kind needs: a published unit in a park, a published cluster,
    and (for the administrator) a person to show."""

    def __init__(self, reference) -> None:  # type: ignore[no-untyped-def]
        self.unit = make_enterprise(
            park=reference.park_p, name="صنایع غذایی بهار", published=True, employees=120
        )
        make_enterprise(
            province=reference.tehran, name="کاشی تهران", published=True, status=Status.SEMI_ACTIVE
        )
        make_enterprise(park=reference.park_p2, name="پوشاک نگین", published=True)
        self.cluster = make_cluster(name="خوشه کفش قم", province=reference.qom, stage="diagnosis")
        self.officer = make_user(
            Role.PROVINCIAL_OFFICER, province=reference.qom, first_name="مریم", last_name="رضایی"
        )
        self.park = reference.park_p
        self.province = reference.qom.code
        from accounts.models import Grant

        self.officer_grant = Grant.objects.filter(user=self.officer).values_list("pk", flat=True)[0]
        # The support instruments: a clinic case, a finance referral, a capital-market file
        # and a productive-credit certificate.
        from finance.certificates import certificate_issue
        from finance.services import listing_introduce, referral_introduce
        from tests.clinics.conftest import make_consultant, open_case
        from tests.factories import days_ago
        from tests.finance.conftest import bank

        idle = make_enterprise(
            park=reference.park_p,
            name="ریسندگی خاموش",
            status=Status.IDLE,
            status_date=days_ago(400),
        )
        self.case = open_case(idle, assignee=make_consultant(reference.qom), days=60)
        self.referral = referral_introduce(
            actor=None, enterprise=self.unit, bank=bank("melli"), branch="شعبه مرکزی",
            instrument="working_capital", amount_requested=2_000_000_000, date=days_ago(20),
        )  # fmt: skip
        self.listing = listing_introduce(actor=None, enterprise=self.unit, date=days_ago(30))
        self.certificate = certificate_issue(
            actor=None, code="GAM-A11Y", bank=bank("melli"), buyer=self.unit,
            supplier=make_enterprise(province=reference.qom, name="قطعه‌ساز قم"),
            amount=500_000_000, issued_on=days_ago(10), term_months=6,
        )  # fmt: skip
        # An export consortium of three Qom units.
        from tests.consortia.conftest import form, units_in

        self.consortium = form(reference.qom, [self.unit, *units_in(reference.qom, 2)], days=30)


def pages_for(site: Site, staff: bool) -> list[tuple[str, str | Callable]]:  # type: ignore[type-arg]
    """(name, path or a function that brings the page up) of every page kind."""
    public = [
        ("home", "/"),
        ("provinces", "/provinces/"),
        ("province dashboard", f"/provinces/{site.province}/"),
        ("parks", "/parks/"),
        ("parks by province", "/parks/by-province/"),
        ("units by park kind", "/parks/units-by-kind/"),
        ("park dashboard", f"/parks/{site.park.pk}/"),
        ("directory", "/enterprises/"),
        ("directory filtered", f"/enterprises/?province={site.province}"),
        ("unit", f"/enterprises/{site.unit.pk}/"),
        ("clusters", "/clusters/"),
        ("cluster", f"/clusters/{site.cluster.pk}/"),
        ("clusters national", "/clusters/national/"),
        ("stats", "/stats/"),
        ("targets", "/targets/"),
        ("indicators", "/indicators/"),
        ("province report", f"/provinces/{site.province}/report/"),
        ("open data", "/open/"),
        ("not found", "/enterprises/999999999/"),
    ]
    if not staff:
        return [
            *public,
            ("login", "/accounts/login/"),
            ("login failed", failed_login),
            ("password reset", "/accounts/password/reset/"),
        ]
    return [
        *public,
        ("unit edit with errors", lambda page: failed_save(page, site)),
        ("people", "/people/"),
        ("people of a province", f"/people/{site.province}/"),
        ("person", f"/people/person/{site.officer.pk}/"),
        ("unit registration", "/enterprises/new/"),
        ("status change", f"/enterprises/{site.unit.pk}/status/"),
        ("password change", "/accounts/password/"),
        ("park form", "/parks/new/"),
        ("cluster form", "/clusters/new/"),
        ("person form", f"/people/{site.province}/new/"),
        ("grant form", f"/people/person/{site.officer.pk}/grants/new/"),
        ("withdraw form", f"/people/grants/{site.officer_grant}/withdraw/"),
        ("clinic cases", "/clinics/"),
        ("clinic candidates", "/clinics/candidates/"),
        ("clinic case", f"/clinics/cases/{site.case.pk}/"),
        ("clinic diagnosis", f"/clinics/cases/{site.case.pk}/diagnosis/"),
        ("case stage", f"/cases/{site.case.pk}/stage/"),
        ("finance referrals", "/finance/"),
        ("finance referral", f"/finance/referrals/{site.referral.case_id}/"),
        ("bank decision", f"/finance/referrals/{site.referral.case_id}/decision/"),
        ("capital pipeline", "/market/"),
        ("capital file", f"/market/files/{site.listing.case_id}/"),
        ("capital readiness", "/market/readiness/"),
        ("certificates", "/finance/certificates/"),
        ("certificate", f"/finance/certificates/{site.certificate.pk}/"),
        ("certificate chain", f"/finance/chains/{site.unit.pk}/"),
        ("consortia", "/consortia/"),
        ("consortium", f"/consortia/{site.consortium.pk}/"),
        ("consortium form", "/consortia/new/"),
        ("consortium support", f"/consortia/{site.consortium.pk}/support/"),
        ("api tokens", "/api/tokens/"),
        ("api token made", made_token),
    ]


def failed_login(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong")
    page.click("main form button")
    page.wait_for_load_state()


def made_token(page) -> None:  # type: ignore[no-untyped-def]
    """The token page showing a new token's secret (and the token in the list)."""
    page.goto(page.base + "/api/tokens/")
    page.fill("#id_name", "گزارش")
    page.press("#id_name", "Enter")
    page.wait_for_selector("[data-testid=token-secret]")


def failed_save(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    """The unit's edit form after a save refused on two fields."""
    page.goto(page.base + f"/enterprises/{site.unit.pk}/edit/")
    page.fill("#id_name", "")
    page.fill("#id_employees", "-5")
    page.click("main form button.btn-primary")
    page.wait_for_selector("[data-error-summary]")


def violations(page) -> list[dict]:  # type: ignore[type-arg,no-untyped-def]
    page.wait_for_function(_DRAWN)
    return page.evaluate(_RUN, TAGS)


@pytest.fixture
def site(reference, settings, tmp_path) -> Site:  # type: ignore[no-untyped-def]
    built = Site(reference)
    from opendata import snapshots

    settings.MEDIA_ROOT = tmp_path / "media"
    snapshots.build()  # /open/ with its files, figures and links
    return built


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("staff", [False, True], ids=["anonymous", "administrator"])
def test_every_page_kind_meets_wcag_21_aa(browser, live_server, site, staff, language):
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    context.add_init_script(path=str(AXE))  # by the browser itself: the site's CSP allows it
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    if staff:
        admin = make_user(Role.NATIONAL_ADMIN, first_name="سارا", last_name="کریمی", is_staff=True)
        log_in(page, admin.username)

    found = []
    walked = 0
    for name, target in pages_for(site, staff):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            if callable(target):
                target(page)
            else:
                response = page.goto(page.base + target)
                expected = 404 if name == "not found" else 200
                assert response is not None and response.status == expected, f"{name}: {response}"
            assert page.evaluate("document.documentElement.lang") == language
            for v in violations(page):
                found.append(
                    f"{name} @{width}: {v['id']} ({v['impact']}, {v['count']}×) "
                    f"{v['help']}\n      " + "\n      ".join(v["nodes"])
                )
            walked += 1
    context.close()

    assert walked >= 2 * 14
    assert found == [], f"{len(found)} WCAG 2.1 A/AA violations:\n" + "\n".join(found)
