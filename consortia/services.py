"""Every write of the export consortia: form one (with at least three active members),
add and remove members (never below three active), record a member's export readiness and
exports per Jalali year, record support against the year's cap, set the cap. Each is one
transaction: validate, save, ``audit_record``, publish its event (``consortia/events.py``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from audit.services import audit_record
from clusters.services import check_upload
from enterprises.models import Enterprise, Status
from enterprises.selectors import status_on
from persian import jalali
from persian.templatetags.persian import digits, rials
from persian.text import normalize
from pishran.events import publish

from . import countries
from .events import (
    CapSet,
    ConsortiumFormed,
    ExportsRecorded,
    MemberJoined,
    MemberLeft,
    ReadinessRecorded,
    SupportRecorded,
)
from .models import (
    DEFAULT_CAP,
    MIN_ACTIVE_MEMBERS,
    Consortium,
    ExportYear,
    Member,
    Readiness,
    SupportCap,
    SupportEntry,
    SupportKind,
    TargetMarket,
)

# An amount above this is a typo (a larger unit typed into rials or dollars).
MAX_AMOUNT = 10**16


def _author(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _amount(field: str, value: Any, *, zero: bool = False, unit: str = "rials") -> int:
    if value is None or isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("Enter the amount in digits only.")})
    if value < 0 or (value == 0 and not zero):
        raise ValidationError({field: _("The amount must be more than zero.")})
    if value > MAX_AMOUNT:
        raise ValidationError(
            {field: _("The amount is too large: enter it in %(unit)s.") % {"unit": unit}}
        )
    return value


def _not_future(field: str, date: dt.date) -> None:
    if date > jalali.today():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _check_active(field: str, unit: Enterprise, date: dt.date) -> None:
    """A member must be active in the registry on the day it joins."""
    status = status_on(unit, date)
    if status != Status.ACTIVE:
        raise ValidationError(
            {
                field: _("Only active units can be members: on %(date)s %(unit)s was %(status)s.")
                % {
                    "unit": unit.name,
                    "date": jalali.format_date(date),
                    "status": Status(status).label if status else _("not yet registered"),
                }
            }
        )


def _lock(consortium: Consortium) -> Consortium:
    return Consortium.objects.select_for_update().get(pk=consortium.pk)


def cap_for(year: int) -> int:
    """The support cap of a Jalali year (rials): the one national staff set, else the
    default."""
    found = SupportCap.objects.filter(year=year).values_list("amount", flat=True).first()
    return found if found is not None else DEFAULT_CAP


def support_used(consortium: Consortium, year: int) -> int:
    total = SupportEntry.objects.filter(consortium=consortium, year=year).aggregate(
        s=Sum("amount")
    )["s"]
    return int(total or 0)


def active_on(members: Iterable[Member], date: dt.date) -> list[Member]:
    """The members (still in on ``date``) whose unit was active in the registry that day."""
    return [
        m
        for m in members
        if m.joined_on <= date
        and (m.left_on is None or m.left_on > date)
        and status_on(m.enterprise, date) == Status.ACTIVE
    ]


@transaction.atomic
def consortium_form(
    *,
    actor: Any,
    name: str,
    province: Any,
    products: str,
    formed_on: dt.date,
    units: list[Enterprise],
    markets: list[str],
    cluster: Any = None,
    industry_group: Any = None,
) -> Consortium:
    """Form a consortium with its first members (at least three units active that day)."""
    errors: dict[str, str] = {}
    name = normalize(name or "").strip()
    products = normalize(products or "").strip()
    if not name:
        errors["name"] = _("Give the consortium a name.")
    if not products:
        errors["products"] = _("Say what the consortium exports.")
    markets = list(dict.fromkeys(markets or []))
    if not markets:
        errors["markets"] = _("Choose at least one target market.")
    elif unknown := [m for m in markets if m not in countries.codes()]:
        errors["markets"] = _("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)}
    if cluster is not None and cluster.province_id != province.pk:
        errors["cluster"] = _("The cluster is in another province.")
    if errors:
        raise ValidationError(errors)
    _not_future("formed_on", formed_on)
    distinct = list({u.pk: u for u in units}.values())
    for unit in distinct:
        _check_active("units", unit, formed_on)
    if len(distinct) < MIN_ACTIVE_MEMBERS:
        raise ValidationError(
            {
                "units": _(
                    "A consortium needs at least %(min)s active member units; %(n)s were given."
                )
                % {"min": digits(MIN_ACTIVE_MEMBERS), "n": digits(len(distinct))}
            }
        )
    consortium = Consortium(
        name=name,
        province=province,
        products=products,
        formed_on=formed_on,
        cluster=cluster,
        industry_group=industry_group,
        created_by=_author(actor),
    )
    consortium.refresh_derived()
    consortium.full_clean()
    consortium.save()
    TargetMarket.objects.bulk_create(
        TargetMarket(consortium=consortium, country=code) for code in markets
    )
    Member.objects.bulk_create(
        Member(consortium=consortium, enterprise=unit, joined_on=formed_on) for unit in distinct
    )
    audit_record(
        actor=actor,
        action="consortium_form",
        target=consortium,
        changes={
            "name": [None, consortium.name],
            "members": [None, [u.name for u in distinct]],
            "markets": [None, markets],
        },
    )
    publish(
        ConsortiumFormed(
            consortium_id=consortium.pk,
            province_id=province.pk,
            member_ids=tuple(u.pk for u in distinct),
            date=formed_on,
        )
    )
    return consortium


@transaction.atomic
def member_add(
    *, actor: Any, consortium: Consortium, enterprise: Enterprise, joined_on: dt.date
) -> Member:
    consortium = _lock(consortium)
    if joined_on < consortium.formed_on:
        raise ValidationError(
            {
                "joined_on": _(
                    "The date cannot be before %(date)s, when the consortium was formed."
                )
                % {"date": jalali.format_date(consortium.formed_on)}
            }
        )
    _not_future("joined_on", joined_on)
    if consortium.members.filter(enterprise=enterprise, left_on__isnull=True).exists():
        raise ValidationError({"unit": _("This unit is already a member.")})
    _check_active("unit", enterprise, joined_on)
    member = Member.objects.create(
        consortium=consortium, enterprise=enterprise, joined_on=joined_on
    )
    audit_record(
        actor=actor,
        action="consortium_member_add",
        target=member,
        subject=consortium,
        changes={"enterprise": [None, enterprise.name]},
    )
    publish(
        MemberJoined(
            consortium_id=consortium.pk,
            member_id=member.pk,
            enterprise_id=enterprise.pk,
            date=joined_on,
        )
    )
    return member


@transaction.atomic
def member_remove(*, actor: Any, member: Member, left_on: dt.date, reason: str) -> Member:
    """A member leaves; refused when fewer than three active members would remain."""
    consortium = _lock(member.consortium)
    member = Member.objects.select_related("enterprise").get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError(_("This unit has already left the consortium."))
    reason = normalize(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the unit leaves.")})
    if left_on < member.joined_on:
        raise ValidationError(
            {
                "left_on": _("The date cannot be before %(date)s, when the unit joined.")
                % {"date": jalali.format_date(member.joined_on)}
            }
        )
    _not_future("left_on", left_on)
    others = consortium.members.filter(left_on__isnull=True).exclude(pk=member.pk)
    remaining = active_on(others.select_related("enterprise"), left_on)
    if len(remaining) < MIN_ACTIVE_MEMBERS:
        raise ValidationError(
            _(
                "The consortium would keep %(n)s active members; it needs at least %(min)s. "
                "Add a member first."
            )
            % {"n": digits(len(remaining)), "min": digits(MIN_ACTIVE_MEMBERS)}
        )
    member.left_on = left_on
    member.reason_left = reason[:300]
    member.full_clean()
    member.save(update_fields=["left_on", "reason_left"])
    audit_record(
        actor=actor,
        action="consortium_member_remove",
        target=member,
        subject=consortium,
        changes={"left_on": [None, left_on.isoformat()]},
        note=reason,
    )
    publish(
        MemberLeft(
            consortium_id=consortium.pk,
            member_id=member.pk,
            enterprise_id=member.enterprise_id,
            date=left_on,
        )
    )
    return member


@transaction.atomic
def readiness_record(
    *,
    actor: Any,
    member: Member,
    kind: str,
    title: str,
    date: dt.date,
    number: str = "",
    upload: UploadedFile | None = None,
) -> Readiness:
    """A member's export readiness: a certificate or an export record, dated, with an
    optional document under the cluster programme's upload rules."""
    errors: dict[str, str] = {}
    if kind not in Readiness.Kind.values:
        errors["kind"] = _("Choose a kind from the list.")
    title = normalize(title or "").strip()
    if not title:
        errors["title"] = _("Name the certificate or the record.")
    if errors:
        raise ValidationError(errors)
    _not_future("date", date)
    if member.left_on is not None:
        raise ValidationError({"member": _("This unit has left the consortium.")})
    readiness = Readiness(
        member=member,
        kind=kind,
        title=title[:200],
        number=normalize(number or "").strip()[:60],
        date=date,
        recorded_by=_author(actor),
    )
    if upload is not None:
        readiness.file_type = check_upload(upload)
        readiness.original_name = (upload.name or "")[-200:]
        readiness.size = upload.size or 0
        readiness.file.save(f"{uuid.uuid4().hex}.{readiness.file_type}", upload, save=False)
    try:
        readiness.save()
        audit_record(
            actor=actor,
            action="consortium_readiness",
            target=readiness,
            subject=member.consortium,
            changes={"title": [None, readiness.title], "unit": [None, member.enterprise.name]},
        )
    except Exception:
        if readiness.file:
            readiness.file.delete(save=False)
        raise
    publish(
        ReadinessRecorded(
            consortium_id=member.consortium_id,
            member_id=member.pk,
            readiness_id=readiness.pk,
            kind=kind,
            date=date,
        )
    )
    return readiness


@transaction.atomic
def exports_record(*, actor: Any, member: Member, year: int, amount_usd: int) -> ExportYear:
    """A member's exports in a Jalali year, in US dollars; a second entry for the same
    year replaces the first (audited)."""
    amount_usd = _amount("amount_usd", amount_usd, zero=True, unit=_("US dollars"))
    this_year = jalali.year_of(jalali.today())
    first = jalali.year_of(member.joined_on)
    if not isinstance(year, int) or not first <= year <= this_year:
        raise ValidationError(
            {
                "year": _("Choose a Jalali year from %(first)s to %(last)s.")
                % {"first": digits(first), "last": digits(this_year)}
            }
        )
    row = ExportYear.objects.select_for_update().filter(member=member, year=year).first()
    before = row.amount_usd if row is not None else None
    if row is None:
        row = ExportYear(member=member, year=year, amount_usd=amount_usd)
    row.amount_usd = amount_usd
    row.recorded_by = _author(actor)
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        action="consortium_exports",
        target=row,
        subject=member.consortium,
        changes={"amount_usd": [before, amount_usd], "year": [None, year]},
    )
    publish(
        ExportsRecorded(
            consortium_id=member.consortium_id,
            member_id=member.pk,
            year=year,
            amount_usd=(before, amount_usd),
        )
    )
    return row


@transaction.atomic
def support_record(
    *,
    actor: Any,
    consortium: Consortium,
    date: dt.date,
    kind: str,
    amount: int,
    note: str = "",
) -> SupportEntry:
    """Support given to a consortium, in rials, refused beyond the year's cap."""
    if kind not in SupportKind.values:
        raise ValidationError({"kind": _("Choose a kind from the list.")})
    amount = _amount("amount", amount)
    _not_future("date", date)
    consortium = _lock(consortium)  # two entries at once cannot both pass the cap
    if date < consortium.formed_on:
        raise ValidationError(
            {
                "date": _("The date cannot be before %(date)s, when the consortium was formed.")
                % {"date": jalali.format_date(consortium.formed_on)}
            }
        )
    year = jalali.year_of(date)
    cap = cap_for(year)
    used = support_used(consortium, year)
    if used + amount > cap:
        raise ValidationError(
            {
                "amount": _(
                    "Over the cap of %(year)s: the cap is %(cap)s, %(used)s is recorded, so "
                    "at most %(room)s can still be given this year."
                )
                % {
                    "year": digits(year),
                    "cap": rials(cap),
                    "used": rials(used),
                    "room": rials(max(cap - used, 0)),
                }
            }
        )
    entry = SupportEntry(
        consortium=consortium,
        date=date,
        year=year,
        kind=kind,
        amount=amount,
        note=normalize(note or "").strip()[:300],
        recorded_by=_author(actor),
    )
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor,
        action="consortium_support",
        target=entry,
        subject=consortium,
        changes={"amount": [None, amount], "kind": [None, kind]},
    )
    publish(
        SupportRecorded(
            consortium_id=consortium.pk, entry_id=entry.pk, kind=kind, amount=amount, date=date
        )
    )
    return entry


@transaction.atomic
def cap_set(*, actor: Any, year: int, amount: int) -> SupportCap:
    """The support cap of a Jalali year; refused below what a consortium already got."""
    amount = _amount("amount", amount)
    if not isinstance(year, int) or not 1300 <= year <= 1500:
        raise ValidationError({"year": _("Enter a Jalali year, such as 1404.")})
    most = (
        SupportEntry.objects.filter(year=year)
        .values("consortium")
        .annotate(s=Sum("amount"))
        .order_by("-s")
        .values_list("s", flat=True)
        .first()
    )
    if most is not None and most > amount:
        raise ValidationError(
            {
                "amount": _("A consortium has already received %(used)s in %(year)s.")
                % {"used": rials(most), "year": digits(year)}
            }
        )
    row = SupportCap.objects.select_for_update().filter(year=year).first()
    before = row.amount if row is not None else None
    row = row or SupportCap(year=year, amount=amount)
    row.amount = amount
    row.full_clean()
    row.save()
    audit_record(
        actor=actor, action="consortium_cap", target=row, changes={"amount": [before, amount]}
    )
    publish(CapSet(year=year, amount=(before, amount)))
    return row
