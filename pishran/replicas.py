"""Reads from a PostgreSQL streaming replica, when one is configured.

``DATABASE_REPLICA_URL`` adds the database alias ``replica`` (a hot standby made with
``pg_basebackup``, kept by PostgreSQL's own streaming replication: nothing here copies
data). ``ReplicaRouter`` then sends the ORM's reads of a request to it when all of these hold:

- the request only reads (GET or HEAD: public pages, figures, exports, lists);
- the person has not written in the last ``PISHRAN_REPLICA_PIN_SECONDS`` (a cookie set by
  ``ReplicaPinMiddleware`` on every other method), so their own pages show their change
  at once, read from the primary;
- no transaction is open on the primary (what a transaction reads, it reads from the
  primary);
- the replica answers and lags at most ``PISHRAN_REPLICA_MAX_LAG_SECONDS`` (checked at
  most once per ``PISHRAN_REPLICA_CHECK_SECONDS`` per process; a replica that is down or
  behind is left alone until the next check, and reads fall back to the primary).

Writes, migrations and everything outside a request (tasks, commands) use the primary.
``reading(model)`` gives raw-SQL readers the same choice. The figures are computed on the
primary (``on_primary``, in ``indicators.sources.memo``): they are kept under the figures
version, which is read from the primary, and once computed they are read from memory or
the shared cache, not from either database.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponseBase

REPLICA = "replica"
PIN_COOKIE = "pishran_wrote"
log = logging.getLogger(__name__)

# Per request: None outside a request or when the request must read the primary; "" when
# it may read the replica and nothing has decided yet; then the alias its first read chose,
# kept for the whole request, so that one page reads one database.
_choice: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "pishran_replica_choice", default=None
)
_health: dict[str, float | bool] = {"checked_at": -1e9, "ok": False}


def configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag_seconds() -> float | None:
    """The replica's replay lag in seconds (0 when it has replayed everything it received
    and nothing is being written); None if it does not answer."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) "
                "END"
            )
            return float(cursor.fetchone()[0])
    except DatabaseError as error:
        log.warning("replica unavailable: %s", error)
        try:
            connections[REPLICA].close()
        except DatabaseError:
            pass
        return None


def replica_usable() -> bool:
    """Whether the replica answers and is recent enough (cached per process briefly)."""
    if not configured():
        return False
    now = time.monotonic()
    if now - float(_health["checked_at"]) < settings.PISHRAN_REPLICA_CHECK_SECONDS:
        return bool(_health["ok"])
    lag = replica_lag_seconds()
    _health["ok"] = lag is not None and lag <= settings.PISHRAN_REPLICA_MAX_LAG_SECONDS
    _health["checked_at"] = now
    return bool(_health["ok"])


def forget_health() -> None:
    _health["checked_at"] = -1e9


def _replica_answers() -> bool:
    """The replica's connection for this request (Django's health check on reuse runs
    here): a replica that went down since the last check is found now, before a query."""
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError as error:
        log.warning("replica unavailable: %s", error)
        _health["ok"], _health["checked_at"] = False, time.monotonic()
        return False
    return True


def alias_for_read() -> str:
    choice = _choice.get()
    if choice is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    if not choice:
        choice = REPLICA if replica_usable() and _replica_answers() else DEFAULT_DB_ALIAS
        _choice.set(choice)
    return choice


@contextlib.contextmanager
def on_primary() -> Iterator[None]:
    """Every read inside the block goes to the primary. The figures are computed this way:
    they are kept under the figures version read from the primary, and a figure computed
    from a replica a little behind would be kept, stale, until the next change."""
    token = _choice.set(None)
    try:
        yield
    finally:
        _choice.reset(token)


def reading(model: Any = None) -> Any:
    """The connection a read of this request should use (raw SQL readers)."""
    return connections[alias_for_read()]


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        return alias_for_read()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is the same database, a little behind

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaPinMiddleware:
    """Decides per request whether reads may go to the replica, and pins a person who just
    wrote to the primary for a few seconds (a cookie, so every web process agrees)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        reads_only = request.method in ("GET", "HEAD")
        pinned = _pinned(request)
        token = _choice.set("" if configured() and reads_only and not pinned else None)
        try:
            response = self.get_response(request)
        finally:
            _choice.reset(token)
        if configured() and not reads_only:
            seconds = settings.PISHRAN_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response


def _pinned(request: HttpRequest) -> bool:
    raw = request.COOKIES.get(PIN_COOKIE, "")
    return raw.isascii() and raw.isdigit() and len(raw) < 12 and int(raw) > time.time()
