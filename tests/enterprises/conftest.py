"""Fixtures shared by the enterprise view tests."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from enterprises.models import Enterprise
from enterprises.services import enterprise_update
from tests.factories import reload


@pytest.fixture
def units(registry: Any) -> dict[str, Enterprise]:
    """The registry's units by name (``units["qom_outside"]``), each with a personal
    mobile (which the public never sees)."""
    found = {}
    for i, field in enumerate(fields(registry)):
        unit = getattr(registry, field.name)
        enterprise_update(
            actor=None, enterprise=unit, data={"mobile": f"0913{i + 1:07d}"}, fields=("mobile",)
        )
        found[field.name] = reload(unit)
    return found
