"""English pages carry no Persian in their furniture (issue 20, item 9): the English texts
(the catalogue's msgids) and the templates hold no Persian letter, digit or punctuation, and
what the code joins or signs follows the page's language. Persian data (a unit's name) stays
as it was written; the browser walk of tests/browser/test_phone.py checks the other way round
(no English word on a Persian page)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from ops.exports import start_directory_export
from tests.views_helpers import page

ROOT = Path(settings.BASE_DIR)
# Persian and Arabic letters and digits, and the Persian punctuation and signs: ، ؛ ؟ ٪ ٫ ٬ « ».
PERSIAN = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff«»]")


def _english_texts() -> list[str]:
    mo = ROOT / "locale" / "fa" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    return [msgid for msgid in catalogue._catalog if isinstance(msgid, str) and msgid]  # type: ignore[attr-defined]


def test_no_english_text_of_the_catalogue_holds_persian() -> None:
    texts = _english_texts()
    assert len(texts) > 1000  # the whole catalogue was read
    leftovers = [t for t in texts if PERSIAN.search(t)]
    assert leftovers == []


def _templates() -> list[Path]:
    found = list((ROOT / "templates").rglob("*.*"))
    for app in ROOT.iterdir():
        if (app / "templates").is_dir() and app.name not in {".venv", "var", "static"}:
            found += (app / "templates").rglob("*.*")
    return [p for p in found if p.suffix in {".html", ".txt", ".xml"}]


def test_no_template_writes_persian_outside_the_catalogue() -> None:
    templates = _templates()
    assert len(templates) > 50
    comment = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)
    leftovers = [
        f"{path.relative_to(ROOT)}: {match.group(0)!r}"
        for path in templates
        for match in [PERSIAN.search(comment.sub("", path.read_text(encoding="utf-8")))]
        if match
    ]
    assert leftovers == []


def _in(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("language", "shown"), [("en", ">40%<"), ("fa", ">۴۰٪<")])
def test_a_downloads_progress_is_written_with_the_pages_percent_sign(
    reference, officer_a, client_for, settings, tmp_path, language, shown
) -> None:
    settings.MEDIA_ROOT = tmp_path
    job = start_directory_export(officer_a, {})
    job.rows_total, job.rows_done = 10, 4
    job.save(update_fields=["rows_total", "rows_done"])
    html = page(_in(client_for(officer_a), language).get(reverse("export_job", args=[job.pk])))
    assert shown in html
