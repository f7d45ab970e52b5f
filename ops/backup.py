"""Backup and restore of the database and the uploaded files, with a manifest to verify.

One archive per backup, ``pishran-backup-<UTC time>.tar.enc`` (encrypted with
``PISHRAN_BACKUP_KEY``, ``ops.crypto``) or ``….tar`` (unencrypted, only where allowed)::

    manifest.json      format, time, database vendor, per table: rows and sha256 of its
                       rows in primary-key order; per uploaded file: size and sha256
    database.dump      PostgreSQL: ``pg_dump --format=custom``
    database.sqlite3   SQLite: a copy made with SQLite's online backup API
    media/…            MEDIA_ROOT

The archive is written under a temporary name (``.pishran-backup-….tar.partial``) and
renamed when complete, so a killed backup never leaves a file that looks finished.

On PostgreSQL the dump and the checksums read the same snapshot (``pg_export_snapshot``
and ``pg_dump --snapshot``), so the manifest describes exactly what is in the dump even
while the site is being written to. On SQLite the checksums are read from the copy.

Restore first unpacks the archive into a temporary directory and checks *everything*
(``check_unpacked``: the archive reads to its end, the manifest is whole, the database file
and every uploaded file are there with their checksums, nothing else is); only then does it
write into a *fresh* database and an empty media directory, and recomputes every checksum
and compares it with the manifest (``verify``). What is wrong is said in one line
(``BackupError``)."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import psycopg
from django.conf import settings
from django.db import connections

from ops import crypto

FORMAT = 1
CHUNK = 5_000
logger = logging.getLogger(__name__)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class Mismatch:
    what: str
    expected: object
    found: object


# --- checksums --------------------------------------------------------------------------


def _digest_rows(rows: Iterator[Any]) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update(repr(row).encode())
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def sqlite_tables(con: sqlite3.Connection) -> dict[str, dict[str, object]]:
    """Rows and checksum of every table of a SQLite database, in primary-key order."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    result: dict[str, dict[str, object]] = {}
    for name in names:
        info = con.execute(f'PRAGMA table_info("{name}")').fetchall()
        pk = [f'"{c[1]}"' for c in sorted(info, key=lambda c: c[5]) if c[5]]
        order = ", ".join(pk) if pk else ", ".join(str(i + 1) for i in range(len(info)))
        cursor = con.execute(f'SELECT * FROM "{name}" ORDER BY {order}')
        rows, sha = _digest_rows(iter(cursor))
        result[name] = {"rows": rows, "sha256": sha}
    return result


def postgresql_tables(con: psycopg.Connection[Any]) -> dict[str, dict[str, object]]:
    """Rows and checksum of every table in the public schema, each row as PostgreSQL's own
    text form (``t::text``, in UTC) in primary-key order."""
    con.execute("SET TIME ZONE 'UTC'")
    con.execute("SET DateStyle = 'ISO, YMD'")
    con.execute("SET extra_float_digits = 3")
    names = [
        r[0]
        for r in con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    result: dict[str, dict[str, object]] = {}
    for name in names:
        pk = [
            r[0]
            for r in con.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum",
                (f'public."{name}"',),
            )
        ]
        order = ", ".join(f't."{c}"' for c in pk) if pk else "t::text"
        with con.cursor(name=f"checksum_{len(result)}") as cursor:
            cursor.itersize = CHUNK
            cursor.execute(f'SELECT t::text FROM public."{name}" t ORDER BY {order}')
            rows, sha = _digest_rows(r[0] for r in cursor)
        result[name] = {"rows": rows, "sha256": sha}
    return result


def media_files(root: Path) -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = {}
    if not root.is_dir():
        return files
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        files[path.relative_to(root).as_posix()] = {
            "bytes": path.stat().st_size,
            "sha256": _file_sha256(path),
        }
    return files


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- database settings ------------------------------------------------------------------


def _vendor(db: dict[str, Any]) -> str:
    engine = db["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"backups support PostgreSQL and SQLite, not {engine}")


def _pg_params(db: dict[str, Any]) -> dict[str, str]:
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
    }
    return {k: v for k, v in params.items() if v}


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore: the password never goes on a command line."""
    p = _pg_params(db)
    env = dict(os.environ)
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"),
                     ("password", "PGPASSWORD")):  # fmt: skip
        if key in p:
            env[var] = p[key]
    return env


def _sqlite_path(db: dict[str, Any]) -> str:
    """The path (or shared in-memory URI, for the test database) of a SQLite database."""
    name = str(db["NAME"])
    test_name = db.get("TEST", {}).get("NAME")
    if name in ("", ":memory:") or name.startswith("file:"):
        return name or str(test_name)
    return name


# --- backup -----------------------------------------------------------------------------


def backup(destination: Path, *, using: str = "default", media_root: Path | None = None) -> Path:
    """Write one complete archive into ``destination`` and return its path."""
    db = connections[using].settings_dict
    vendor = _vendor(db)
    media = Path(media_root or settings.MEDIA_ROOT)
    key = _key_for_backup()
    destination.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = destination / f"pishran-backup-{stamp}.tar{'.enc' if key else ''}"
    partial = destination / f".{final.name}.partial"
    try:
        with tempfile.TemporaryDirectory(dir=destination, prefix=".backup-") as work:
            dump = Path(work) / ("database.dump" if vendor == "postgresql" else "database.sqlite3")
            if vendor == "postgresql":
                tables = _backup_postgresql(db, dump)
            else:
                tables = _backup_sqlite(using, dump)
            files = media_files(media)
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(),
                "vendor": vendor,
                "database_file": dump.name,
                "database_sha256": _file_sha256(dump),
                "tables": tables,
                "media": files,
            }
            # The archive holds personal data (national IDs, mobiles): owner-only from birth.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw:
                sink: IO[bytes] = crypto.EncryptingWriter(raw, key) if key else raw  # type: ignore[assignment]
                with tarfile.open(fileobj=sink, mode="w|") as tar:
                    data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                    info = tarfile.TarInfo("manifest.json")
                    info.size = len(data)
                    info.mtime = int(datetime.now(UTC).timestamp())
                    tar.addfile(info, io.BytesIO(data))
                    tar.add(dump, arcname=dump.name)
                    for rel in files:
                        tar.add(media / rel, arcname=f"media/{rel}")
                sink.close()  # seals an encrypted archive's final chunk
            with partial.open("rb") as fh:
                os.fsync(fh.fileno())
        os.replace(partial, final)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise BackupError(
                f"The disk holding {destination} is full: no archive was written (the "
                "partial file and the working files were removed). Free space or choose "
                "another --to."
            ) from error
        raise
    finally:
        partial.unlink(missing_ok=True)
    return final


def _key_for_backup() -> bytes | None:
    """The key to encrypt with; without one, refuse unless unencrypted archives are
    allowed (``PISHRAN_BACKUP_ALLOW_UNENCRYPTED``, on by default only while debugging)."""
    if settings.BACKUP_KEY:
        return _parse_key(settings.BACKUP_KEY)
    if not settings.BACKUP_ALLOW_UNENCRYPTED:
        raise BackupError(
            "PISHRAN_BACKUP_KEY is not set: archives hold national IDs and phone numbers, so "
            "they are encrypted (set PISHRAN_BACKUP_ALLOW_UNENCRYPTED=true to write one "
            "unencrypted anyway)"
        )
    logger.warning("PISHRAN_BACKUP_KEY is not set: writing an UNENCRYPTED backup archive")
    return None


def _parse_key(text: str) -> bytes:
    try:
        return crypto.parse_key(text)
    except crypto.CryptoError as exc:
        raise BackupError(str(exc)) from exc


def is_encrypted(archive: Path) -> bool:
    with archive.open("rb") as fh:
        return crypto.is_encrypted(fh.read(len(crypto.MAGIC)))


def _backup_postgresql(db: dict[str, Any], dump: Path) -> dict[str, dict[str, object]]:
    with psycopg.connect(**_pg_params(db), autocommit=False) as con:  # type: ignore[arg-type]
        con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = con.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        run = subprocess.run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner",
             f"--file={dump}", db["NAME"]],
            env=_pg_env(db), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if run.returncode != 0:
            raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
        return postgresql_tables(con)


def _backup_sqlite(using: str, dump: Path) -> dict[str, dict[str, object]]:
    connection = connections[using]
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        connection.connection.backup(target)  # the online backup API: a consistent copy
    finally:
        target.close()
    with _sqlite(str(dump)) as con:
        return sqlite_tables(con)


@contextmanager
def _sqlite(path: str) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(path, uri=path.startswith("file:"))
    try:
        yield con
    finally:
        con.close()


# --- restore ----------------------------------------------------------------------------


@contextmanager
def _tar_stream(archive: Path) -> Iterator[tarfile.TarFile]:
    """The archive as a tar stream read front to back, decrypted on the way when it is
    encrypted; anything unreadable is a ``BackupError`` naming the archive."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such archive")
    try:
        with archive.open("rb") as raw:
            source: IO[bytes] = raw
            if crypto.is_encrypted(raw.read(len(crypto.MAGIC))):
                if not settings.BACKUP_KEY:
                    raise BackupError(
                        f"{archive} is encrypted: set PISHRAN_BACKUP_KEY to the key it was "
                        "written with"
                    )
                raw.seek(0)
                source = io.BufferedReader(
                    crypto.DecryptingReader(raw, _parse_key(settings.BACKUP_KEY)), 1 << 20
                )
            else:
                raw.seek(0)
            with tarfile.open(fileobj=source, mode="r|") as tar:
                yield tar
    except crypto.CryptoError as exc:
        raise BackupError(f"{archive}: {exc}") from exc
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BackupError(
            f"{archive} cannot be read or unpacked (cut short, not a backup, or no room to "
            f"unpack it): {reason}"
        ) from exc


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest (the archive's first member), checked; reads no further."""
    with _tar_stream(archive) as tar:
        member = tar.next()
        fh = tar.extractfile(member) if member and member.name == "manifest.json" else None
        if fh is None:
            raise BackupError(f"{archive} has no manifest.json at its start")
        return _parse_manifest(archive, fh.read())


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _parse_manifest(archive: Path, data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive}: manifest.json is damaged (not JSON: {exc})") from exc
    if not isinstance(manifest, dict):
        raise BackupError(f"{archive}: manifest.json is damaged (not an object)")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: unknown backup format {manifest.get('format')!r}")

    def entries(part: str, size_key: str) -> bool:
        value = manifest.get(part)
        return isinstance(value, dict) and all(
            isinstance(entry, dict)
            and isinstance(entry.get(size_key), int)
            and isinstance(entry.get("sha256"), str)
            for entry in value.values()
        )

    problems = [
        name
        for name, ok in (
            ("vendor", manifest.get("vendor") in ("postgresql", "sqlite")),
            (
                "database_file",
                manifest.get("database_file") in ("database.dump", "database.sqlite3"),
            ),
            ("database_sha256", _SHA256.fullmatch(str(manifest.get("database_sha256")))),
            ("tables", entries("tables", "rows")),
            ("media", entries("media", "bytes")),
        )  # fmt: skip
        if not ok
    ]
    if problems:
        raise BackupError(f"{archive}: manifest.json is damaged ({', '.join(problems)})")
    return manifest


def unpack(archive: Path, work: Path) -> dict[str, Any]:
    """Unpack ``archive`` into the empty directory ``work`` and check all of it against its
    manifest; return the manifest. Writes nothing anywhere else."""
    with _tar_stream(archive) as tar:
        tar.extractall(work, filter="data")
    manifest_file = work / "manifest.json"
    if not manifest_file.is_file():
        raise BackupError(f"{archive} has no manifest.json")
    manifest = _parse_manifest(archive, manifest_file.read_bytes())
    problems = check_unpacked(manifest, work)
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise BackupError(f"{archive}: {problems[0]}{more}; nothing was restored")
    return manifest


def check_unpacked(manifest: dict[str, Any], work: Path) -> list[str]:
    """What in an unpacked archive differs from its manifest: the database file and every
    uploaded file present with their checksums, and no file the manifest does not name."""
    problems = []
    dump = work / manifest["database_file"]
    if not dump.is_file():
        problems.append(f"the database file {dump.name} is missing")
    elif _file_sha256(dump) != manifest["database_sha256"]:
        problems.append(f"the database file {dump.name} does not match its checksum")
    found = media_files(work / "media")
    for rel in sorted(manifest["media"].keys() | found.keys()):
        if rel not in found:
            problems.append(f"media/{rel} is missing")
        elif rel not in manifest["media"]:
            problems.append(f"media/{rel} is not in the manifest")
        elif found[rel] != manifest["media"][rel]:
            problems.append(f"media/{rel} does not match its checksum")
    return problems


def restore(archive: Path, *, database: dict[str, Any], media_root: Path) -> list[Mismatch]:
    """Restore ``archive`` into an empty ``database`` (Django settings dict) and an empty
    ``media_root``; return what differs from the manifest (empty: identical). Everything
    is checked before anything is written: the archive, then the targets."""
    vendor = _vendor(database)
    with tempfile.TemporaryDirectory(prefix="pishran-restore-") as work:
        manifest = unpack(archive, Path(work))
        if vendor != manifest["vendor"]:
            raise BackupError(f"the archive holds a {manifest['vendor']} database, not {vendor}")
        if media_root.exists() and any(media_root.iterdir()):
            raise BackupError(f"{media_root} is not empty: restore into an empty media directory")
        _check_database_empty(database)
        dump = Path(work) / manifest["database_file"]
        if vendor == "postgresql":
            _restore_postgresql(database, dump)
        else:
            _restore_sqlite(database, dump)
        media_root.mkdir(parents=True, exist_ok=True)
        source = Path(work) / "media"
        if source.is_dir():
            shutil.copytree(source, media_root, dirs_exist_ok=True)
    return verify(manifest, database=database, media_root=media_root)


def _check_database_empty(db: dict[str, Any]) -> None:
    if _vendor(db) == "postgresql":
        with psycopg.connect(**_pg_params(db)) as con:  # type: ignore[arg-type]
            row = con.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
        if row and row[0]:
            raise BackupError(f"database {db['NAME']} is not empty: restore into a fresh database")
        return
    path = _sqlite_path(db)
    with _sqlite(path) as target:
        if target.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]:
            raise BackupError(f"{path} is not empty: restore into a fresh database")


def _restore_postgresql(db: dict[str, Any], dump: Path) -> None:
    run = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
         f"--dbname={db['NAME']}", str(dump)],
        env=_pg_env(db), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if run.returncode != 0:
        raise BackupError(f"pg_restore failed: {run.stderr.strip()}")


def _restore_sqlite(db: dict[str, Any], dump: Path) -> None:
    with _sqlite(_sqlite_path(db)) as target, _sqlite(str(dump)) as source:
        source.backup(target)


def verify(
    manifest: dict[str, Any], *, database: dict[str, Any], media_root: Path
) -> list[Mismatch]:
    if _vendor(database) == "postgresql":
        with psycopg.connect(**_pg_params(database)) as con:  # type: ignore[arg-type]
            tables = postgresql_tables(con)
    else:
        with _sqlite(_sqlite_path(database)) as con:
            tables = sqlite_tables(con)
    found = {"tables": tables, "media": media_files(media_root)}
    mismatches: list[Mismatch] = []
    for part in ("tables", "media"):
        expected: dict[str, Any] = manifest[part]
        for name in sorted(expected.keys() | found[part].keys()):
            if expected.get(name) != found[part].get(name):
                mismatches.append(
                    Mismatch(f"{part}/{name}", expected.get(name), found[part].get(name))
                )
    return mismatches
