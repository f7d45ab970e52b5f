"""Every page has a line in an access table.

Walks ``pishran.urls`` (through every ``include``, leaving out Django's admin, the
language switch and static/media files) and checks that each named route has an entry in
one of the access tables of the view tests, for every role — so a new page without an
access policy fails the suite until someone writes down who may open it."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver

import pishran.urls
from tests.accounts.test_views_login import ACCESS as ACCOUNTS_ACCESS
from tests.accounts.test_views_people import ACCESS as PEOPLE_ACCESS
from tests.clusters.test_views_access import ACCESS as CLUSTERS_ACCESS
from tests.enterprises.test_views_access import ACCESS as ENTERPRISES_ACCESS
from tests.enterprises.test_views_access import ROLES
from tests.indicators.test_views_pages import ACCESS as PAGES_ACCESS
from tests.ops.test_health import ACCESS as OPS_ACCESS

SKIPPED = ("admin/", "i18n/", "static/", "media/")
TABLES = {
    "tests/enterprises/test_views_access.py": ENTERPRISES_ACCESS,
    "tests/indicators/test_views_pages.py": PAGES_ACCESS,
    "tests/accounts/test_views_login.py": ACCOUNTS_ACCESS,
    "tests/ops/test_health.py": OPS_ACCESS,
    "tests/clusters/test_views_access.py": CLUSTERS_ACCESS,
    "tests/accounts/test_views_people.py": PEOPLE_ACCESS,
}


def routes(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(route, name) for every URL pattern below ``patterns``, names with namespaces."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(SKIPPED):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}" if pattern.name else ""


def covered() -> dict[str, str]:
    return {name: where for where, table in TABLES.items() for name in table}


def test_every_page_has_a_name() -> None:
    unnamed = [route for route, name in routes(pishran.urls.urlpatterns) if not name]

    assert unnamed == []


def test_every_named_route_has_an_entry_in_an_access_table() -> None:
    names = {name for _, name in routes(pishran.urls.urlpatterns) if name}
    assert "enterprise_detail" in names and "park_edit" in names  # the walk reaches includes

    missing = sorted(names - covered().keys())

    assert missing == [], f"routes without an access policy: {missing}"


def test_every_access_table_entry_is_a_route_that_exists() -> None:
    names = {name for _, name in routes(pishran.urls.urlpatterns) if name}

    assert sorted(covered().keys() - names) == []


def test_every_entry_says_what_each_role_gets() -> None:
    incomplete = [
        f"{where}: {name} {method}"
        for where, table in TABLES.items()
        for name, methods in table.items()
        for method, by_role in methods.items()
        if set(by_role) != set(ROLES) or not all(by_role.values())
    ]

    assert incomplete == []
