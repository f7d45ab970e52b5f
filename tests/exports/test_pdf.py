"""A report as PDF: Persian shaped by WeasyPrint with the vendored Vazirmatn, nothing
fetched from the network."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils.translation import override
from pypdf import PdfReader

from exports.responses import pdf_response
from exports.tables import Column, Table
from persian.text import to_persian_digits

TITLE = "گزارش واحدهای صنعتی استان قم"


def report_context(**extra: Any) -> dict[str, Any]:
    table = Table(
        title="واحدها به تفکیک وضعیت",
        columns=[Column("status", "وضعیت"), Column("n", "تعداد", "int"),
                 Column("share", "سهم", "percent")],
        rows=[{"status": "فعال", "n": 1234, "share": 0.5}, {"status": "راکد", "n": 56, "share": None}],
        filename="qom-report",
    )  # fmt: skip
    return {
        "title": TITLE,
        "as_of": dt.datetime(2025, 3, 20, 10, 35, tzinfo=dt.UTC),
        "filters": [("استان", "قم")],
        "source_url": "/provinces/IR-25/",
        "tables": [table],
        **extra,
    }


def render(context: dict[str, Any], template: str = "exports/pdf_base.html") -> Any:
    request = RequestFactory().get("/provinces/IR-25/report.pdf")
    with override("fa"):
        return pdf_response(request, template, context, "province-IR-25-report")


@pytest.fixture(scope="module")
def response() -> Any:
    return render(report_context())


@pytest.fixture(scope="module")
def reader(response: Any) -> PdfReader:
    return PdfReader(io.BytesIO(response.content))


def test_it_answers_a_pdf_attachment(response: Any) -> None:
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="province-IR-25-report.pdf"'


def test_the_pdf_embeds_vazirmatn(reader: PdfReader) -> None:
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font.get("/FontDescriptor")
                or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            embedded = any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            fonts.add((str(font["/BaseFont"]).split("+")[-1], embedded))

    assert {name for name, _ in fonts} <= {"Vazirmatn", "Vazirmatn-Bold"}
    assert ("Vazirmatn", True) in fonts


def test_the_text_is_persian_in_logical_order(reader: PdfReader) -> None:
    text = reader.pages[0].extract_text()

    assert TITLE in text, text
    assert "واحدها به تفکیک وضعیت" in text
    assert "وضعیت" in text and "فعال" in text and "راکد" in text


def test_numbers_and_dates_are_written_in_persian_digits(reader: PdfReader) -> None:
    text = reader.pages[0].extract_text()

    # Extraction reads a right-to-left line from the right, so runs of digits may come out
    # reversed; the digits themselves are Persian and the Latin ones absent.
    assert "۱۴۰۳" in text or "۳۰۴۱" in text
    assert "1234" not in text and "1403" not in text
    assert "٬" in text  # the Persian thousands separator of ۱٬۲۳۴


def test_pages_are_numbered_in_persian_digits(reader: PdfReader) -> None:
    text = reader.pages[0].extract_text()

    assert "۱ / ۱" in text


def test_the_page_is_a4(reader: PdfReader) -> None:
    box = reader.pages[0].mediabox

    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


def test_nothing_outside_the_static_files_is_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the PDF tried the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    context = report_context(
        title=TITLE,
        filters=[("استان", '<img src="http://example.com/x.png">')],  # escaped: text only
    )

    response = render(context)

    assert response.content.startswith(b"%PDF")


def test_a_long_table_runs_over_several_numbered_pages() -> None:
    context = report_context()
    context["tables"][0].rows = [{"status": f"ردیف {i}", "n": i} for i in range(120)]

    reader = PdfReader(io.BytesIO(render(context).content))

    pages = len(reader.pages)
    assert 3 <= pages <= 9
    n = to_persian_digits(str(pages))
    assert f"{n} / {n}" in reader.pages[-1].extract_text()


@pytest.mark.parametrize(
    "url",
    [
        "http://testserver/static/../pishran/settings.py",
        "http://testserver/static//etc/passwd",
        "http://testserver/static/%2e%2e/pishran/settings.py",
        "http://example.com/x.css",
        "file:///etc/passwd",
    ],
)
def test_the_fetcher_reads_nothing_but_static_files(url: str) -> None:
    from exports.responses import _url_fetcher

    with pytest.raises(ValueError):
        _url_fetcher()(url)


def test_the_fetcher_reads_the_vendored_font() -> None:
    from exports.responses import _url_fetcher

    response = _url_fetcher()(
        "http://testserver/static/vendor/vazirmatn/fonts/Vazirmatn-Variable.woff2"
    )

    assert response.read(4) == b"wOF2"
