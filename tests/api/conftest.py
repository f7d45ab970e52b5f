"""Helpers of the API's tests: a token for a person, and calls with or without it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from api.services import token_create
from persian.jalali import today
from tests.clinics.conftest import clinic  # noqa: F401 (the cases' fixtures)
from tests.consortia.conftest import consortia  # noqa: F401
from tests.finance.conftest import finance  # noqa: F401


def make_token(user: Any, scope: str = "read", days: int = 30, name: str = "test") -> str:
    """A new token of ``user``'s (through the service) and its secret."""
    _token, secret = token_create(
        actor=user, name=name, scope=scope, expires_on=today() + dt.timedelta(days=days)
    )
    return secret


@pytest.fixture
def call(client: Client) -> Any:
    """``call(path, token=None, method="get", **params)`` → the response of the API."""

    def go(path: str, token: str | None = None, method: str = "get", **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return getattr(client, method)(f"/api/v1{path}", params, headers=headers)

    return go
