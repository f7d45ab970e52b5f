"""Whole answers of the public dashboards kept per figures version, so that a page many
people open is built once per version instead of once per visitor.

``figures_page`` keeps a view's 200 answer in the cache every process shares (the
``figures`` cache with Redis, else this process's memory) under a key made of the figures
version (``indicators.sources``: any change to what the figures are computed from starts a
new one, and the old pages are never read again), today's date (the default ``as_of``),
the language, the full path with its query and whether htmx asked for a fragment.

What it must never do, and how:

- **show one person's page to another**: HTML pages are kept and served for anonymous
  visitors only (a logged-in person's page names them and shows what their role allows).
  Only answers that are the same for everyone (``anyone``: the province's PDF report,
  built from public figures only) are shared with people who are logged in.
- **hand out another visitor's CSRF token**: the token in a kept page is replaced by a
  marker when it is stored and by this visitor's own token when it is served (the language
  menu is a POST form).
- **show a message meant for someone else, or lose one**: a visitor with a message waiting
  is served the view itself, and nothing is kept from that answer.
- **show a figure older than it says**: the key holds the figures version (of the page's
  province when the view names one, else the national one), and a page built to be kept
  is built from figures of that version or a later one only (``sources.exact_version``:
  not the half-second grace ``memo`` allows itself). Every dashboard states the time its
  figures were computed (``indicators/_as_of.html``).
- **stay behind for long**: after a registry edit (a new national or provincial part of
  the version; the part ``ALL`` unchanged) the page kept for the previous version is
  served for up to ``FRESH_FOR`` seconds after it was built; past that, one request (the
  one that takes the building mark, ``add`` in the shared cache) builds the page again
  while the others are still served the previous one, up to ``STALE_AT_MOST`` seconds
  after it was built: so a registry edit shows on the public's kept pages within a
  minute, stated on the page. Logged-in people are served no kept HTML page: they see
  the edit at once. Anything that starts a new ``ALL`` (the catalogue, targets, parks,
  a rebuild, cases, clusters) is shown at once to everyone.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import BaseCache, caches
from django.http import FileResponse, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from persian.jalali import today

from . import sources

View = Callable[..., Any]

CSRF_MARKER = b"__pishran_csrf_token__"
_CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# Headers of the view's answer that are kept with it (the rest are set by the middleware
# on every answer, the cached one too).
_KEPT_HEADERS = ("Content-Type", "Content-Disposition")

# Under a stream of edits (every officer's save starts new national figures) the national
# pages, their downloads and the rankings would be built again every few seconds, each
# build 0.1-2 s of a core: the previous page is served instead for a bounded time (see the
# module's docstring; docs/indicators.md, "Whole pages"). Seconds since the page was built.
FRESH_FOR = 30.0
STALE_AT_MOST = 60.0
# How long the building mark holds others off if its request dies while building.
BUILDING_FOR = 30


def _now() -> float:
    return time.time()  # wall time: the processes share the kept pages' ages


def _store() -> BaseCache:
    return caches["figures"] if "figures" in settings.CACHES else caches["default"]


def _key(request: HttpRequest, version: str) -> str:
    path = request.get_full_path().encode("utf-8", "surrogateescape")
    return ":".join(
        (
            "page",
            version,
            today().isoformat(),
            translation.get_language() or "",
            "htmx" if request.headers.get("HX-Request") else "full",
            hashlib.sha256(path).hexdigest(),
        )
    )


def _has_messages(request: HttpRequest) -> bool:
    return bool(len(get_messages(request)))  # counts without marking them shown


def _cacheable(request: HttpRequest, anyone: Callable[[HttpRequest], bool] | None) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated and not (anyone and anyone(request)):
        return False
    return not _has_messages(request)


def _kept(response: HttpResponse) -> dict[str, Any]:
    content = response.content
    token = _CSRF_FIELD.search(content)
    if token:
        content = content.replace(token.group(1), CSRF_MARKER)
    return {
        "content": content,
        "headers": {h: response[h] for h in _KEPT_HEADERS if h in response},
    }


def _served(request: HttpRequest, kept: dict[str, Any]) -> HttpResponse:
    content: bytes = kept["content"]
    if CSRF_MARKER in content:
        content = content.replace(CSRF_MARKER, get_token(request).encode())
    response = HttpResponse(content)
    for header, value in kept["headers"].items():
        response[header] = value
    return response


# A dashboard's XLSX (``exports.export_response``: a file sent from a spool) is a few tens
# of kB: read into memory so that it is kept like the pages, not written again per request.
_FILE_KEPT_AT_MOST = 4 * 1024 * 1024


def _in_memory(response: Any) -> Any:
    """A ``FileResponse`` of a small download as a plain ``HttpResponse`` (which can be
    kept); anything else, or a larger file, as it is."""
    if not isinstance(response, FileResponse) or response.status_code != 200:
        return response
    size = response.get("Content-Length")
    if size is None or int(size) > _FILE_KEPT_AT_MOST:
        return response
    content = b"".join(response.streaming_content)  # type: ignore[arg-type]
    # The spool only: ``response.close()`` would send ``request_finished`` in the middle of
    # the request, and its handler closes the database connection inside a transaction.
    spool = getattr(response, "file_to_stream", None)
    if spool is not None:
        spool.close()
    whole = HttpResponse(content)
    for header in (*_KEPT_HEADERS, "Content-Length"):
        if header in response:
            whole[header] = response[header]
    return whole


def figures_page(
    *,
    anyone: Callable[[HttpRequest], bool] | None = None,
    place: Callable[..., Any] | None = None,
) -> Callable[[View], View]:
    """Keep the view's 200 answers per figures version (see the module's docstring): for
    anonymous visitors, and for everyone for the requests ``anyone`` picks (answers that
    name no one and show nothing a role decides). ``place``, given the view's arguments,
    names the province or park (``sources.Place``, None: unknown) a page shows only figures
    of: the page is kept under its province's version (``sources._version``), so an edit
    elsewhere leaves it kept, and its figures are read like those of the last page of its
    kind (``sources.page_figures``); without it, under the national version."""

    def decorate(view: View) -> View:
        @wraps(view)
        def cached(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            where = place(*args, **kwargs) if place else None
            # The page's figures in one round trip to the shared cache (``page_figures``).
            figures = sources.page_figures(
                request.get_full_path(), (view.__qualname__, where) if where else None
            )
            if not _cacheable(request, anyone):
                with figures:
                    return view(request, *args, **kwargs)
            version = sources._version(sources.province_of(where))
            key = _key(request, version)
            # The last page built whatever edits came since, under the part ALL of the
            # version only: a change to what every figure means is never served stale.
            latest = _key(request, "latest." + version.partition(".")[0])
            building = latest + ":building"
            store = _store()
            found = store.get_many([key, latest])  # one round trip
            kept = found.get(key)
            if kept is not None:
                return _served(request, kept)
            previous, mine = found.get(latest), False
            if previous is not None:
                age = _now() - previous["at"]
                if age < FRESH_FOR:
                    return _served(request, previous)
                if age < STALE_AT_MOST:
                    mine = store.add(building, 1, BUILDING_FOR)
                    if not mine:  # another request is building it
                        return _served(request, previous)
            started = _now()
            try:
                with sources.exact_version(), figures:  # no figure older than the key's
                    response = _in_memory(view(request, *args, **kwargs))
                if (
                    isinstance(response, HttpResponse)
                    and response.status_code == 200
                    and not response.cookies
                    and not _has_messages(request)
                ):
                    entry = {**_kept(response), "at": started}
                    store.set_many({key: entry, latest: entry})
            finally:
                if mine:
                    store.delete(building)
            return response

        return cached

    return decorate
