"""The API's errors that its own handlers never see, in its JSON shape: a path under
``/api/v1/`` that names no endpoint (Django's 404 page), a method an endpoint does not take
(ninja answers 405 in plain text), a server error Django turned into its 500 page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from .errors import body

PREFIX = "/api/v1/"
ANSWERS = {
    404: ("not_found", _("Nothing here, or not yours to see.")),
    405: ("method_not_allowed", _("This address does not take this method.")),
}


class ApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith(PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        code, message = ANSWERS.get(
            response.status_code,
            ("server_error", _("Something went wrong on our side."))
            if response.status_code >= 500
            else ("error", _("The request could not be answered.")),
        )
        answer = JsonResponse(body(code, message), status=response.status_code)
        if "Allow" in response:
            answer["Allow"] = response["Allow"]
        return answer
