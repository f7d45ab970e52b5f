"""Real-browser tests: Playwright for Python driving Debian's chromium against the live
test server. Screenshots go to ``test-results/`` (kept by CI as evidence of RTL rendering).

Chromium comes from Debian's package (``/usr/bin/chromium``; ``make test`` and ``.ci/run``
install it through ``scripts/system-packages.sh``);
Playwright's own browser download is not used."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: sudo apt-get install chromium (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# Every visible text node of the page: its element's direction and first font family, the
# families the browser falls back to, and whether Vazirmatn's loaded faces cover the text.
_TEXT_NODES = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('script, style, template, noscript')) continue;
    if (!el.getClientRects().length) continue;  // not rendered (display: none)
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const family = style.fontFamily.split(',')[0].trim().replace(/["']/g, '');
    found.push({
      text: text.slice(0, 60),
      tag: el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''),
      direction: style.direction,
      ltrIsland: !!el.closest('[dir=ltr]'),
      family,
      covered: document.fonts.check(style.fontWeight + ' 16px Vazirmatn', text),
    });
  }
  return found;
}"""


def assert_persian_page(page) -> None:  # type: ignore[no-untyped-def]
    """The page is right-to-left and every piece of text on it is set in Vazirmatn, with the
    font loaded (not a fallback). Fails naming the text that is not: an element rendered
    left-to-right outside an explicit ``dir="ltr"`` island (identifiers, e-mail), an element
    whose font is another family, or text whose Vazirmatn face did not load."""
    assert page.evaluate("document.documentElement.dir") == "rtl", "<html> is not dir=rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.replace(/\"/g,'') === 'Vazirmatn'"
        " && f.status === 'loaded').length"
    )
    assert loaded >= 1, "Vazirmatn did not load: text falls back to another font"
    nodes = page.evaluate(_TEXT_NODES)
    assert nodes, "the page shows no text"
    ltr = [n for n in nodes if n["direction"] != "rtl" and not n["ltrIsland"]]
    other_font = [n for n in nodes if n["family"] != "Vazirmatn"]
    not_loaded = [n for n in nodes if not n["covered"]]
    assert ltr == [], f"{page.url}: text rendered left-to-right: {ltr[:5]}"
    assert other_font == [], f"{page.url}: text in another font: {other_font[:5]}"
    assert not_loaded == [], f"{page.url}: Vazirmatn not loaded for: {not_loaded[:5]}"
