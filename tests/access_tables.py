"""The access tables' shared vocabulary, and the person with two grants.

Every page's policy is a table ``ACCESS[route][method][person][target] -> outcome`` in the
test module of its app (``tests/<app>/test_*.py``); ``tests/test_every_route_is_covered.py``
finds them all. Besides one person per role, every table has a row for a person holding
two grants, ``TWO_GRANTS``: provincial officer of Tehran *and* manager of park P in Qom.
A person's scope is the union of their grants, so by default their outcome on each target
is the better of the two roles' outcomes (``with_two_grants``); a table states the row
itself where "better" has no meaning (a redirect to one page or another).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from functools import cache
from typing import Any

from django.urls import URLPattern, URLResolver

ROLES = (
    "national_admin", "officer_a", "officer_b", "park_manager", "owner", "cluster_agent",
    "anonymous",
)  # fmt: skip
TWO_GRANTS = "officer_b_and_park_manager"
HELD = ("officer_b", "park_manager")
PEOPLE = (*ROLES, TWO_GRANTS)

# People who hold only another app's role — a bank's officer, an adviser firm's staff, a
# consortium's promoter, a clinic consultant (fixtures in tests/conftest.py): on the pages
# of an app that gives their role nothing, they get what a person given nothing there gets
# (``with_app_roles``).
APP_ROLES = ("bank_officer", "market_adviser", "consortium_promoter", "clinic_consultant")

# How much of a page an outcome gives: the union of two grants gets the larger.
RANK = {
    "404": 0, "refused": 1, "public": 2, "page": 3, "full": 4, "done": 4, "created": 4, "file": 4,
}  # fmt: skip


def union(first: str, second: str) -> str:
    if first == second:
        return first
    if "404" in (first, second):  # whatever the other grant opens, it opens
        return second if first == "404" else first
    if first in RANK and second in RANK and RANK[first] != RANK[second]:
        return first if RANK[first] > RANK[second] else second
    raise ValueError(f"no union of outcomes {first!r} and {second!r}: state the row")


Access = dict[str, dict[str, dict[str, dict[str, str]]]]


def with_two_grants(access: Access) -> Access:
    """``access`` with the two-grant person's row added wherever it is not stated."""
    out: Access = {}
    for route, methods in access.items():
        out[route] = {}
        for method, table in methods.items():
            table = dict(table)
            if TWO_GRANTS not in table:
                a, b = (table[name] for name in HELD)
                table[TWO_GRANTS] = {t: union(a[t], b[t]) for t in a}
            out[route][method] = table
    return out


def cases(access: Access, pytest: Any) -> list[Any]:
    return [
        pytest.param(route, method, who, target, outcome, id=f"{route}-{method}-{who}-{target}")
        for route, methods in access.items()
        for method, table in methods.items()
        for who, row in table.items()
        for target, outcome in row.items()
    ]


SKIPPED = ("admin/", "i18n/", "static/", "media/")


@cache
def access_tables() -> dict[str, dict]:
    """{module: ACCESS} for every test module that declares an access table."""
    found = {}
    import tests

    for info in pkgutil.walk_packages(tests.__path__, "tests."):
        if not info.name.rsplit(".", 1)[-1].startswith("test_") or ".browser." in info.name:
            continue
        module = importlib.import_module(info.name)
        table = getattr(module, "ACCESS", None)
        if isinstance(table, dict):
            found[info.name] = table
    return found


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


def table(
    columns: tuple[str, ...], rows: dict[str, tuple[str, ...]], people: tuple[str, ...]
) -> dict[str, dict[str, str]]:
    """One policy table: ``rows[person]`` gives the outcome for each of ``columns``; every
    one of ``people`` (the suite's roles and the app's own, a consultant, a bank officer)
    must have a row."""
    assert set(rows) == set(people), sorted(set(rows) ^ set(people))
    return {who: dict(zip(columns, row, strict=True)) for who, row in rows.items()}


def as_get(post: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The GET of a form whose POST the table describes: its page where the POST is done."""
    return {r: {t: "page" if o == "done" else o for t, o in row.items()} for r, row in post.items()}


def with_app_roles(access: Access, like: str) -> Access:
    """``access`` with a row for each of ``APP_ROLES`` wherever it is not stated: what
    ``like`` (a person whose role gives nothing on these pages) gets."""
    out: Access = {}
    for route, methods in access.items():
        out[route] = {}
        for method, table in methods.items():
            table = dict(table)
            for person in APP_ROLES:
                table.setdefault(person, dict(table[like]))
            out[route][method] = table
    return out
