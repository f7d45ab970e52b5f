"""The API: one ``NinjaAPI`` mounted at ``/api/v1/`` (pishran/urls.py), its description at
``/api/v1/openapi.json`` (OpenAPI 3.1) and browsable docs at ``/api/v1/docs`` (Swagger UI
from ninja's bundled files: the site's CSP allows no other host). See docs/api.md."""

from __future__ import annotations

from ninja import NinjaAPI

from . import (
    cases,
    changes,
    clusters,
    consortia,
    enterprises,
    errors,
    indicators,
    parks,
    writes,  # noqa: F401 (the writes' routes, on the enterprises' router)
)
from .auth import TokenAuth
from .throttle import CallerThrottle

api = NinjaAPI(
    title="Pishran API",
    version="1",
    description=(
        "The registry of industrial parks and units. Authorization: Bearer <token> (a "
        "personal token from your page on the site); without one, what the public sees. "
        "Errors: {code, message, message_fa, detail}. See docs/api.md."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=[CallerThrottle()],
)
errors.install(api)
api.add_router("/parks", parks.router)
api.add_router("/enterprises", enterprises.router)
api.add_router("/indicators", indicators.router)
api.add_router("/clusters", clusters.router)
api.add_router("/cases", cases.router)
api.add_router("/consortia", consortia.router)
api.add_router("/changes", changes.router)
