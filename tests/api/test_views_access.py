"""Who may open the API's routes and the token pages: the policy as a table.

The API answers as the token's owner; a person logged in on the site who calls it without
a token is the public there (the API does not read the session), so every API route here
answers everyone with the public's view (its scopes are tested in test_enterprises.py).
The API's own rules per person are the second table, ``TOKEN_ACCESS``: each person calling
with their own token, on targets inside and outside their scope (a row outside it is a 404,
the same as a missing one). The token page is everyone's own: a person sees and revokes only their tokens (``own``);
another's token is a 404 (``theirs``)."""

from __future__ import annotations

import pytest

from api.models import ApiToken
from tests.access_tables import APP_ROLES, PEOPLE, cases, table, with_two_grants
from tests.api.conftest import make_token
from tests.factories import make_user, reload
from tests.views_helpers import is_login_redirect, registry_state

EVERYONE = {who: {"-": "page"} for who in PEOPLE}
NOBODY = {who: {"-": "404"} for who in PEOPLE}  # ninja's root: only names the API's prefix
# A write needs a read-write token: the session is not one (test_writes.py: with tokens).
TOKEN_REQUIRED = {who: {"-": "401"} for who in PEOPLE}
SIGNED_IN = {who: {"-": "login" if who == "anonymous" else "page"} for who in PEOPLE}
REVOKE = {
    who: (
        {"own": "login", "theirs": "login"}
        if who == "anonymous"
        else {"own": "done", "theirs": "404"}
    )
    for who in PEOPLE
}

ACCESS = with_two_grants(
    {
        "api-v1:api-root": {"GET": NOBODY},
        "api-v1:openapi-json": {"GET": EVERYONE},
        "api-v1:openapi-view": {"GET": EVERYONE},
        "api-v1:park_list": {"GET": EVERYONE},
        "api-v1:park_detail": {"GET": EVERYONE},
        "api-v1:enterprise_list": {"GET": EVERYONE},
        "api-v1:enterprise_detail": {"GET": EVERYONE},
        "api-v1:enterprise_create": {"POST": TOKEN_REQUIRED},
        "api-v1:enterprise_edit": {"PATCH": TOKEN_REQUIRED},
        "api-v1:enterprise_status": {"POST": TOKEN_REQUIRED},
        "api-v1:case_stage": {"POST": TOKEN_REQUIRED},
        "api-v1:indicator_list": {"GET": EVERYONE},
        "api-v1:figure": {"GET": EVERYONE},
        "api-v1:changes": {"GET": EVERYONE},
        "api-v1:cluster_list": {"GET": EVERYONE},
        "api-v1:cluster_detail": {"GET": EVERYONE},  # a published cluster
        "api-v1:case_list": {"GET": EVERYONE},  # an empty page: the public sees no case
        "api-v1:case_detail": {"GET": NOBODY},
        "api-v1:consortium_list": {"GET": EVERYONE},  # empty, as for cases
        "api-v1:consortium_detail": {"GET": NOBODY},
        "api_tokens": {"GET": SIGNED_IN, "POST": SIGNED_IN},
        "api_token_revoke": {"POST": REVOKE},
    }
)

PATHS = {
    "api-v1:api-root": "/api/v1/",
    "api-v1:openapi-json": "/api/v1/openapi.json",
    "api-v1:openapi-view": "/api/v1/docs",
    "api-v1:park_list": "/api/v1/parks",
    "api-v1:park_detail": "/api/v1/parks/{park}",
    "api-v1:enterprise_list": "/api/v1/enterprises",
    "api-v1:enterprise_detail": "/api/v1/enterprises/{unit}",
    "api-v1:enterprise_status": "/api/v1/enterprises/{unit}/status",
    "api-v1:case_stage": "/api/v1/cases/{case}/stage",
    "api-v1:enterprise_create": "/api/v1/enterprises",
    "api-v1:enterprise_edit": "/api/v1/enterprises/{unit}",
    "api-v1:indicator_list": "/api/v1/indicators",
    "api-v1:figure": "/api/v1/indicators/units/figure",
    "api-v1:changes": "/api/v1/changes",
    "api-v1:cluster_list": "/api/v1/clusters",
    "api-v1:cluster_detail": "/api/v1/clusters/{cluster}",
    "api-v1:case_list": "/api/v1/cases",
    "api-v1:case_detail": "/api/v1/cases/{case}",
    "api-v1:consortium_list": "/api/v1/consortia",
    "api-v1:consortium_detail": "/api/v1/consortia/{consortium}",
    "api_tokens": "/api/tokens/",
}


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), cases(ACCESS, pytest))
def test_every_person_gets_what_the_table_says(
    route, method, who, target, outcome, user_of, client_for, registry, reference, request
) -> None:
    user = user_of(who)
    client = client_for(user)
    if route == "api_token_revoke":
        owner = user if target == "own" and who != "anonymous" else make_user()
        make_token(owner)
        token = ApiToken.objects.get(owner=owner)
        path = f"/api/tokens/{token.pk}/revoke/"
        response = client.post(path)
        if outcome == "done":
            assert response.status_code == 302 and reload(token).revoked_at is not None
        elif outcome == "404":
            assert response.status_code == 404 and reload(token).revoked_at is None
        else:
            assert is_login_redirect(response, path) and reload(token).revoked_at is None
        return
    path = PATHS[route].format(
        park=reference.park_p.pk,
        unit=registry.p_published.pk,
        cluster=request.getfixturevalue("clusters").tehran.pk if "{cluster}" in PATHS[route] else 0,
        case=request.getfixturevalue("clinic").case.pk if "{case}" in PATHS[route] else 0,
        consortium=(
            request.getfixturevalue("consortia").qom.pk if "{consortium}" in PATHS[route] else 0
        ),
    )
    before = registry_state()
    response = getattr(client, method.lower())(path)
    if outcome == "401":
        assert response.json()["code"] == "token_required" and response.status_code == 401
        assert registry_state() == before
    elif outcome == "login":
        assert is_login_redirect(response, path)
    elif outcome == "404":
        assert response.status_code == 404
    else:
        assert response.status_code == 200, response.content[:300]


# --- each person with their own token ------------------------------------------------------

TOKEN_PEOPLE = (*PEOPLE, *APP_ROLES)
# Clusters: ``mine`` is Qom's, unpublished, ``cluster_agent``'s; ``tehran`` is published.
CLUSTER = table(
    ("mine", "tehran"),
    {
        "national_admin": ("page", "page"),
        "officer_a": ("page", "page"),
        "officer_b": ("404", "page"),
        "park_manager": ("404", "page"),
        "owner": ("404", "page"),
        "cluster_agent": ("page", "page"),
        "anonymous": ("404", "page"),
        "officer_b_and_park_manager": ("404", "page"),
        "bank_officer": ("404", "page"),
        "market_adviser": ("404", "page"),
        "consortium_promoter": ("404", "page"),
        "clinic_consultant": ("404", "page"),
    },
    TOKEN_PEOPLE,
)
# Cases: a Qom clinic case (assigned to another consultant) and a Qom unit's referral to
# Bank Melli (the unit is ``owner``'s, the bank ``bank_officer``'s).
CASE = table(
    ("clinic", "referral"),
    {
        "national_admin": ("page", "page"),
        "officer_a": ("page", "page"),
        "officer_b": ("404", "404"),
        "park_manager": ("404", "404"),
        "owner": ("404", "page"),
        "cluster_agent": ("404", "404"),
        "anonymous": ("404", "404"),
        "officer_b_and_park_manager": ("404", "404"),
        "bank_officer": ("404", "page"),
        "market_adviser": ("404", "404"),
        "consortium_promoter": ("404", "404"),
        "clinic_consultant": ("404", "404"),
    },
    TOKEN_PEOPLE,
)
# Consortia: Qom's (``owner``'s unit a member) and Tehran's.
CONSORTIUM = table(
    ("qom", "tehran"),
    {
        "national_admin": ("page", "page"),
        "officer_a": ("page", "404"),
        "officer_b": ("404", "page"),
        "park_manager": ("404", "404"),
        "owner": ("page", "404"),
        "cluster_agent": ("404", "404"),
        "anonymous": ("404", "404"),
        "officer_b_and_park_manager": ("404", "page"),
        "bank_officer": ("404", "404"),
        "market_adviser": ("404", "404"),
        "consortium_promoter": ("404", "404"),
        "clinic_consultant": ("404", "404"),
    },
    TOKEN_PEOPLE,
)
TOKEN_ACCESS = {
    "api-v1:cluster_detail": {"GET": CLUSTER},
    "api-v1:case_detail": {"GET": CASE},
    "api-v1:consortium_detail": {"GET": CONSORTIUM},
}


def _target(route: str, target: str, request) -> int:  # type: ignore[no-untyped-def]
    if route == "api-v1:cluster_detail":
        return getattr(request.getfixturevalue("clusters"), target).pk
    if route == "api-v1:case_detail":
        if target == "clinic":
            return request.getfixturevalue("clinic").case.pk
        return request.getfixturevalue("finance").qom.case_id
    return getattr(request.getfixturevalue("consortia"), target).pk


@pytest.mark.parametrize(
    ("route", "method", "who", "target", "outcome"), cases(TOKEN_ACCESS, pytest)
)
def test_every_person_calling_with_their_token_gets_what_the_table_says(
    route, method, who, target, outcome, user_of, call, reference, request
) -> None:
    user = user_of(who)
    secret = make_token(user) if who != "anonymous" else None
    pk = _target(route, target, request)
    path = PATHS[route].format(cluster=pk, case=pk, consortium=pk).removeprefix("/api/v1")

    response = call(path, secret)

    assert response.status_code == (404 if outcome == "404" else 200), response.content[:300]
    listed = call(path.rsplit("/", 1)[0], secret).json()["results"]
    assert (pk in {row["id"] for row in listed}) == (outcome != "404")
