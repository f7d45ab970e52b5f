"""Every GET route, asked with real and malformed values, never answers a server error.

The routes are found by the walk of ``tests/test_every_route_is_covered.py``
(``tests.access_tables.routes``), so a new page is crawled as soon as it exists. Each is
asked:

- with its path parameters filled from a small registry (a unit, a cluster, a person, a
  province…) and with malformed ones its converter still lets through (a number beyond
  64 bits, text with bidirectional controls, a NUL, 10,000 characters);
- with malformed query strings, every parameter any page reads at once: far-future and
  impossible Jalali dates, superscript digits, negative and huge pages, a 10,000-character
  search, a NUL byte, unknown filter values, and every parameter given twice;

as the public, a national administrator and a provincial officer. Any 5xx fails. To stay
fast, the public gets every malformed query on every route and the two staff members every
other one, alternating from route to route, so that each query is still asked by each.
(Found this way on PostgreSQL: a NUL in the people pages' search or province code was a
500, ``DataError``.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.test import Client

import pishran.urls
from accounts.models import Grant
from clusters.models import Document
from clusters.services import action_add
from enterprises.models import StatusEvent
from tests.access_tables import routes
from tests.factories import days_ago

# Every parameter some page reads (the directories' filters and cursors, the figures' date
# and indicator, pagination, the downloads, the login's next).
PARAMS = (
    "as_of", "page", "q", "province", "park", "group", "isic", "size", "status", "kb",
    "exporter", "sort", "after", "before", "indicator", "kind", "ownership", "stage",
    "agent", "year", "next", "tab", "export",
)  # fmt: skip

HUGE = "9" * 30
LONG = "ب" * 10_000
# One malformed value per entry; each query gives it to every parameter at once.
VALUES = (
    "9999/01/01",  # a Jalali year past what datetime holds
    "9377/10/10",  # the last day it does hold
    "1402/13/40",  # no such month or day
    "0000/00/00",
    "garbage",
    "¹⁴⁰²/⁰¹/⁰¹",  # superscript digits: isdigit() says yes, int() agrees
    "\u202e1402/01/01\u202c",  # bidi overrides
    "۱۴۰۲/۰۱/۰۱",  # Persian digits, a valid date
    "-1",
    "0",
    HUGE,
    "abc",
    LONG,
    "a\x00b",
    "' OR 1=1 --",
    "%",
    "١٢٣",  # Arabic-Indic digits
    "xlsx",  # a real download format given to every parameter
)


def _queries() -> list[str]:
    queries = [urlencode(dict.fromkeys(PARAMS, value)) for value in VALUES]
    # Every parameter twice (request.GET.get takes the last; getlist sees both).
    queries.append(urlencode([(name, v) for name in PARAMS for v in ("1", "2")]))
    queries.append(urlencode([(name, v) for name in PARAMS for v in ("IR-25", "\x00")]))
    queries.append("page=-1")
    queries.append(f"page={HUGE}")
    queries.append("as_of=9999/01/01&export=csv")
    queries.append("after=%FF%FE&before=%C0")  # not UTF-8
    return queries


QUERIES = _queries()

# Values for a converter's parameter that the converter still matches.
MALFORMED_PATH = {
    "int": (HUGE, "0", str(2**63)),
    "str": (quote("\u202eIR-25\u202c"), quote("a\x00b"), quote("ی" * 10_000), "IR-99"),
    "slug": ("x" * 300, "units-active-" + "9" * 40),
    "path": ("..%2F..%2Fetc%2Fpasswd",),
}
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _routes() -> list[tuple[str, str]]:
    return sorted({(route, name) for route, name in routes(pishran.urls.urlpatterns) if name})


# A parameter the dataset does not name (a new app's page): a plain value of its converter.
PLAIN = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def _fill(route: str, values: dict[str, str]) -> str:
    return "/" + PARAM.sub(
        lambda m: values.get(m["name"], PLAIN.get(m["converter"] or "str", "1")), route
    )


def _real_values(name: str, data: dict[str, Any]) -> dict[str, str]:
    """Path parameters of route ``name`` filled with objects of the registry."""
    pk = {
        "cluster": data["cluster"],
        "enterprise": data["enterprise"],
        "park": data["park"],
        "person": data["person"],
        "people": data["person"],
        "grant": data["grant"],
    }
    owner = next((v for k, v in pk.items() if name.startswith(k)), data["enterprise"])
    return {
        "pk": str(owner),
        "event_pk": str(data["event"]),
        "doc_pk": str(data["document"]),
        "item_pk": str(data["item"]),
        "code": "IR-25",
        "key": "units-active",
        "uidb64": "MQ",
        "token": "set-password",
    }


def _malformed_paths(route: str, real: dict[str, str]) -> Iterator[str]:
    """The route with one parameter at a time replaced by each malformed value."""
    for match in PARAM.finditer(route):
        converter = match["converter"] or "str"
        for value in MALFORMED_PATH.get(converter, ()):
            yield _fill(route, {**real, match["name"]: value})


@pytest.fixture
def dataset(registry: Any, clusters: Any, officer_a: Any, national_admin: Any) -> dict[str, Any]:
    item = action_add(
        actor=None,
        cluster=clusters.mine,
        data={
            "title": "آموزش",
            "kind": "training",
            "due_date": days_ago(1),
            "status": "done",
            "progress": 100,
        },
    )
    return {
        "cluster": clusters.mine.pk,
        "enterprise": registry.e.pk,
        "park": registry.e.park_id,
        "person": officer_a.pk,
        "grant": Grant.objects.filter(user=officer_a).values_list("pk", flat=True)[0],
        "event": StatusEvent.objects.filter(enterprise=registry.e).values_list("pk", flat=True)[0],
        "document": Document.objects.values_list("pk", flat=True).first() or 1,
        "item": item.pk,
    }


def _get(client: Client, url: str, failures: list[str], who: str) -> None:
    try:
        response = client.get(url)
    except Exception as error:  # the test client re-raises a view's exception
        failures.append(f"{who} GET {url[:160]!r}: {type(error).__name__}: {error}"[:400])
        return
    if response.status_code >= 500:
        failures.append(f"{who} GET {url[:160]!r}: {response.status_code}")


@pytest.mark.django_db
def test_no_get_route_answers_a_server_error(
    dataset: dict[str, Any], national_admin: Any, officer_a: Any, settings: Any
) -> None:
    settings.PISHRAN_RATE_LIMITS_ENABLED = False  # the crawler asks the downloads many times
    clients = {"anonymous": Client(), "national_admin": Client(), "officer_a": Client()}
    clients["national_admin"].force_login(national_admin)
    clients["officer_a"].force_login(officer_a)
    failures: list[str] = []
    found = _routes()
    assert len(found) > 40, found

    for index, (route, name) in enumerate(found):
        real = _real_values(name, dataset)
        url = _fill(route, real)
        for who, client in clients.items():
            _get(client, url, failures, who)
            # The public: every query; staff: every other one, the odd ones on one route
            # and the even ones on the next.
            step = 1 if who == "anonymous" else 2
            for query in QUERIES[(index % step) :: step]:
                _get(client, f"{url}?{query}", failures, who)
        for bad in _malformed_paths(route, real):
            for who in ("anonymous", "national_admin"):
                _get(clients[who], bad, failures, who)
                _get(clients[who], f"{bad}?{QUERIES[index % len(QUERIES)]}", failures, who)

    assert failures == [], "\n".join(failures)
