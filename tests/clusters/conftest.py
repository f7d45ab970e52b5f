from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Service messages are asserted in their English msgid (pages are still Persian:
    each request activates its own language)."""
    with translation.override("en"):
        yield
