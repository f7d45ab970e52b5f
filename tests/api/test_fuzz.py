"""Whatever a caller sends in the query string of any endpoint, the answer is 200 or one of
the API's refusals in its JSON shape — never a server error (hypothesis, drawing the
parameters the OpenAPI description names and a few it does not)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ENDPOINTS = (
    "/api/v1/parks",
    "/api/v1/parks/1",
    "/api/v1/enterprises",
    "/api/v1/enterprises/1",
    "/api/v1/indicators",
    "/api/v1/indicators/units/figure",
    "/api/v1/changes",
    "/api/v1/clusters",
    "/api/v1/clusters/1",
    "/api/v1/cases",
    "/api/v1/cases/1",
    "/api/v1/consortia",
    "/api/v1/consortia/1",
)
PARAMS = (
    "q", "province", "park", "status", "as_of", "cursor", "limit", "breakdown", "by_province",
    "kinds", "type", "stage", "open", "enterprise", "cluster", "market", "other",
)  # fmt: skip

# Text a caller could send: anything, and the near misses the parsers must refuse.
NEAR_MISSES = st.sampled_from(
    [
        "", "0", "-1", str(2**63), str(2**64), "1e9", "١٢", "۱۴۰۳-۰۵-۱۲", "1403/12/30",
        "2024-02-29", "9377-12-30", "9999-12-31", "0001-01-01", "1600-01-01", "1599-12-30",
        "IR-25", "ir-25", "active", "ACTIVE", "aWQ6MQ", "aWQ6LTE", "\x00", "‏1403-05-12",
        "x" * 5000, "كيك", "١٤٠٣-٠٥-١٢", "²⁰²⁴-⁰⁸-⁰²",
    ]
)  # fmt: skip
VALUES = st.one_of(NEAR_MISSES, st.text(max_size=60))
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def public(client, registry, settings):  # type: ignore[no-untyped-def]
    from indicators.catalogue import load_indicators

    settings.PISHRAN_RATE_LIMITS_ENABLED = False
    load_indicators()  # the figures' endpoint answers for a known indicator
    return client


@FUZZ
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    params=st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=4),
)
def test_no_query_string_makes_a_server_error(public, endpoint, params) -> None:  # type: ignore[no-untyped-def]
    response = public.get(endpoint, params)

    assert response.status_code in {200, 404, 422}, (params, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    if response.status_code != 200:
        assert response.json()["code"] in {
            "not_found",
            "invalid_input",
            "invalid_date",
            "invalid_filter",
            "invalid_cursor",
            "invalid_place",
            "invalid_breakdown",
        }
