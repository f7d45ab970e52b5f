"""What the places app announces (``pishran.events``): a park or zone saved through its
services, and the reference data (re)loaded by ``manage.py load_reference``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pishran.events import Event


@dataclass(frozen=True)
class ParkSaved(Event):
    """A park or zone created (``created``) or changed (``changed``: the fields that did)."""

    name: ClassVar[str] = "park.saved"
    park_id: int
    province_id: int
    created: bool
    changed: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceLoaded(Event):
    """``load_reference`` wrote the provinces, ISIC divisions, industry groups and named
    parks (in the same transaction as the publish)."""

    name: ClassVar[str] = "reference.loaded"
    provinces: int
    parks_created: int
