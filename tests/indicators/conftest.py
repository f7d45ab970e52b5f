"""Fixtures of the indicators' tests."""

from __future__ import annotations

import time
from typing import Any

import pytest

from indicators import pagecache


class Clock:
    """The kept pages' clock (``pagecache._now``), stopped, and moved on by hand only (a
    slow test run must not age the pages)."""

    def __init__(self) -> None:
        self.at = time.time()

    def now(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds


@pytest.fixture
def clock(monkeypatch: Any) -> Clock:
    moved = Clock()
    monkeypatch.setattr(pagecache, "_now", moved.now)
    return moved
