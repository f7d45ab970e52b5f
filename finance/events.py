"""What the «گام» certificates' services tell the layers above (``pishran.events``); listed
in ``docs/architecture.md``. (Referrals and capital-market files are cases: their writes
announce the cases' events, ``cases.events``.) The indicators start a new figures version
on each: a buyer's chain of suppliers is kept per version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from pishran.events import Event


@dataclass(frozen=True)
class CertificateEvent(Event):
    """Something happened to one certificate (every event below)."""

    certificate_id: int
    buyer_id: int
    date: dt.date


@dataclass(frozen=True)
class CertificateIssued(CertificateEvent):
    name: ClassVar[str] = "certificate.issued"
    supplier_id: int
    bank_id: int
    amount: int


@dataclass(frozen=True)
class CertificatePassed(CertificateEvent):
    name: ClassVar[str] = "certificate.passed"
    from_holder_id: int
    to_holder_id: int


@dataclass(frozen=True)
class CertificateDiscounted(CertificateEvent):
    name: ClassVar[str] = "certificate.discounted"
    holder_id: int
    bank_id: int


@dataclass(frozen=True)
class CertificateSettled(CertificateEvent):
    name: ClassVar[str] = "certificate.settled"
    holder_id: int | None
