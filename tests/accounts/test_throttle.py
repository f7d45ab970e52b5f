"""The rate limits on the expensive pages (``accounts.throttle``): downloads and the rows
behind a figure, per person when logged in, else per address (the real client's behind a
trusted proxy). Over the limit: 429, ``Retry-After`` and the Persian message; anyone else
is served as before."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from accounts import throttle

LIMITS = {"exports": {"person": 3, "address": 2}, "rows": {"person": 3, "address": 2}}
DOWNLOAD = "/?export=csv"
ROWS = "/indicators/units-active/rows/"
MESSAGE = "در مدت کوتاهی درخواست‌های زیادی"


@pytest.fixture(autouse=True)
def _small_limits(settings: Any, db: None, monkeypatch: Any) -> None:
    settings.PISHRAN_RATE_LIMITS_ENABLED = True
    settings.PISHRAN_RATE_LIMITS = LIMITS
    settings.PISHRAN_RATE_WINDOW_SECONDS = 600
    # The clock stands 100 s into a window: a test never straddles two (a new window would
    # start the counts again).
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: 600 * 2_000_000 + 100.0))


def _statuses(client: Client, url: str, times: int, **extra: Any) -> list[int]:
    return [client.get(url, **extra).status_code for _ in range(times)]


def _refused(response: Any) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == "500"  # the rest of the window
    text = response.content.decode()
    assert MESSAGE in text
    assert "لطفاً ۹ دقیقهٔ دیگر دوباره تلاش کنید" in text


@pytest.mark.parametrize("url", [DOWNLOAD, ROWS])
def test_an_address_over_the_limit_is_told_to_wait_and_another_address_is_served(
    reference: Any, url: str
) -> None:
    first, second = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")

    assert _statuses(first, url, 2) == [200, 200]
    _refused(first.get(url))
    assert second.get(url).status_code == 200


def test_a_person_is_counted_as_themself_and_another_person_is_served(
    client_for: Any, national_admin: Any, officer_a: Any
) -> None:
    admin, officer = client_for(national_admin), client_for(officer_a)  # the same address

    assert _statuses(admin, DOWNLOAD, 3) == [200, 200, 200]
    _refused(admin.get(DOWNLOAD))
    assert officer.get(DOWNLOAD).status_code == 200
    assert Client().get(DOWNLOAD).status_code == 200  # the public at that address too


def test_the_pages_themselves_are_not_counted(reference: Any) -> None:
    client = Client(REMOTE_ADDR="192.0.2.1")

    assert _statuses(client, "/", 4) == [200] * 4
    assert _statuses(client, DOWNLOAD, 2) == [200, 200]
    assert client.get("/").status_code == 200  # over the download limit, the page still shows


def test_downloads_and_rows_are_counted_apart(reference: Any) -> None:
    client = Client(REMOTE_ADDR="192.0.2.1")

    assert _statuses(client, DOWNLOAD, 3) == [200, 200, 429]
    assert client.get(ROWS).status_code == 200


def test_behind_a_trusted_proxy_each_client_is_counted_by_its_own_address(
    reference: Any, settings: Any
) -> None:
    settings.PISHRAN_TRUSTED_PROXIES = ["127.0.0.1"]
    proxy = Client(REMOTE_ADDR="127.0.0.1")

    assert _statuses(proxy, ROWS, 3, HTTP_X_FORWARDED_FOR="198.51.100.7") == [200, 200, 429]
    assert proxy.get(ROWS, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200
    # A client cannot escape by writing the header itself: only the proxy's last hop counts.
    forged = "203.0.113.1, 198.51.100.7"
    assert proxy.get(ROWS, HTTP_X_FORWARDED_FOR=forged).status_code == 429


def test_the_reports_pdf_and_the_directorys_download_are_limited(reference: Any) -> None:
    client = Client(REMOTE_ADDR="192.0.2.1")

    client.get("/enterprises/?export=csv")
    client.get("/provinces/IR-25/report/?export=pdf")
    _refused(client.get("/enterprises/?export=csv"))
    _refused(client.get("/provinces/IR-25/report/?export=pdf"))


def test_switched_off_nothing_is_counted(reference: Any, settings: Any) -> None:
    settings.PISHRAN_RATE_LIMITS_ENABLED = False
    client = Client(REMOTE_ADDR="192.0.2.1")

    assert _statuses(client, ROWS, 4) == [200] * 4


def test_with_the_cache_unreachable_the_page_is_served(reference: Any, monkeypatch: Any) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "add", down)
    client = Client(REMOTE_ADDR="192.0.2.1")

    assert _statuses(client, ROWS, 4) == [200] * 4
