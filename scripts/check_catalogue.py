"""Fail when a gettext catalogue has untranslated or fuzzy entries.

Usage: python scripts/check_catalogue.py locale/fa/LC_MESSAGES/django.po
Uses GNU msgfmt's own statistics, so it reads the file exactly as compilemessages does."""

from __future__ import annotations

import re
import subprocess
import sys


def main(path: str) -> int:
    result = subprocess.run(
        ["msgfmt", "--statistics", "--check-format", "-o", "/dev/null", path],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
    )
    report = (result.stderr + result.stdout).strip()
    fuzzy = re.search(r"(\d+) fuzzy", report)
    untranslated = re.search(r"(\d+) untranslated", report)
    problems = []
    if result.returncode != 0:
        problems.append("msgfmt refused the file")
    if fuzzy:
        problems.append(f"{fuzzy.group(1)} fuzzy")
    if untranslated:
        problems.append(f"{untranslated.group(1)} untranslated")
    print(f"{path}: {report}")
    if problems:
        print("Catalogue incomplete: " + ", ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
