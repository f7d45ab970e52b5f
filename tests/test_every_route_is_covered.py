"""Every page has a line in an access table.

Walks ``pishran.urls`` (through every ``include``, leaving out Django's admin, the
language switch and static/media files) and checks that each named route has an entry in
one of the access tables, for every person — so a new page without an access policy fails
the suite until someone writes down who may open it.

The tables are found, not listed: every ``ACCESS`` dict in a test module under ``tests/``
(``tests/<app>/test_*.py``) is one, so a new app's table counts as soon as it exists."""

from __future__ import annotations

import pishran.urls
from tests.access_tables import PEOPLE, TWO_GRANTS, access_tables, routes

TABLES = access_tables()


def covered() -> dict[str, str]:
    return {name: where for where, table in TABLES.items() for name in table}


def test_the_tables_of_every_app_are_found() -> None:
    assert {
        "tests.enterprises.test_views_access",
        "tests.clusters.test_views_access",
        "tests.indicators.test_views_pages",
        "tests.accounts.test_views_login",
        "tests.ops.test_health",
        "tests.people.test_views_people",
    } <= TABLES.keys()


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


def test_every_entry_says_what_each_person_gets_the_one_with_two_grants_included() -> None:
    assert TWO_GRANTS in PEOPLE
    incomplete = [
        f"{where}: {name} {method}"
        for where, table in TABLES.items()
        for name, methods in table.items()
        for method, by_role in methods.items()
        # A table may add the people of its own app (a clinic consultant, a bank officer).
        if not set(PEOPLE) <= set(by_role) or not all(by_role.values())
    ]

    assert incomplete == []
