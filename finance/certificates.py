"""Productive-credit certificates («گام»): issue, pass on along the supply chain, discount,
settle at maturity — each step dated and audited, in one transaction; and a buyer's chain of
suppliers with what they hold and which of them are idle or short of working capital.

Refusals name their field and save nothing: a buyer who is its own supplier, a term outside
1–12 months, an amount not in rials or not positive, a code already registered, a step by a
unit that does not hold the paper, a date before the previous step or after maturity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from audit.services import audit_record
from enterprises.models import Enterprise, Status
from persian.jalali import add_months, format_date, today
from pishran.events import publish

from .events import (
    CertificateDiscounted,
    CertificateIssued,
    CertificatePassed,
    CertificateSettled,
)
from .models import Bank, Certificate, CertificateStep
from .services import _amount


def _check_day(field: str, value: dt.date, not_before: dt.date | None = None) -> None:
    if value > today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {
                field: _("The date cannot be before %(date)s, the previous step.")
                % {"date": format_date(not_before)}
            }
        )


def _step(
    certificate: Certificate, actor: Any, kind: str, date: dt.date, **fields: Any
) -> CertificateStep:
    return CertificateStep.objects.create(
        certificate=certificate,
        kind=kind,
        date=date,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )


@transaction.atomic
def certificate_issue(
    *,
    actor: Any,
    code: str,
    bank: Bank,
    buyer: Enterprise,
    supplier: Enterprise,
    amount: int,
    issued_on: dt.date,
    term_months: int,
) -> Certificate:
    code = (code or "").strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("Enter the certificate's code in the central bank's system.")
    elif Certificate.objects.filter(code=code).exists():
        errors["code"] = _("A certificate with this code is already registered.")
    if buyer.pk == supplier.pk:
        errors["supplier"] = _("The supplier must be another unit than the buyer.")
    if not isinstance(term_months, int) or not 1 <= term_months <= 12:
        errors["term_months"] = _("The term is 1 to 12 months.")
    for name, unit in (("buyer", buyer), ("supplier", supplier)):
        if unit.status == Status.CLOSED:
            errors[name] = _("%(unit)s is closed.") % {"unit": unit.name}
    if errors:
        raise ValidationError(errors)
    amount = _amount("amount", amount)
    _check_day("issued_on", issued_on)
    certificate = Certificate(
        code=code[:40],
        bank=bank,
        buyer=buyer,
        supplier=supplier,
        amount=amount,
        issued_on=issued_on,
        term_months=term_months,
        matures_on=add_months(issued_on, term_months),
        holder=supplier,
    )
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError as error:
        raise ValidationError(
            {"code": _("A certificate with this code is already registered.")}
        ) from error
    _step(certificate, actor, CertificateStep.Kind.ISSUE, issued_on, to_holder=supplier, bank=bank)
    audit_record(
        actor=actor,
        action="certificate_issue",
        target=certificate,
        subject=buyer,
        changes={
            "supplier": [None, supplier.pk],
            "amount": [None, amount],
            "term_months": [None, term_months],
        },
    )
    publish(
        CertificateIssued(
            certificate_id=certificate.pk,
            buyer_id=buyer.pk,
            date=issued_on,
            supplier_id=supplier.pk,
            bank_id=bank.pk,
            amount=amount,
        )
    )
    return certificate


def _locked_held_by(certificate: Certificate, unit: Enterprise, field: str) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.state != Certificate.State.HELD or certificate.holder_id != unit.pk:
        raise ValidationError(
            {field: _("%(unit)s does not hold this certificate.") % {"unit": unit.name}}
        )
    return certificate


def _last_date(certificate: Certificate) -> dt.date:
    return certificate.steps.order_by("-date", "-id").values_list("date", flat=True)[0]


@transaction.atomic
def certificate_pass(
    *, actor: Any, certificate: Certificate, holder: Enterprise, to: Enterprise, date: dt.date
) -> CertificateStep:
    """The holder passes the certificate on to another registered unit (its own supplier)."""
    certificate = _locked_held_by(certificate, holder, "holder")
    if to.pk == holder.pk:
        raise ValidationError({"to": _("Pass the certificate to another unit.")})
    if to.status == Status.CLOSED:
        raise ValidationError({"to": _("%(unit)s is closed.") % {"unit": to.name}})
    _check_day("date", date, _last_date(certificate))
    if date > certificate.matures_on:
        raise ValidationError(
            {
                "date": _("The certificate matured on %(date)s.")
                % {"date": format_date(certificate.matures_on)}
            }
        )
    certificate.holder = to
    certificate.save(update_fields=["holder"])
    step = _step(
        certificate, actor, CertificateStep.Kind.TRANSFER, date, from_holder=holder, to_holder=to
    )
    audit_record(
        actor=actor,
        action="certificate_pass",
        target=certificate,
        subject=holder,
        changes={"holder": [holder.pk, to.pk]},
    )
    publish(
        CertificatePassed(
            certificate_id=certificate.pk,
            buyer_id=certificate.buyer_id,
            date=date,
            from_holder_id=holder.pk,
            to_holder_id=to.pk,
        )
    )
    return step


@transaction.atomic
def certificate_discount(
    *, actor: Any, certificate: Certificate, holder: Enterprise, bank: Bank, date: dt.date
) -> CertificateStep:
    """The holder discounts the certificate at a bank: it leaves the supply chain."""
    certificate = _locked_held_by(certificate, holder, "holder")
    _check_day("date", date, _last_date(certificate))
    if date > certificate.matures_on:
        raise ValidationError(
            {
                "date": _("The certificate matured on %(date)s.")
                % {"date": format_date(certificate.matures_on)}
            }
        )
    certificate.holder, certificate.state = None, Certificate.State.DISCOUNTED
    certificate.save(update_fields=["holder", "state"])
    step = _step(
        certificate, actor, CertificateStep.Kind.DISCOUNT, date, from_holder=holder, bank=bank
    )
    audit_record(
        actor=actor,
        action="certificate_discount",
        target=certificate,
        subject=holder,
        changes={"bank": [None, bank.code]},
    )
    publish(
        CertificateDiscounted(
            certificate_id=certificate.pk,
            buyer_id=certificate.buyer_id,
            date=date,
            holder_id=holder.pk,
            bank_id=bank.pk,
        )
    )
    return step


@transaction.atomic
def certificate_settle(*, actor: Any, certificate: Certificate, date: dt.date) -> CertificateStep:
    """Paid to its holder at maturity."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.state != Certificate.State.HELD:
        raise ValidationError({"date": _("Only a certificate still held is settled at maturity.")})
    if date < certificate.matures_on:
        raise ValidationError(
            {
                "date": _("The certificate matures on %(date)s.")
                % {"date": format_date(certificate.matures_on)}
            }
        )
    _check_day("date", date)
    holder = certificate.holder
    certificate.holder, certificate.state = None, Certificate.State.SETTLED
    certificate.save(update_fields=["holder", "state"])
    step = _step(certificate, actor, CertificateStep.Kind.MATURITY, date, from_holder=holder)
    audit_record(
        actor=actor, action="certificate_settle", target=certificate, subject=certificate.buyer
    )
    publish(
        CertificateSettled(
            certificate_id=certificate.pk,
            buyer_id=certificate.buyer_id,
            date=date,
            holder_id=holder.pk if holder is not None else None,
        )
    )
    return step


# --- a buyer's chain ---------------------------------------------------------------------------


@dataclass
class ChainMember:
    unit_id: int
    status: str
    sort_key: str
    certificates: int = 0
    outstanding: int = 0  # held now, not yet matured (rials)
    idle: bool = False
    working_capital: bool = False  # a clinic diagnosed working capital as the main problem
    depth: int = 1  # 1: the buyer's direct supplier; 2: the supplier's supplier…
    via: set[int] = field(default_factory=set)
    unit: Enterprise | None = None  # read whole for the rows shown (``named``)


def chain(buyer: Enterprise, certificates: QuerySet[Certificate]) -> list[ChainMember]:
    """Every unit the buyer's certificates reached (the suppliers and whoever they passed
    them to), with how many certificates reached it, the amount it holds now, and whether it
    is idle or was diagnosed short of working capital. A busy buyer's chain reaches
    thousands of units: each is read as its id, status and name order only (no model
    instance), and the units are asked for by subquery, not by a list of their ids."""
    from cases.models import Case
    from clinics.models import DiagnosisCause

    mine = certificates.filter(buyer=buyer)
    depth_of: dict[tuple[int, int], int] = {}
    via: dict[int, set[int]] = {}
    depth_min: dict[int, int] = {}
    reached = CertificateStep.objects.filter(certificate__in=mine, to_holder__isnull=False)
    # The steps with each unit reached (its status and name order) in one read.
    steps = reached.order_by("certificate_id", "date", "id").values_list(
        "certificate_id",
        "from_holder_id",
        "to_holder_id",
        "to_holder__status",
        "to_holder__sort_key",
    )
    units: dict[int, tuple[str, str]] = {}
    for certificate_id, from_holder, to_holder, status, sort_key in steps:
        depth = 1 if from_holder is None else depth_of.get((certificate_id, from_holder), 1) + 1
        depth_of[(certificate_id, to_holder)] = depth
        depth_min[to_holder] = min(depth_min.get(to_holder, depth), depth)
        via.setdefault(to_holder, set()).add(certificate_id)
        units[to_holder] = (status, sort_key)
    holders = reached.values("to_holder_id")
    members = {
        pk: ChainMember(
            pk,
            status,
            sort_key,
            certificates=len(via[pk]),
            idle=status in (Status.IDLE, Status.SEMI_ACTIVE),
            depth=depth_min[pk],
            via=via[pk],
        )
        for pk, (status, sort_key) in units.items()
    }
    for holder, total in (
        mine.filter(state=Certificate.State.HELD, matures_on__gte=today())
        .values_list("holder_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        if holder in members:
            members[holder].outstanding = total
    for pk in DiagnosisCause.objects.filter(
        primary=True,
        cause="working_capital",
        diagnosis__case__in=Case.objects.filter(type="clinic", enterprise_id__in=holders),
    ).values_list("diagnosis__case__enterprise_id", flat=True):
        members[pk].working_capital = True
    return sorted(members.values(), key=lambda m: (m.depth, -m.outstanding, m.sort_key))


def named(members: list[ChainMember]) -> list[ChainMember]:
    """Copies of ``members`` with their units read whole (name, province), for the rows
    shown (copies: the chain itself may be kept and shared between requests)."""
    units = Enterprise.objects.select_related("province").in_bulk([m.unit_id for m in members])
    return [replace(member, unit=units[member.unit_id]) for member in members]


@dataclass
class ChainSummary:
    units: int
    idle: int
    working_capital: int
    outstanding: int


def summary(members: list[ChainMember]) -> ChainSummary:
    return ChainSummary(
        len(members),
        sum(m.idle for m in members),
        sum(m.working_capital for m in members),
        sum(m.outstanding for m in members),
    )
