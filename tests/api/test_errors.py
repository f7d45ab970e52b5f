"""Every refusal is JSON ``{code, message, message_fa, detail}`` with the right status:
401 for a token that cannot be honoured, 404 outside scope, 422 naming the field, 429 with
Retry-After; malformed input never makes a server error."""

from __future__ import annotations

import pytest

from tests.api.conftest import make_token


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["message"] and body["message_fa"] and body["message"] != body["message_fa"]
    assert "detail" in body
    return body


@pytest.mark.parametrize(
    "header",
    ["Bearer nope", "Bearer ", "Basic dXNlcjpwdw==", "Token pishran_x", "Bearer " + "x" * 5000],
)
def test_a_wrong_or_malformed_token_is_401_not_the_public(client, db, header) -> None:
    response = client.get("/api/v1/parks", headers={"Authorization": header})

    _error(response, 401, "token_invalid")
    assert response["WWW-Authenticate"].startswith("Bearer ")


def test_without_a_token_the_public_reads_what_the_public_sees(call, registry) -> None:
    names = {row["id"] for row in call("/enterprises").json()["results"]}

    assert names == {registry.p_published.pk, registry.tehran_published.pk}


def test_a_missing_row_and_a_hidden_row_answer_the_same_404(call, registry, officer_b) -> None:
    secret = make_token(officer_b)

    hidden = _error(call(f"/enterprises/{registry.e.pk}", secret), 404, "not_found")
    missing = _error(call("/enterprises/999999", secret), 404, "not_found")

    assert hidden == missing
    _error(call("/parks/999999"), 404, "not_found")
    _error(call(f"/enterprises/{2**70}"), 404, "not_found")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "many"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"park": "x"}, "park"),
        ({"park": str(2**80)}, "park"),
        ({"status": "dormant"}, "status"),
        ({"q": "ب" * 500}, "q"),
    ],
)
def test_unreadable_input_is_422_naming_the_field(call, registry, params, field) -> None:
    body = _error(call("/enterprises", **params), 422, "invalid_input")

    assert [entry["field"] for entry in body["detail"]] == [field]


@pytest.mark.parametrize(
    "as_of",
    [
        "yesterday",
        "1401-12-30",
        "2024-02-30",
        "1403-13-01",
        "9999-12-31",
        "0000-01-01",
        "1403-05-12T00:00",
        "²⁰²⁴-08-02",
    ],
)
def test_an_as_of_that_is_not_a_date_is_422_invalid_date(call, registry, as_of) -> None:
    for path in ("/enterprises", f"/enterprises/{registry.p_published.pk}", "/parks", "/parks/1"):
        body = _error(call(path, as_of=as_of), 422, "invalid_date")
        assert body["detail"][0]["field"] == "as_of"


def test_unknown_filters_are_422_invalid_filter(call, registry) -> None:
    assert (
        _error(call("/enterprises", province="IR-99"), 422, "invalid_filter")["detail"][0]["field"]
        == "province"
    )
    _error(call("/enterprises", park="99999"), 422, "invalid_filter")
    _error(call("/parks", province="IR-98"), 422, "invalid_filter")
    for malformed in ("XX", "IR-2\x00", "IR-٢٣"):
        assert (
            _error(call("/parks", province=malformed), 422, "invalid_input")["detail"][0]["field"]
            == "province"
        )


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "aWQ6eA",  # id:x
        "aWQ6",  # id:
        "%%%",
        "aWQ6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",  # id: and 26 nines
        "aWQ6OTk5OTk5OTk5OTk5OTk5OTk5OQ",  # id: and 19 nines: past a 64-bit id
        "aWQ677yZ",  # id: and a fullwidth 9
    ],
)
def test_a_cursor_this_api_did_not_give_is_422_invalid_cursor(call, registry, cursor) -> None:
    _error(call("/enterprises", cursor=cursor), 422, "invalid_cursor")


def test_over_the_rate_a_token_gets_429_with_retry_after(call, officer_b, settings) -> None:
    settings.PISHRAN_API_RATE_PER_TOKEN = "2/min"
    secret = make_token(officer_b)
    other = make_token(officer_b, name="another")

    assert [call("/parks", secret).status_code for _ in range(2)] == [200, 200]
    refused = call("/parks", secret)

    body = _error(refused, 429, "throttled")
    assert 0 < int(refused["Retry-After"]) <= 60 and body["detail"]["retry_after"]
    assert call("/parks", other).status_code == 200  # counted per token


def test_the_public_is_counted_per_address(call, db, settings) -> None:
    settings.PISHRAN_API_RATE_PER_ADDRESS = "1/min"

    assert call("/parks").status_code == 200
    refused = call("/parks")

    _error(refused, 429, "throttled")
    assert int(refused["Retry-After"]) > 0


def test_a_threads_refusal_says_its_own_wait_whatever_another_thread_counted(db, settings) -> None:
    import threading
    from types import SimpleNamespace

    from django.test import RequestFactory

    from api.throttle import CallerThrottle

    settings.PISHRAN_API_RATE_PER_TOKEN = "1/hour"
    settings.PISHRAN_API_RATE_PER_ADDRESS = "5/min"
    throttle = CallerThrottle()  # one object, as ninja keeps it, shared by the threads
    with_token = RequestFactory().get("/api/v1/parks")
    with_token.auth = SimpleNamespace(token=SimpleNamespace(pk=1))  # type: ignore[attr-defined]

    assert throttle.allow_request(with_token) is True
    assert throttle.allow_request(with_token) is False
    public = threading.Thread(
        target=throttle.allow_request, args=(RequestFactory().get("/api/v1/parks"),)
    )
    public.start()
    public.join()

    assert throttle.wait() > 3000  # the token's hour, not the public's minute


def test_a_path_or_method_the_api_does_not_have_answers_in_its_json_shape(client, db) -> None:
    _error(client.get("/api/v1/nothing/here"), 404, "not_found")
    refused = client.post("/api/v1/parks")
    _error(refused, 405, "method_not_allowed")
    assert "GET" in refused["Allow"]


def test_pages_outside_the_api_keep_their_html_error_pages(client, db) -> None:
    response = client.get("/enterprises/999999999/")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
