"""Every page works on a 390 px phone (issue 20, item 7), and numbers are typed in Persian
digits in real forms (item 8).

At 390×844, as an anonymous visitor and as a national administrator, each main page must:
not be wider than the screen (no sideways scrolling of the page); show every number on one
line (a headline figure, a count in a table); let a wide table be scrolled in its own box to
its last column while its first (name) column stays in view; draw its chart with labels that
do not overlap; and show no English word (an untranslated label, a code for an action) on
the Persian page (item 9)."""

from __future__ import annotations

import re

import pytest

from accounts.models import Role
from enterprises.models import Enterprise
from tests.factories import PASSWORD, make_user

from .conftest import screenshot
from .test_accessibility import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# The page is no wider than the screen.
_PAGE_OVERFLOW = """() => {
  const root = document.scrollingElement;
  if (root.scrollWidth <= window.innerWidth) return null;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width && (r.left < -1 || r.right > window.innerWidth + 1)
      && !el.closest('.table-responsive, .ranking-scroll, .visually-hidden, .visually-hidden-focusable');
  }).slice(0, 4).map(el => el.tagName.toLowerCase() + '.' + String(el.className).split(' ')[0]
                         + ' ' + (el.textContent || '').trim().slice(0, 30));
  return {scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, wide};
}"""

# Numbers set on more than one line: a headline figure or a number cell whose text has
# more than one line box.
_WRAPPED_NUMBERS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('.stat-value, .num, td.text-end')) {
    if (!el.getClientRects().length || !/[0-9۰-۹]/.test(el.textContent)) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                         .map(r => Math.round(r.top)));
    if (tops.size > 1) found.push(el.textContent.trim().slice(0, 40));
  }
  return found;
}"""

# Every wide table's box scrolls to its last column, and the first column stays in view.
_TABLES = """async () => {
  const problems = [];
  let wide = 0;
  for (const box of document.querySelectorAll('.table-responsive')) {
    const table = box.querySelector('table');
    if (!table || !box.getClientRects().length || box.closest('details:not([open])')) continue;
    if (box.scrollWidth <= box.clientWidth + 1) continue;
    wide += 1;
    // The row with the most cells (not a "nothing yet" row spanning the table).
    const row = [...table.rows].reduce((a, b) => (b.cells.length > a.cells.length ? b : a));
    const first = row.firstElementChild, last = row.lastElementChild;
    const rtl = getComputedStyle(box).direction === 'rtl';
    box.scrollLeft = rtl ? -box.scrollWidth : box.scrollWidth;
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const b = box.getBoundingClientRect(), l = last.getBoundingClientRect(),
          f = first.getBoundingClientRect();
    const name = (table.querySelector('caption, th') || table).textContent.trim().slice(0, 30);
    if (Math.abs(box.scrollLeft) < 1) problems.push(name + ': its box does not scroll');
    if (l.left < b.left - 1 || l.right > b.right + 1) problems.push(name + ': last column not reached');
    if (f.left < b.left - 1 || f.right > b.right + 1) problems.push(name + ': first column scrolled away');
    box.scrollLeft = 0;
  }
  return {wide, problems};
}"""

# The chart's labels (SVG text) do not overlap one another.
_CHART_LABELS = """() => {
  const found = [];
  for (const chart of document.querySelectorAll('[data-chart]')) {
    const boxes = [...chart.querySelectorAll('svg text')]
      .filter(t => t.textContent.trim() && t.getBoundingClientRect().width)
      .map(t => ({t: t.textContent.trim(), r: t.getBoundingClientRect()}));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r, b = boxes[j].r;
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 2 && y > 2) found.push(boxes[i].t + ' × ' + boxes[j].t);
      }
    const r = chart.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 || r.left < -1) found.push('chart wider than the screen');
  }
  return found;
}"""

# English words shown on a Persian page: in its text (outside left-to-right islands: codes,
# addresses, e-mail) and in the labels read out or shown on hover.
_LATIN_WORDS = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style, template, [dir=ltr], .ltr, code, kbd')) continue;
    found.push(...(n.textContent.match(/[A-Za-z][A-Za-z_-]+/g) || []));
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
    for (const a of ['aria-label', 'placeholder', 'title']) {
      found.push(...((el.getAttribute(a) || '').replace(/\u2068[^\u2069]*\u2069/g, '')
                     .match(/[A-Za-z][A-Za-z_-]+/g) || []));
    }
  }
  return [...new Set(found)];
}"""
# Names that are written in Latin in Persian too.
LATIN_NAMES = {"API", "CSV", "XLSX", "Excel", "PDF", "ISIC", "ICT", "OpenStreetMap", "ODbL"}
# Test data: after another test's flush, tests.finance.conftest.bank names the bank «بانک melli».
LATIN_NAMES |= {"melli"}
# The open-data page describes its files for programmers (field names, queries, formats,
# standards): its Latin words are not checked, its layout is.
LATIN_NOT_CHECKED = {"/open/"}

_DRAWN = """() => [...document.querySelectorAll('[data-chart], [data-choropleth]')]
  .every(el => el.dataset.drawn === '1')"""


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    """As tests.browser.test_journeys_registry.log_in; on a phone the menu (with the person's
    name) is folded away, so the name is only looked for in the page."""
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button")
    page.wait_for_selector("[data-testid=whoami]", state="attached")


def public_pages(site: Site) -> list[str]:
    return [
        "/",
        "/provinces/",
        f"/provinces/{site.province}/",
        "/parks/",
        "/parks/by-province/",
        f"/parks/units-by-kind/?province={site.province}",
        f"/parks/{site.park.pk}/",
        "/enterprises/",
        f"/enterprises/{site.unit.pk}/",
        "/indicators/units/rows/",
        f"/indicators/units/rows/?province={site.province}",
        "/clusters/",
        f"/clusters/{site.cluster.pk}/",
        "/clusters/national/",
        "/stats/",
        "/targets/",
        "/indicators/",
        "/open/",
    ]


def staff_pages(site: Site) -> list[str]:
    return [
        *public_pages(site),
        f"/provinces/{site.province}/report/",
        "/indicators/clinic-open/clinic-rows/",
        "/indicators/finance-referrals/finance-rows/",
        "/clinics/",
        "/clinics/candidates/",
        f"/clinics/cases/{site.case.pk}/",
        "/finance/",
        f"/finance/referrals/{site.referral.case_id}/",
        "/market/",
        "/market/readiness/",
        "/finance/certificates/",
        f"/finance/chains/{site.unit.pk}/",
        "/consortia/",
        f"/consortia/{site.consortium.pk}/",
        "/people/",
        f"/people/person/{site.officer.pk}/",
        f"/enterprises/{site.unit.pk}/edit/",
        "/enterprises/new/",
        "/clusters/new/",
        f"/finance/referrals/{site.referral.case_id}/decision/",
    ]


def walk(page, paths: list[str], allowed: tuple[str, ...] = ()) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    found: list[str] = []
    wide_tables = 0
    for path in paths:
        response = page.goto(page.base + path)
        assert response is not None and response.status == 200, f"{path}: {response}"
        page.wait_for_function(_DRAWN)
        page.evaluate("document.fonts.ready")
        if overflow := page.evaluate(_PAGE_OVERFLOW):
            found.append(f"{path}: the page is wider than the phone: {overflow}")
        if wrapped := page.evaluate(_WRAPPED_NUMBERS):
            found.append(f"{path}: numbers broken over lines: {wrapped[:4]}")
        tables = page.evaluate(_TABLES)
        wide_tables += tables["wide"]
        found += [f"{path}: {p}" for p in tables["problems"]]
        latin = set() if path in LATIN_NOT_CHECKED else set(page.evaluate(_LATIN_WORDS))
        if english := latin - LATIN_NAMES - set(allowed):
            found.append(f"{path}: English on a Persian page: {sorted(english)[:8]}")
        if overlaps := page.evaluate(_CHART_LABELS):
            found.append(f"{path}: chart labels overlap: {overlaps[:4]}")
        screenshot(page, "phone" + re.sub(r"[^a-z0-9]+", "-", path.lower()).rstrip("-"))
    return found, wide_tables


@pytest.fixture
def site(reference) -> Site:  # type: ignore[no-untyped-def]
    return Site(reference)


@pytest.fixture
def phone(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fa-IR", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    yield page
    context.close()


def test_every_public_page_works_on_a_phone(phone, site):
    found, _ = walk(phone, public_pages(site))
    assert found == [], "\n".join(found)


def test_a_headline_figure_in_billions_stays_on_one_line_in_its_card(phone, site):
    """The test data's figures are short; a national figure in rials is not. Written into
    every card of the home page, it stays whole, in its card, and the page stays narrow."""
    phone.goto(phone.base + "/")
    phone.wait_for_function(_DRAWN)
    phone.evaluate(
        # As templates/indicators/_cards.html marks a figure of ten characters or more.
        "document.querySelectorAll('.stat-value').forEach(el => {"
        " el.textContent = '۱۲۳٬۴۵۶٬۷۸۹٬۰۱۲'; el.classList.add('stat-value-long'); })"
    )
    assert phone.evaluate(_WRAPPED_NUMBERS) == []
    assert phone.evaluate(_PAGE_OVERFLOW) is None
    outside = phone.evaluate(
        """() => [...document.querySelectorAll('.stat-value')].filter(el => {
             const card = el.closest('.stat-card').getBoundingClientRect();
             const r = el.getBoundingClientRect();
             return r.left < card.left || r.right > card.right
               || el.scrollWidth > el.clientWidth + 1;  // whole, not scrolled
           }).length"""
    )
    assert outside == 0
    sizes = phone.evaluate(
        "[...document.querySelectorAll('.stat-value')].map(el => parseFloat(getComputedStyle(el).fontSize))"
    )
    assert min(sizes) >= 16  # still a headline, not footnote-sized
    screenshot(phone, "phone-long-figures")


def test_every_page_of_a_national_administrator_works_on_a_phone(phone, site):
    admin = make_user(Role.NATIONAL_ADMIN, first_name="سارا", last_name="کریمی", is_staff=True)
    log_in(phone, admin.username)
    # The certificate's code, as the bank wrote it.
    found, wide_tables = walk(phone, staff_pages(site), allowed=("GAM-A",))
    assert found == [], "\n".join(found)
    # The walk met wide tables (the directory's, the rows pages'), so the scrolling was tried.
    assert wide_tables >= 3


def test_employees_typed_in_persian_digits_are_saved(phone, site):
    admin = make_user(Role.NATIONAL_ADMIN, first_name="سارا", last_name="کریمی", is_staff=True)
    log_in(phone, admin.username)
    phone.goto(phone.base + f"/enterprises/{site.unit.pk}/edit/")
    employees = phone.locator("#id_employees")
    assert employees.get_attribute("type") == "text"
    assert employees.get_attribute("inputmode") == "numeric"
    employees.fill("")
    employees.press_sequentially("۲۲")
    assert employees.input_value() == "۲۲"  # the browser keeps what was typed
    phone.fill("#id_latitude", "۳۴٫۶۴")
    phone.click("main form button.btn-primary")
    phone.wait_for_url(re.compile(rf"/enterprises/{site.unit.pk}/$"))
    unit = Enterprise.objects.get(pk=site.unit.pk)
    assert unit.employees == 22
    assert str(unit.latitude) == "34.64000"


def test_a_word_in_a_number_field_is_refused_in_persian_and_nothing_is_saved(phone, site):
    admin = make_user(Role.NATIONAL_ADMIN, first_name="سارا", last_name="کریمی", is_staff=True)
    log_in(phone, admin.username)
    before = Enterprise.objects.get(pk=site.unit.pk)
    phone.goto(phone.base + f"/enterprises/{site.unit.pk}/edit/")
    phone.fill("#id_name", "نام تازه")
    phone.fill("#id_employees", "۲۲ نفر")
    # The browser's own check (the pattern) stops it first; the server says the same.
    assert phone.evaluate("document.querySelector('#id_employees').validity.patternMismatch")
    phone.evaluate("document.querySelector('main form').noValidate = true")
    phone.click("main form button.btn-primary")
    error = phone.locator("[data-field-error=employees]")
    assert "رقم فارسی یا لاتین" in error.inner_text()
    after = Enterprise.objects.get(pk=site.unit.pk)
    assert (after.name, after.employees) == (before.name, before.employees)


def test_an_amount_in_rials_is_typed_in_persian_digits_and_shown_in_tomans(phone, site):
    admin = make_user(Role.NATIONAL_ADMIN, first_name="سارا", last_name="کریمی", is_staff=True)
    log_in(phone, admin.username)
    phone.goto(phone.base + f"/consortia/{site.consortium.pk}/support/")
    amount = phone.locator("#id_amount")
    amount.press_sequentially("۲۵٬۰۰۰٬۰۰۰")
    assert phone.inner_text("#id_amount + [data-tomans]") == "۲٬۵۰۰٬۰۰۰ تومان"
