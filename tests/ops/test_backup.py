"""Backup and restore drill: ``manage.py backup`` writes one archive (database + uploaded
files + manifest); ``manage.py restore`` puts it into a fresh database and an empty media
directory and verifies every table and file against the manifest.

These tests commit (``transactional_db``): pg_dump and the restore read the database from
their own connections, as they do in production."""

from __future__ import annotations

import io
import tarfile
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from enterprises.models import Enterprise, StatusEvent
from ops import backup
from tests.factories import make_enterprise

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    (root / "logos").mkdir(parents=True)
    (root / "logos" / "پیشران.png").write_bytes(b"\x89PNG fake logo bytes")
    (root / "report.pdf").write_bytes(b"%PDF-1.7 " + bytes(range(256)))
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def fresh_database(tmp_path: Path) -> Any:
    """An empty database of the suite's own kind, dropped afterwards."""
    db = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        db["NAME"] = str(tmp_path / "restored.sqlite3")
        db["TEST"] = {}
        yield db
        return
    db["NAME"] = f"{connection.settings_dict['NAME']}_restored"[:63]
    admin = {k: v for k, v in backup._pg_params(connection.settings_dict).items() if k != "dbname"}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as con:  # type: ignore[arg-type]
        con.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        con.execute(f'CREATE DATABASE "{db["NAME"]}"')
    yield db
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as con:  # type: ignore[arg-type]
        con.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')


def _registry(reference: Any) -> None:
    make_enterprise(name="ریخته‌گری پیشران", park=reference.park_p, published=True)
    make_enterprise(name="کاشی ژاله", province=reference.qom, published=False)


def test_a_backup_restored_into_a_fresh_database_has_identical_rows_and_files(
    reference, media, fresh_database, tmp_path
) -> None:
    _registry(reference)
    out = StringIO()

    call_command("backup", "--to", str(tmp_path / "backups"), stdout=out)

    [archive] = (tmp_path / "backups").glob("pishran-backup-*.tar")
    assert archive.stat().st_mode & 0o777 == 0o600  # personal data: owner only
    manifest = backup.read_manifest(archive)
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"]["enterprises_enterprise"]["rows"] == Enterprise.objects.count() >= 2
    assert manifest["tables"]["enterprises_statusevent"]["rows"] == StatusEvent.objects.count()
    assert set(manifest["media"]) == {"logos/پیشران.png", "report.pdf"}

    restored_media = tmp_path / "restored-media"
    mismatches = backup.restore(archive, database=fresh_database, media_root=restored_media)

    assert mismatches == []
    assert (restored_media / "report.pdf").read_bytes() == (media / "report.pdf").read_bytes()
    # The restored database answers with the same figures, read independently of the backup.
    assert backup.verify(manifest, database=fresh_database, media_root=restored_media) == []


def test_verify_names_the_table_and_the_file_that_differ(
    reference, media, fresh_database, tmp_path
) -> None:
    _registry(reference)
    archive = backup.backup(tmp_path / "backups")
    restored_media = tmp_path / "restored-media"
    assert backup.restore(archive, database=fresh_database, media_root=restored_media) == []
    make_enterprise(name="چاپ گستر", park=reference.park_p2)  # in the live database only
    (restored_media / "report.pdf").write_bytes(b"tampered")

    manifest = backup.read_manifest(archive)
    live = dict(connection.settings_dict)
    mismatches = {m.what for m in backup.verify(manifest, database=live, media_root=media)}
    restored = {
        m.what for m in backup.verify(manifest, database=fresh_database, media_root=restored_media)
    }

    assert "tables/enterprises_enterprise" in mismatches
    assert restored == {"media/report.pdf"}


def test_restore_refuses_a_database_that_is_not_empty(reference, media, tmp_path) -> None:
    archive = backup.backup(tmp_path / "backups")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), "--media-dir", str(tmp_path / "m"),
                     stdout=StringIO())  # fmt: skip


def test_a_backup_that_dies_half_way_leaves_nothing_that_looks_complete(
    reference, media, tmp_path, monkeypatch
) -> None:
    def die(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # what SIGINT/SIGTERM raise in the middle of writing

    monkeypatch.setattr(tarfile.TarFile, "add", die)

    with pytest.raises(KeyboardInterrupt):
        backup.backup(tmp_path / "backups")

    assert list((tmp_path / "backups").iterdir()) == []


# --- restore checks everything before writing anything; archives are encrypted ---------------

KEY = Fernet.generate_key().decode()


def _is_empty(db: dict[str, Any]) -> bool:
    try:
        backup._check_database_empty(db)
    except backup.BackupError:
        return False
    return True


def _refused(archive: Path, db: dict[str, Any], media_root: Path) -> str:
    """The one-line reason ``archive`` is refused; asserts nothing was written."""
    with pytest.raises(backup.BackupError) as exc:
        backup.restore(archive, database=db, media_root=media_root)
    assert _is_empty(db) and not media_root.exists()
    assert "\n" not in str(exc.value)
    return str(exc.value)


def _rewritten(archive: Path, replace: dict[str, bytes | None]) -> Path:
    """A copy of an unencrypted ``archive`` with members replaced (``None``: left out)."""
    copy = archive.with_name("changed.tar")
    with tarfile.open(archive) as source, tarfile.open(copy, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            data = replace.get(member.name, data)  # type: ignore[assignment]
            if data is not None:
                member.size = len(data)
                target.addfile(member, io.BytesIO(data))
    return copy


def _cut(archive: Path) -> Path:
    copy = archive.with_name("cut-" + archive.name)
    copy.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    return copy


def test_an_encrypted_archive_shows_nothing_readable_and_restores_with_its_key(
    reference, media, fresh_database, tmp_path, settings
) -> None:
    settings.BACKUP_KEY = KEY
    _registry(reference)
    out, err = StringIO(), StringIO()

    call_command("backup", "--to", str(tmp_path / "backups"), stdout=out, stderr=err)

    [archive] = (tmp_path / "backups").glob("pishran-backup-*.tar.enc")
    raw = archive.read_bytes()
    for plain in (b"manifest.json", "ریخته‌گری پیشران".encode(), b"PGDMP", b"SQLite format",
                  b"%PDF-1.7"):  # fmt: skip
        assert plain not in raw
    assert err.getvalue() == ""  # no warning: it is encrypted
    restored_media = tmp_path / "restored-media"
    assert backup.restore(archive, database=fresh_database, media_root=restored_media) == []
    assert (restored_media / "report.pdf").read_bytes() == (media / "report.pdf").read_bytes()


def test_an_encrypted_archive_with_a_wrong_or_missing_key_or_cut_short_is_refused(
    reference, media, fresh_database, tmp_path, settings
) -> None:
    settings.BACKUP_KEY = KEY
    archive = backup.backup(tmp_path / "backups")
    target = tmp_path / "restored-media"

    assert "cut short" in _refused(_cut(archive), fresh_database, target)
    settings.BACKUP_KEY = Fernet.generate_key().decode()
    assert "another key" in _refused(archive, fresh_database, target)
    settings.BACKUP_KEY = ""
    assert "set PISHRAN_BACKUP_KEY" in _refused(archive, fresh_database, target)
    # Through the command: one line, and the key is named before the live database is.
    with pytest.raises(CommandError, match="encrypted: set PISHRAN_BACKUP_KEY"):
        call_command("restore", str(archive), "--media-dir", str(target), stdout=StringIO())


def test_a_truncated_archive_or_a_damaged_manifest_is_refused_in_one_line(
    reference, media, fresh_database, tmp_path
) -> None:
    archive = backup.backup(tmp_path / "backups")
    target = tmp_path / "restored-media"

    assert "cannot be read" in _refused(_cut(archive), fresh_database, target)
    not_json = _rewritten(archive, {"manifest.json": b'{"format": 1, "tables": '})
    assert "manifest.json is damaged" in _refused(not_json, fresh_database, target)
    no_media = _rewritten(archive, {"manifest.json": b'{"format": 1, "vendor": "sqlite"}'})
    assert "manifest.json is damaged" in _refused(no_media, fresh_database, target)
    with pytest.raises(CommandError, match="cannot be read") as exc:
        call_command("restore", str(_cut(archive)), "--media-dir", str(target),
                     stdout=StringIO())  # fmt: skip
    assert "\n" not in str(exc.value)


def test_a_damaged_or_missing_file_is_found_before_the_database_is_written(
    reference, media, fresh_database, tmp_path
) -> None:
    _registry(reference)
    archive = backup.backup(tmp_path / "backups")
    target = tmp_path / "restored-media"
    dump = backup.read_manifest(archive)["database_file"]

    damaged = _rewritten(archive, {"media/report.pdf": b"%PDF-1.7 damaged"})
    assert "media/report.pdf does not match its checksum" in _refused(
        damaged, fresh_database, target
    )
    missing = _rewritten(archive, {"media/logos/پیشران.png": None})
    assert "media/logos/پیشران.png is missing" in _refused(missing, fresh_database, target)
    no_database = _rewritten(archive, {dump: None})
    assert f"the database file {dump} is missing" in _refused(no_database, fresh_database, target)


def test_without_a_key_a_backup_is_refused_unless_unencrypted_ones_are_allowed(
    reference, media, tmp_path, settings
) -> None:
    settings.BACKUP_KEY = ""
    settings.BACKUP_ALLOW_UNENCRYPTED = False
    with pytest.raises(CommandError, match="PISHRAN_BACKUP_KEY is not set"):
        call_command("backup", "--to", str(tmp_path / "backups"), stdout=StringIO())
    assert not list((tmp_path / "backups").glob("pishran-backup-*"))

    settings.BACKUP_ALLOW_UNENCRYPTED = True
    err = StringIO()
    call_command("backup", "--to", str(tmp_path / "backups"), stdout=StringIO(), stderr=err)
    [archive] = (tmp_path / "backups").glob("pishran-backup-*.tar")
    assert "NOT encrypted" in err.getvalue()
    assert backup.read_manifest(archive)["format"] == backup.FORMAT
