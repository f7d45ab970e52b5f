"""Backup and restore drill: ``manage.py backup`` writes one archive (database + uploaded
files + manifest); ``manage.py restore`` puts it into a fresh database and an empty media
directory and verifies every table and file against the manifest.

These tests commit (``transactional_db``): pg_dump and the restore read the database from
their own connections, as they do in production."""

from __future__ import annotations

import tarfile
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
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
