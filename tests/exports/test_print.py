"""Every page prints on A4 without its navigation and buttons (static/css/print.css)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_every_page_links_the_print_stylesheet_for_print_only(client, db) -> None:
    html = client.get(reverse("enterprise_directory")).content.decode()

    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html


def test_the_print_stylesheet_sets_a4_persian_page_numbers_and_hides_controls() -> None:
    css = Path(finders.find("css/print.css")).read_text(encoding="utf-8")

    assert "size: A4" in css
    assert "counter(page, persian)" in css
    hidden = css[css.index("@media print") : css.index("display: none")]
    for selector in (".navbar", ".no-print", ".btn", "form"):
        assert selector in hidden
