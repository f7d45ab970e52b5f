"""What other apps show on a unit's page: the support it receives (cases of every type,
productive-credit certificates, export consortia…). The registry sits below those apps and
names none of them: each registers a provider in its ``AppConfig.ready``, which answers
the section for a person and a unit from its own access rules, or None when the person
may see nothing of it there (the public, another province's officer).

A provider returns a ``Section``: a heading, a template (rendered with the section's
``context`` and ``enterprise``) and an order on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import Enterprise


@dataclass(frozen=True)
class Section:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


Provider = Callable[[Any, Enterprise], Section | None]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def sections_for(user: Any, enterprise: Enterprise) -> list[Section]:
    """The sections the person may see on the unit's page, in their order."""
    found = [s for s in (provider(user, enterprise) for provider in _PROVIDERS) if s is not None]
    return sorted(found, key=lambda s: (s.order, str(s.title)))
