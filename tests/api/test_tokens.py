"""Personal tokens: made and revoked on the person's token page, the secret shown once and
kept only as a hash, an expiry of at most a year, read or read-write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from api.auth import TokenAuth
from api.errors import ApiError
from api.models import ApiToken
from api.services import hash_secret, token_create, token_revoke
from audit.services import history_of
from persian.jalali import today
from tests.api.conftest import make_token
from tests.factories import reload
from tests.views_helpers import jalali_text, page


def _create(client, **data):
    form = {
        "name": "گزارش ماهانه",
        "scope": "read",
        "expires_on": jalali_text(today() + dt.timedelta(days=30)),
    }
    form.update(data)
    return client.post("/api/tokens/", form)


def test_a_token_made_on_the_page_is_shown_once_and_kept_only_as_its_hash(
    client_for, officer_b
) -> None:
    client = client_for(officer_b)

    response = _create(client)

    assert response.status_code == 200
    token = ApiToken.objects.get(owner=officer_b)
    secret = response.context["secret"]
    assert secret in page(response) and secret.startswith(token.prefix)
    assert token.key_hash == hash_secret(secret) and secret not in token.key_hash
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    again = client.get("/api/tokens/")
    assert secret not in page(again) and token.prefix in page(again)


def test_making_a_token_is_audited_on_the_persons_history(officer_b) -> None:
    token, _secret = token_create(
        actor=officer_b, name="x", scope="read", expires_on=today() + dt.timedelta(days=3)
    )

    record = history_of(officer_b).get(action="token_create")
    assert record.target_id == str(token.pk) and "key_hash" not in record.changes


@pytest.mark.parametrize(
    ("days", "field"), [(0, "expires_on"), (-5, "expires_on"), (366, "expires_on")]
)
def test_an_expiry_today_in_the_past_or_beyond_a_year_is_refused(officer_b, days, field) -> None:
    with pytest.raises(ValidationError) as refused:
        token_create(
            actor=officer_b, name="x", scope="read", expires_on=today() + dt.timedelta(days=days)
        )

    assert field in refused.value.message_dict
    assert not ApiToken.objects.exists()


def test_a_year_ahead_is_accepted(officer_b) -> None:
    token, _secret = token_create(
        actor=officer_b, name="x", scope="read_write", expires_on=today() + dt.timedelta(days=365)
    )

    assert token.can_write


def test_the_page_shows_a_refusal_beside_the_field_and_makes_nothing(client_for, officer_b) -> None:
    response = _create(client_for(officer_b), expires_on="1401/12/30")

    assert response.status_code == 200 and response.context["form"].errors["expires_on"]
    assert not ApiToken.objects.exists()


def test_a_revoked_token_answers_401_token_revoked(client_for, officer_b, call) -> None:
    secret = make_token(officer_b)
    token = ApiToken.objects.get(owner=officer_b)
    assert call("/parks", secret).status_code == 200

    response = client_for(officer_b).post(f"/api/tokens/{token.pk}/revoke/")

    assert response.status_code == 302 and reload(token).revoked_at is not None
    assert history_of(officer_b).filter(action="token_revoke").count() == 1
    answer = call("/parks", secret)
    assert answer.status_code == 401 and answer.json()["code"] == "token_revoked"


def test_nobody_revokes_someone_elses_token(client_for, officer_b, national_admin) -> None:
    make_token(officer_b)
    token = ApiToken.objects.get(owner=officer_b)

    response = client_for(national_admin).post(f"/api/tokens/{token.pk}/revoke/")

    assert response.status_code == 404 and reload(token).revoked_at is None
    with pytest.raises(ValidationError):
        token_revoke(actor=national_admin, token=token)


def test_the_page_lists_only_ones_own_tokens(client_for, officer_b, national_admin) -> None:
    make_token(officer_b, name="officer's")
    make_token(national_admin, name="admin's")

    response = client_for(officer_b).get("/api/tokens/")

    assert list(response.context["tokens"].values_list("name", flat=True)) == ["officer's"]


def test_an_expired_token_answers_401_token_expired(officer_b, call) -> None:
    secret = make_token(officer_b)
    ApiToken.objects.filter(owner=officer_b).update(expires_on=today() - dt.timedelta(days=1))

    response = call("/parks", secret)

    assert response.status_code == 401 and response.json()["code"] == "token_expired"


def test_a_token_of_a_deactivated_person_answers_401(officer_b, call) -> None:
    secret = make_token(officer_b)
    type(officer_b).objects.filter(pk=officer_b.pk).update(is_active=False)

    assert call("/parks", secret).json()["code"] == "token_invalid"


def test_the_last_use_is_noted(officer_b, call) -> None:
    secret = make_token(officer_b)

    call("/parks", secret)

    assert ApiToken.objects.get(owner=officer_b).last_used_at is not None


def _auth(method: str, secret: str | None):
    factory = RequestFactory()
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return TokenAuth()(getattr(factory, method.lower())("/api/v1/x", headers=headers))


def test_a_read_token_used_for_a_write_is_refused_with_403(officer_b) -> None:
    with pytest.raises(ApiError) as refused:
        _auth("POST", make_token(officer_b, scope="read"))

    assert (refused.value.status, refused.value.code) == (403, "token_read_only")


def test_a_read_write_token_may_write_and_the_public_may_not(officer_b) -> None:
    caller = _auth("POST", make_token(officer_b, scope="read_write"))
    assert caller.user == officer_b

    with pytest.raises(ApiError) as refused:
        _auth("DELETE", None)
    assert (refused.value.status, refused.value.code) == (401, "token_required")


def test_ones_own_person_page_leads_to_the_tokens_and_anothers_does_not(
    client_for, officer_a, officer_b, national_admin
) -> None:
    client = client_for(national_admin)

    own = client.get(f"/people/person/{national_admin.pk}/")
    other = client.get(f"/people/person/{officer_a.pk}/")

    assert 'data-testid="own-api-tokens"' in page(own) and "/api/tokens/" in page(own)
    assert 'data-testid="own-api-tokens"' not in page(other)


def _scope_read_with_the_token(person) -> object:
    """The scope the API acts with for ``person``'s token (read with the token itself)."""
    request = RequestFactory().get("/api/v1/parks")
    caller = TokenAuth().authenticate(request, make_token(person))
    return caller.user._pishran_scope


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who",
    ["national_admin", "officer_b", "park_manager", "owner", "officer_b_and_park_manager",
     "cluster_agent", "bank_officer", "clinic_consultant"],
)  # fmt: skip
def test_the_token_acts_with_the_scope_its_owner_has_on_the_site(who, request) -> None:
    from accounts.scope import Scope

    person = request.getfixturevalue(who)
    assert _scope_read_with_the_token(person) == Scope.of(reload(person))


@pytest.mark.django_db
def test_a_grant_withdrawn_or_not_yet_started_gives_the_token_nothing(officer_b, reference) -> None:
    from accounts.models import Grant, Role
    from accounts.scope import Scope
    from accounts.services import grant_give, grant_withdraw

    grant_give(
        actor=None,
        person=officer_b,
        role=Role.PROVINCIAL_OFFICER,
        place_id=reference.qom.pk,
        starts_on=today() + dt.timedelta(days=3),
    )
    superuser = type(officer_b).objects.create_superuser("root_api", "r@example.com", "x")
    for person in (officer_b, superuser):
        assert _scope_read_with_the_token(person) == Scope.of(reload(person))
    assert Scope.of(reload(officer_b)).places(Role.PROVINCIAL_OFFICER) == {reference.tehran.pk}
    grant = Grant.objects.get(user=officer_b, place_id=reference.tehran.pk)
    grant_withdraw(actor=None, grant=grant)
    assert _scope_read_with_the_token(officer_b) == Scope.of(reload(officer_b))
    assert not _scope_read_with_the_token(officer_b).grants  # type: ignore[attr-defined]
