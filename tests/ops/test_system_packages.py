"""``scripts/system-packages.sh``, run by ``make test`` and CI before the suite: with a
Debian package missing it installs it as root, and otherwise stops naming the command.

Each test runs the script with a PATH of stand-ins only (a ``pg_dump``, an ``apt-get``
that writes down how it was called, never ``msgfmt``), so gettext is missing whatever this
machine has; ``PISHRAN_SYSTEM_PACKAGES_UID`` makes the script act as root or not."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system-packages.sh"
BASH = shutil.which("bash") or "/bin/bash"
# Chromium is looked for at its Debian path, which these tests cannot hide.
CHROMIUM_MISSING = [] if os.access("/usr/bin/chromium", os.X_OK) else ["chromium"]


def _stand_in(bin_dir: Path, name: str, body: str = "exit 0") -> None:
    path = bin_dir / name
    path.write_text(f"#!{BASH}\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stand_in(bin_dir, "pg_dump")
    _stand_in(bin_dir, "apt-get", f'echo "${{DEBIAN_FRONTEND:-}}|$*" >> {tmp_path / "apt-calls"}')
    return bin_dir


def _run(bin_dir: Path, uid: int) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    env = {"PATH": str(bin_dir), "PISHRAN_SYSTEM_PACKAGES_UID": str(uid)}
    result = subprocess.run(
        [BASH, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )
    calls = bin_dir.parent / "apt-calls"
    return result, calls.read_text().splitlines() if calls.exists() else []


def test_not_root_it_stops_naming_the_command_and_installs_nothing(bin_dir: Path) -> None:
    result, apt_calls = _run(bin_dir, uid=1000)

    assert result.returncode != 0
    command = " ".join(["sudo apt-get install", *CHROMIUM_MISSING, "gettext"])
    assert command in result.stderr.splitlines()[-1]
    assert apt_calls == []


def test_as_root_it_installs_what_is_missing(bin_dir: Path) -> None:
    result, apt_calls = _run(bin_dir, uid=0)

    assert result.returncode == 0, result.stderr
    packages = " ".join([*CHROMIUM_MISSING, "gettext"])
    assert apt_calls == ["|update -qq", f"noninteractive|install -y -qq {packages}"]


@pytest.mark.skipif(bool(CHROMIUM_MISSING), reason="needs /usr/bin/chromium")
def test_with_nothing_missing_it_does_nothing_even_as_root(bin_dir: Path) -> None:
    _stand_in(bin_dir, "msgfmt")

    result, apt_calls = _run(bin_dir, uid=0)

    assert (result.returncode, result.stderr, apt_calls) == (0, "", [])
