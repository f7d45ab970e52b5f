"""Every action written to the change history has a label in the reader's language: a
unit's history never shows a code such as ``certificate_issue`` (issue 20, item 9)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from audit.presenters import ACTION_LABELS

# action="…" in the modules that write audit records (the apps' services).
_WRITTEN = re.compile(r"\baction=\"([a-z_]+)\"")


def _actions_written() -> set[str]:
    found: set[str] = set()
    for path in Path(settings.BASE_DIR).glob("*/*.py"):
        if path.parts[-2] in {"tests", "bench", ".venv"}:
            continue
        text = path.read_text(encoding="utf-8")
        if "audit_record(" in text:
            found |= set(_WRITTEN.findall(text))
    return found


def test_the_scan_finds_the_actions_of_the_apps() -> None:
    assert {"create", "status", "referral_introduce", "certificate_issue"} <= _actions_written()


def test_every_action_written_has_a_label() -> None:
    assert sorted(_actions_written() - set(ACTION_LABELS)) == []
