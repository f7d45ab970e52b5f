"""The API's own OpenAPI description, fuzzed (schemathesis): for every operation it
describes, requests drawn from the description — valid and invalid parameters alike —
sent through Django's WSGI application with a national administrator's read-write token
(so every route answers from rows, not a 404 for the public, and the writes are tried
too: registering units, editing profiles, recording status changes), never get a server
error.

Each operation draws ``FUZZ_EXAMPLES`` requests (the suite stays within two minutes on
two cores); the near misses the parsers must refuse are in test_fuzz.py."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.main import api
from tests.api.conftest import make_token

# More for a deeper search by hand: PISHRAN_FUZZ_EXAMPLES=500 pytest tests/api/test_schemathesis.py
FUZZ_EXAMPLES = int(os.environ.get("PISHRAN_FUZZ_EXAMPLES", "30"))

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()


@pytest.fixture
def token(  # type: ignore[no-untyped-def]
    settings, national_admin, registry, clusters, clinic, consortia, finance
) -> Iterator[str]:
    """A national administrator's read-write token, over a registry with units, clusters, clinic
    cases, referrals and consortia; the WSGI handler kept from closing the test's
    connection after each request (as Django's test client does)."""
    from indicators.catalogue import load_indicators

    settings.PISHRAN_RATE_LIMITS_ENABLED = False
    load_indicators()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield make_token(national_admin, "read_write")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_no_request_the_description_allows_or_refuses_makes_a_server_error(case, token) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
    )
