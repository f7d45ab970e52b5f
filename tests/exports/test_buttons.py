"""The download buttons: links that keep the page's filters and add ``export=<fmt>``."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from django.template import Context, Template
from django.test import RequestFactory


def render(query: str, include: str) -> str:
    request = RequestFactory().get("/enterprises/" + query)
    template = Template("{% load i18n %}" + include)
    return template.render(Context({"request": request}))


def links(html: str) -> dict[str, dict[str, list[str]]]:
    """{format: the GET parameters of its link} for every download link, in order."""
    found = {}
    for tag in re.findall(r"<a [^>]*>", html):
        href = unescape(re.search(r'href="([^"]*)"', tag).group(1))  # type: ignore[union-attr]
        fmt = re.search(r'data-export="(\w+)"', tag).group(1)  # type: ignore[union-attr]
        found[fmt] = parse_qs(urlsplit(href).query)
    return found


def test_each_format_links_to_the_page_with_its_filters_and_export() -> None:
    html = render(
        "?q=%D9%84%D9%88%D9%84%D9%87&province=IR-25&kb=1",
        '{% include "exports/buttons.html" with formats="xlsx,csv" %}',
    )

    found = links(html)
    assert list(found) == ["xlsx", "csv"]
    for fmt, params in found.items():
        assert params == {"q": ["لوله"], "province": ["IR-25"], "kb": ["1"], "export": [fmt]}


def test_a_previous_export_parameter_is_replaced_not_repeated() -> None:
    html = render(
        "?export=csv&status=active", '{% include "exports/buttons.html" with formats="xlsx" %}'
    )

    assert links(html) == {"xlsx": {"export": ["xlsx"], "status": ["active"]}}


def test_a_pdf_link_is_offered_when_the_page_has_a_report() -> None:
    html = render(
        "?province=IR-25",
        '{% include "exports/buttons.html" with formats="csv" pdf_url="/provinces/IR-25/report.pdf" %}',
    )

    assert 'href="/provinces/IR-25/report.pdf"' in html
    assert list(links(html)) == ["csv", "pdf"]


def test_without_formats_it_offers_xlsx_and_csv_and_unknown_names_are_ignored() -> None:
    assert list(links(render("", '{% include "exports/buttons.html" %}'))) == ["xlsx", "csv"]
    html = render("", '{% include "exports/buttons.html" with formats="csv, exe" %}')
    assert list(links(html)) == ["csv"]


def test_the_buttons_are_hidden_on_paper() -> None:
    html = render("", '{% include "exports/buttons.html" %}')

    assert "no-print" in html
