"""What people see when the server fails (the database down, a bug): a Persian page, no
traceback, no setting or query; status 500."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.fixture
def failing_home(monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: object) -> None:
        raise OperationalError('connection to server at "10.1.2.3" failed: password for "pishran"')

    monkeypatch.setattr("indicators.views._ranking", down)


def test_a_failure_answers_the_persian_error_page_without_a_traceback(
    failing_home, settings, db
) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/")

    assert response.status_code == 500
    html = response.content.decode()
    assert 'data-testid="server-error"' in html and 'dir="rtl"' in html
    assert "مشکلی" in html  # the Persian message
    assert "Traceback" not in html and "10.1.2.3" not in html and 'pishran"' not in html
