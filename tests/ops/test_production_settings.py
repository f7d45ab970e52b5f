"""Production is the same settings file with a production environment: these run
``manage.py`` in a subprocess, as the server would start, with nothing from the test run."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PISHRAN_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="pishran.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="pishran.example.ir",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://pishran.example.ir",
        PISHRAN_VAR_DIR=str(tmp_path / "var"),
        DJANGO_EMAIL_HOST="smtp.example.ir",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_deployment_checklist_passes_with_a_production_environment(tmp_path) -> None:
    run = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY is required"),
        ({"DJANGO_SECRET_KEY": "too-short-and-guessable"}, "50 characters or more"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be true or false"),
    ],
)
def test_production_refuses_to_start_without_a_strong_secret_key(
    tmp_path, overrides, complaint
) -> None:
    run = manage(production_env(tmp_path, **overrides), "check", "--deploy")

    assert run.returncode != 0
    assert complaint in run.stderr


def test_the_deployment_checklist_fails_when_a_protection_is_switched_off(tmp_path) -> None:
    env = production_env(tmp_path, DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_HSTS_SECONDS="0")

    run = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert run.returncode != 0
    assert "security.W008" in run.stderr and "security.W004" in run.stderr


def test_collectstatic_writes_hashed_compressed_files_that_production_serves(tmp_path) -> None:
    env = production_env(tmp_path)

    run = manage(env, "collectstatic", "--noinput", "-v0")

    assert run.returncode == 0, run.stderr
    static = tmp_path / "var" / "staticfiles"
    assert (static / "staticfiles.json").is_file()  # the manifest: {% static %} → hashed name
    hashed = sorted(p.name for p in (static / "css").glob("app.*.css"))
    assert hashed and any(n.endswith(".css") and n.count(".") == 2 for n in hashed)
    assert list((static / "css").glob("app.*.css.gz"))  # whitenoise serves these compressed

    # A page rendered with DEBUG off points at the hashed file, and whitenoise serves it
    # with a far-future cache lifetime.
    probe = (
        "import django; django.setup();"
        "from django.test import Client;"
        "c = Client(headers={'host': 'pishran.example.ir'});"
        "html = c.get('/accounts/login/', secure=True).content.decode();"
        "import re; css = re.search(r'/static/css/app\\.[0-9a-f]{12}\\.css', html).group(0);"
        "r = c.get(css, secure=True); print(r.status_code, r.headers.get('Cache-Control'))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    status, cache_control = run.stdout.split(" ", 1)
    assert status == "200"
    assert "immutable" in cache_control
