"""The statement timeout of web requests on PostgreSQL (``PISHRAN_STATEMENT_TIMEOUT_MS``):
the web processes' connections carry it, management commands' do not, and a request whose
query runs past it answers 503 with the Persian page, not a traceback. PostgreSQL only
(``DATABASE_URL``, as in .ci/run); skipped on SQLite, which has no statement timeout."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a statement timeout is PostgreSQL's"
)

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('SHOW statement_timeout')\n"
    "    print(c.fetchone()[0])\n"
)


@pytest.mark.django_db
def test_a_query_past_the_timeout_answers_503_with_the_persian_page(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.pishran.slow_urls"
    with connection.cursor() as cursor:  # what the web's connections get from OPTIONS
        cursor.execute("SET LOCAL statement_timeout = 200")

    started = time.monotonic()
    response = Client().get("/slow/")

    assert time.monotonic() - started < 4  # cancelled, not slept through
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    text = response.content.decode()
    assert "آماده کردن این صفحه بیش از حد طول کشید" in text
    assert "Traceback" not in text and "pg_sleep" not in text


def _statement_timeout(code: str, *args: str) -> str:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PISHRAN_STATEMENT_TIMEOUT_MS": "1234",
    }
    env.pop("PISHRAN_WEB_PROCESS", None)
    out = subprocess.check_output(
        [sys.executable, *args, code], cwd=ROOT, env=env, text=True, timeout=120
    )
    return out.strip().splitlines()[-1]


@pytest.mark.django_db
def test_the_web_process_has_the_timeout_and_management_commands_do_not() -> None:
    web = _statement_timeout("import pishran.wsgi\n" + SHOW, "-c")
    command = _statement_timeout(SHOW, "manage.py", "shell", "-c")

    assert web == "1234ms"
    assert command == "0"
