"""A web process's start (``pishran/wsgi.py``, ``pishran/asgi.py``): load once what every
request needs, then keep it out of the cyclic garbage collector's walks.

A loaded web process holds about 150,000 objects that live as long as it does (modules,
classes, functions, the URL patterns, the translation catalogues, the template engines).
CPython's oldest-generation collection walks every one of them each time it runs: 35 ms on
a quiet machine, 40-70 ms under load, landing on whichever request happens to allocate at
that moment (the rows pages' p95 over 100 ms while their p50 is 10-40 ms; the benchmarks'
Python ran it about once per 400 requests). ``gc.freeze()`` moves what exists at the end of
the start into a permanent generation that collections skip; objects made later (a
request's, the caches') are collected as before. This is the standard use of
``gc.freeze()`` (Python's documentation of the ``gc`` module); with gunicorn's
``--preload`` it also keeps the workers' memory shared after the fork.

The benchmarks of whole responses call :func:`settle` after ``django.setup()`` too, so
that their process is the one that serves.
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def settle() -> int:
    """Import every view (the URL patterns), load each language's catalogue, then freeze
    the objects alive so far. Returns how many were frozen."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (imports every URLconf and the views they name)
    resolver.reverse_dict  # noqa: B018  (fills the resolver's lookups, as a first reverse())
    for code, _name in settings.LANGUAGES:
        translation.activate(code)  # reads the language's catalogues once, for the process
    translation.deactivate()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
