"""Who may open the API's routes and the token pages: the policy as a table.

The API answers as the token's owner; a person logged in on the site who calls it without
a token is the public there (the API does not read the session), so every API route here
answers everyone with the public's view (its scopes are tested in test_enterprises.py).
The token page is everyone's own: a person sees and revokes only their tokens (``own``);
another's token is a 404 (``theirs``)."""

from __future__ import annotations

import pytest

from api.models import ApiToken
from tests.access_tables import PEOPLE, cases, with_two_grants
from tests.api.conftest import make_token
from tests.factories import make_user, reload
from tests.views_helpers import is_login_redirect

EVERYONE = {who: {"-": "page"} for who in PEOPLE}
NOBODY = {who: {"-": "404"} for who in PEOPLE}  # ninja's root: only names the API's prefix
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
        "api-v1:indicator_list": {"GET": EVERYONE},
        "api-v1:figure": {"GET": EVERYONE},
        "api-v1:changes": {"GET": EVERYONE},
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
    "api-v1:indicator_list": "/api/v1/indicators",
    "api-v1:figure": "/api/v1/indicators/units/figure",
    "api-v1:changes": "/api/v1/changes",
    "api_tokens": "/api/tokens/",
}


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), cases(ACCESS, pytest))
def test_every_person_gets_what_the_table_says(
    route, method, who, target, outcome, user_of, client_for, registry, reference
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
    path = PATHS[route].format(park=reference.park_p.pk, unit=registry.p_published.pk)
    response = getattr(client, method.lower())(path)
    if outcome == "login":
        assert is_login_redirect(response, path)
    elif outcome == "404":
        assert response.status_code == 404
    else:
        assert response.status_code == 200, response.content[:300]
