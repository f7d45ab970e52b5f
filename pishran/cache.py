"""Django's built-in Redis cache, made forgiving: when Redis cannot be reached the site goes
on serving without its cache instead of failing every request that touches it.

``ForgivingRedisCache`` is ``django.core.cache.backends.redis.RedisCache`` (``REDIS_URL``,
settings) whose calls catch redis-py's errors (``RedisError``: refused, reset, timed out,
read-only replica…) and answer as an empty cache would: a read is a miss (the default),
a write stores nothing, ``incr`` raises ``ValueError`` as for a missing key. Each failure
logs one warning (``pishran.cache``) and, for ``RETRY_AFTER`` seconds, the process does not
ask Redis again, so a stopped Redis costs a request nothing and an unreachable host at most
one connect timeout (``socket_connect_timeout`` in the settings) per process every few
seconds. What is in the cache is only ever a copy: the figures are recomputed, sessions are
read from the database (``cached_db``), directory counts are counted again, the rate limits
let the request through (``accounts.throttle``).

``/health/`` still reports the outage: it calls ``ping``, which raises.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds a process leaves Redis alone after a failure.
RETRY_AFTER = 5.0
# LOCATION → monotonic time until which Redis is taken as down (cache objects are made per
# thread; the outage is the process's knowledge).
_down_until: dict[str, float] = {}
_lock = threading.Lock()


def _missing_key(key: Any, *args: Any, **kwargs: Any) -> int:
    raise ValueError(f"Key '{key}' not found (the cache is unavailable)")


# What each call answers while Redis is down: what an empty cache would.
_FALLBACKS: dict[str, Callable[..., Any]] = {
    "get": lambda key, default=None, version=None: default,
    "get_many": lambda *args, **kwargs: {},
    "set": lambda *args, **kwargs: None,
    "set_many": lambda data, *args, **kwargs: list(data),  # the keys not stored
    "add": lambda *args, **kwargs: False,
    "touch": lambda *args, **kwargs: False,
    "has_key": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: False,
    "incr": _missing_key,  # decr and get_or_set go through incr, get and add
}


def _forgiving(name: str) -> Callable[..., Any]:
    call = getattr(RedisCache, name)
    fallback = _FALLBACKS[name]

    def method(self: ForgivingRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._guard(lambda: call(self, *args, **kwargs), lambda: fallback(*args, **kwargs))

    method.__name__ = name
    return method


class ForgivingRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._where = str(server)

    def _guard(self, call: Callable[[], Any], fallback: Callable[[], Any]) -> Any:
        if time.monotonic() < _down_until.get(self._where, 0.0):
            return fallback()
        try:
            return call()
        except RedisError as error:
            with _lock:
                _down_until[self._where] = time.monotonic() + RETRY_AFTER
            logger.warning(
                "cache unavailable (%s): serving without it for %.0f s",
                type(error).__name__,
                RETRY_AFTER,
            )
            return fallback()

    def ping(self) -> None:
        """Ask Redis itself (raises when it does not answer): for ``/health/``."""
        self._cache.get_client().ping()


for _name in _FALLBACKS:
    setattr(ForgivingRedisCache, _name, _forgiving(_name))
