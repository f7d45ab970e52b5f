"""The description an integrator starts from, and the docs page under the site's CSP."""

from __future__ import annotations

import re


def test_the_description_is_openapi_3_1_with_the_bearer_scheme_and_the_error_shape(
    client, db
) -> None:
    schema = client.get("/api/v1/openapi.json").json()

    assert schema["openapi"].startswith("3.1")
    assert {"/api/v1/parks", "/api/v1/enterprises", "/api/v1/enterprises/{unit_id}"} <= set(
        schema["paths"]
    )
    params = {p["name"] for p in schema["paths"]["/api/v1/enterprises"]["get"]["parameters"]}
    assert {"q", "province", "park", "status", "as_of", "cursor", "limit"} <= params
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_loads_only_this_sites_files_under_its_csp(client, db) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    html = response.content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # no other host
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    # Every script is a file of this site, or data that no browser runs.
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs, _body in scripts)
    for path in re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html):
        assert client.get(path).status_code == 200, path


def test_the_description_gives_the_error_shape_of_every_refusal(client, db) -> None:
    schema = client.get("/api/v1/openapi.json").json()

    for path in ("/api/v1/parks", "/api/v1/enterprises/{unit_id}"):
        answers = schema["paths"][path]["get"]["responses"]
        assert {"200", "401", "404", "422", "429"} <= set(answers)
        ref = answers["422"]["content"]["application/json"]["schema"]["$ref"]
        error = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        assert {"code", "message", "message_fa", "detail"} <= set(error["properties"])
