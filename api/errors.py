"""Every error of the API as one JSON shape (docs/api.md, "Errors"):

    {"code": "invalid_date", "message": "…", "message_fa": "…", "detail": …}

``code`` is stable and meant for programs; ``message`` is English and ``message_fa`` the
same in Persian, both always there (the API does not follow Accept-Language, like the
site); ``detail`` is ``null`` or says more (for invalid input: a list naming each field).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer other than 2xx, raised anywhere under an endpoint."""

    def __init__(self, status: int, code: str, message: str | Promise, detail: Any = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail


def not_found() -> ApiError:
    """What a row outside the person's scope answers too: nobody learns it exists."""
    return ApiError(404, "not_found", _("Nothing here, or not yours to see."))


def invalid(code: str, field: str, message: str | Promise, value: Any = None) -> ApiError:
    """422 for one parameter that cannot be read."""
    entry: dict[str, Any] = {"field": field, "message": str(_in("en", message))}
    if value is not None:
        entry["value"] = value
    return ApiError(422, code, message, [entry])


def _in(language: str, message: str | Promise) -> str:
    with translation.override(language):
        return str(message)


def body(code: str, message: str | Promise, detail: Any = None) -> dict[str, Any]:
    return {
        "code": code,
        "message": _in("en", message),
        "message_fa": _in("fa", message),
        "detail": detail,
    }


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors as ``{"field": "limit", "in": "query", "message": …}``: the
    parameter named, not its path through ninja's models."""
    found = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        where = loc[0] if loc else ""
        names = [part for part in loc[1:] if part not in {"filters", "query", "path"}]
        found.append(
            {
                "field": names[-1] if names else where,
                "in": where,
                "message": str(error.get("msg", "")),
            }
        )
    return found


def install(api: NinjaAPI) -> None:
    """Answer every error of ``api`` in the one shape."""

    def respond(request: HttpRequest, status: int, payload: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, payload, status=status)

    def api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        response = respond(request, exc.status, body(exc.code, exc.message, exc.detail))
        if exc.status == 401:  # RFC 6750: say which scheme is wanted
            response["WWW-Authenticate"] = (
                f'Bearer error="invalid_token", error_description="{exc.code}"'
            )
        return response

    def validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(
            request,
            422,
            body(
                "invalid_input",
                _("Some of the input could not be read."),
                _field_errors(exc.errors),
            ),
        )

    def missing(request: HttpRequest, exc: Any) -> HttpResponse:
        return api_error(request, not_found())

    def throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(
            request,
            429,
            body(
                "throttled",
                _("Too many requests; wait the seconds in Retry-After and try again."),
                {"retry_after": exc.wait},
            ),
        )

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 401, body("token_invalid", _("The token is not valid.")))

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if exc.status_code == 400:  # ninja: a body that is not JSON
            return respond(
                request,
                400,
                body(
                    "invalid_input",
                    _("The body could not be read as JSON."),
                    [{"field": "", "in": "body", "message": str(exc.message)}],
                ),
            )
        return respond(request, exc.status_code, body("error", exc.message))

    def server_error(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API error on %s", request.path, exc_info=exc)
        return respond(request, 500, body("server_error", _("Something went wrong on our side.")))

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(ValidationError, validation)
    api.add_exception_handler(Http404, missing)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Exception, server_error)
