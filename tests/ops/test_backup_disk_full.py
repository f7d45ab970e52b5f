"""A disk that fills up in the middle of a backup: one line that says so, nothing left that
looks like an archive. (``bench/faults.py backup-disk-full`` drills it on a real tmpfs.)"""

from __future__ import annotations

import errno
import tarfile

import pytest
from django.core.management import CommandError, call_command

# A backup reads the database from another connection: the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_full_disk_stops_the_backup_with_one_line_and_leaves_nothing(
    reference, settings, tmp_path, monkeypatch
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_ALLOW_UNENCRYPTED = True

    def full(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tarfile.TarFile, "add", full)
    with pytest.raises(CommandError) as error:
        call_command("backup", "--to", str(tmp_path / "backups"))

    assert "full" in str(error.value) and "\n" not in str(error.value)
    assert list((tmp_path / "backups").iterdir()) == []
