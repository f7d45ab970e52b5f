"""A web process starts with its views imported, both catalogues loaded and what it loaded
frozen out of the garbage collector's walks (``pishran.startup``): the oldest generation's
collection then walks what requests leave behind, not the whole process, and no request
pays a 35-70 ms pause for it. Management commands and the tests are not web processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import gc, json, sys\n"
    "before = gc.get_freeze_count()\n"
    "import {module}\n"
    "from django.urls import get_resolver\n"
    "print(json.dumps({{'before': before, 'frozen': gc.get_freeze_count(),"
    " 'views': 'enterprises.views' in sys.modules and 'indicators.views' in sys.modules,"
    " 'resolver': get_resolver()._populated}}))\n"
)


def _start(module: str) -> dict[str, object]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pishran.settings"}
    env.pop("PISHRAN_WEB_PROCESS", None)
    out = subprocess.check_output(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        env=env,
        text=True,
        timeout=120,
    )
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_wsgi_process_freezes_what_it_loaded_at_start() -> None:
    started = _start("pishran.wsgi")

    assert started["views"] is True and started["resolver"] is True
    # the loaded product: tens of thousands of modules' functions, classes and dicts (the
    # interpreter may have frozen a few hundred of its own before)
    assert isinstance(started["frozen"], int) and isinstance(started["before"], int)
    assert started["frozen"] - started["before"] > 50_000


def test_the_asgi_process_does_the_same() -> None:
    started = _start("pishran.asgi")

    assert started["views"] is True
    assert isinstance(started["frozen"], int) and isinstance(started["before"], int)
    assert started["frozen"] - started["before"] > 50_000


def _frozen(*command: str) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pishran.settings"}
    env.pop("PISHRAN_WEB_PROCESS", None)
    out = subprocess.check_output(
        [sys.executable, *command], cwd=ROOT, env=env, text=True, timeout=120
    )
    return int(out.strip().splitlines()[-1])


def test_a_management_command_freezes_nothing_of_its_own() -> None:
    show = "import gc; print(gc.get_freeze_count())"
    interpreter = _frozen("-c", show)

    assert _frozen("manage.py", "shell", "-c", show) == interpreter
