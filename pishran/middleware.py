"""Project-wide middleware."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware import locale
from django.shortcuts import render
from django.utils import translation

logger = logging.getLogger(__name__)


class LocaleMiddleware(locale.LocaleMiddleware):
    """Persian unless the person chose another language with the switcher (its cookie).

    Django's own middleware follows the browser's Accept-Language header. Most browsers
    here are installed in English by people who read Persian first, so the header would
    put an officer's morning page in English with the registry's Persian names in it. The
    language is therefore the chosen one (``set_language`` writes the cookie) or
    ``LANGUAGE_CODE``, never guessed; pages then do not vary on the header either.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen or settings.LANGUAGE_CODE)
        except LookupError:  # a language this site does not offer (or a forged cookie)
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# PostgreSQL's SQLSTATE for a statement cancelled by ``statement_timeout``.
QUERY_CANCELED = "57014"


class StatementTimeoutMiddleware:
    """A request whose query ran past the web's statement timeout
    (``PISHRAN_STATEMENT_TIMEOUT_MS``, docs/deploy.md) answers 503 with a page saying so
    in the person's language, instead of the generic 500: the site is up, this page was
    too heavy just now. Logged as a warning with the path, for whoever tunes the query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        cause = exception.__cause__
        if not (
            isinstance(exception, DatabaseError)
            and getattr(cause, "sqlstate", None) == QUERY_CANCELED
        ):
            return None
        logger.warning("statement timeout on %s %s", request.method, request.path)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "60"
        return response
