"""The open data's tests: snapshots written under a temporary MEDIA_ROOT, the indicator
catalogue loaded and the figures' caches empty, so each test sees the registry it built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from indicators import sources


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def catalogue(db: None) -> None:
    from indicators.catalogue import load_indicators

    load_indicators()
    cache.clear()
    sources.forget()
    yield
    cache.clear()
    sources.forget()
