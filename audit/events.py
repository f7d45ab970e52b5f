"""What the audited back office announces (``pishran.events``): a reference row (province,
industry group, ISIC division, indicator, target…) saved or deleted through
``audit.admin.AuditedModelAdmin``. Whatever is computed from or shown with reference data
(the indicators' figures) subscribes to the ``reference.`` prefix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pishran.events import Event


@dataclass(frozen=True)
class ReferenceRowSaved(Event):
    """``model``: the row's ``app_label.model_name`` (``places.province``)."""

    name: ClassVar[str] = "reference.row_saved"
    model: str
    pk: int
    created: bool
    changed: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceRowDeleted(Event):
    name: ClassVar[str] = "reference.row_deleted"
    model: str
    pk: int
