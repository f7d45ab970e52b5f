"""Project-wide middleware."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware import locale
from django.utils import translation


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
