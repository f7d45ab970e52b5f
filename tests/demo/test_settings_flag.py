"""The demo exists only when it is configured (``PISHRAN_DEMO=1``): with the production
settings Django knows none of its commands. Checked through ``manage.py`` in a subprocess,
as an operator would run it (this suite itself runs with the demo: ``tests/demo_flag.py``)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
DEMO_COMMANDS = (
    "seed_demo",
    "seed_clusters",
    "seed_clinics",
    "seed_consortia",
    "seed_targets",
    "demo_accounts",
)


def _manage(*args: str, var_dir: Path, demo: bool) -> subprocess.CompletedProcess[str]:
    """``manage.py`` with a production environment (DEBUG off, a real secret key), plus
    the demo flag only if ``demo``."""
    env = {k: v for k, v in os.environ.items() if k != "PISHRAN_DEMO"}
    env.update(
        DJANGO_SETTINGS_MODULE="pishran.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="pishran.example.ir",
        PISHRAN_VAR_DIR=str(var_dir),
    )
    if demo:
        env["PISHRAN_DEMO"] = "1"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _listed(help_text: str) -> set[str]:
    return {line.strip() for line in help_text.splitlines() if line.startswith("    ")}


def test_the_production_settings_have_no_demo_commands(tmp_path: Path) -> None:
    listing = _manage("help", var_dir=tmp_path, demo=False)
    assert listing.returncode == 0, listing.stderr
    assert "load_reference" in _listed(listing.stdout)  # production commands stay
    assert "rebuild_facts" in _listed(listing.stdout)
    assert not set(DEMO_COMMANDS) & _listed(listing.stdout)
    assert "[demo]" not in listing.stdout

    seed = _manage("seed_demo", "--force", var_dir=tmp_path, demo=False)
    assert seed.returncode != 0
    assert "Unknown command: 'seed_demo'" in seed.stderr


def test_with_the_demo_flag_the_demo_commands_exist(tmp_path: Path) -> None:
    listing = _manage("help", var_dir=tmp_path, demo=True)
    assert listing.returncode == 0, listing.stderr
    assert set(DEMO_COMMANDS) <= _listed(listing.stdout)


def test_the_suite_runs_with_the_demo_installed() -> None:
    assert apps.is_installed("demo")


@pytest.mark.django_db
def test_the_demo_app_has_every_migration_it_needs() -> None:
    # CI checks migrations with the production settings, where the demo app is absent.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_no_production_app_imports_the_demo() -> None:
    # Without the flag the demo app is not installed: a production module importing it
    # would fail there.
    importing = re.compile(r"^\s*(from demo[ .]|import demo\b)", re.MULTILINE)
    local = [a for a in settings.INSTALLED_APPS if (ROOT / a).is_dir() and a != "demo"]
    assert "enterprises" in local
    offenders = [
        str(path.relative_to(ROOT))
        for app in local
        for path in (ROOT / app).rglob("*.py")
        if importing.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
