"""The demo finance: referrals to banks, the capital-market pipeline and «گام» certificates
for Jalali 1402 to today, consistent with the demo registry and the demo clinics, written
through ``finance.services`` and ``finance.certificates`` (so every step is audited and
obeys the same guards as an officer's or a bank's work).

- **Banks** are the reference banks (``finance/data/banks.csv``); **adviser firms** are
  invented (``DEMO_FIRMS``).
- **Referrals**: units introduced to a bank for an instrument, dated from 1 Farvardin 1402
  to ``until``, each on a day the unit was registered and not closed; most are decided
  (approved, in part, refused with reasons) after the bank's usual wait and the approved
  ones paid; a few withdrawn; the recent ones still waiting. About two in three of the
  clinic cases' "finance referral" remedy actions became a referral linked back to its
  case.
- **Capital-market files** on active units, at every stage: introduced, file opened, final
  stage, admitted (with the market and the amount raised), rejected, withdrawn; the adviser
  named when the file opens. Files left long in a stage are flagged stalled by the pages.
- **Certificates**: a larger buyer's certificates in favour of its suppliers (another
  registered unit, most often of its province), 1–12 months, passed on along the chain,
  discounted at a bank or settled at maturity when that day has come.

Deterministic for a seed and an end date. Everything here is demo data.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Min

from accounts.services import grant_give
from cases import services as case_services
from cases.models import Case
from enterprises.models import Enterprise, Status, StatusEvent
from finance import casetype, market, services
from finance import certificates as certificate_services
from finance.models import AdviserFirm, Bank, Certificate, Decision, Instrument, Market
from persian import jalali

FIRST_YEAR = 1402
BANKS_CSV = Path(__file__).resolve().parents[1] / "finance" / "data" / "banks.csv"
DEMO_FIRMS = (
    ("sabz-sarmayeh", "مشاور سرمایه‌گذاری سبز"),
    ("arman-bourse", "تأمین سرمایه آرمان"),
    ("novin-moshaver", "مشاور عرضه نوین"),
    ("farda-capital", "سبدگردان فردا"),
    ("pishgam-ipo", "مشاور پذیرش پیشگام"),
)
INSTRUMENT_WEIGHTS = {
    Instrument.WORKING_CAPITAL: 55,
    Instrument.GUARANTEE: 12,
    Instrument.GAM: 10,
    Instrument.LEASING: 10,
    Instrument.SUKUK: 5,
    Instrument.OTHER: 8,
}
BRANCHES = ("شعبه مرکزی", "شعبه بازار", "شعبه شهرک صنعتی", "شعبه میدان امام", "شعبه بلوار")
REFUSALS = (
    "وثیقه کافی نیست",
    "بدهی معوق در سامانه بانک مرکزی",
    "صورت‌های مالی حسابرسی‌شده ارائه نشد",
    "سقف تسهیلات شعبه تکمیل است",
)


@dataclass
class Report:
    referrals: int = 0
    from_clinics: int = 0
    by_stage: Counter[str] = field(default_factory=Counter)
    files: Counter[str] = field(default_factory=Counter)
    certificates: int = 0
    steps: Counter[str] = field(default_factory=Counter)
    firms: int = 0


@dataclass(frozen=True)
class Unit:
    pk: int
    province_id: int
    since: dt.date  # its first day in the registry
    status: str


def ensure_banks() -> list[Bank]:
    """The reference banks (a flushed test database has none)."""
    if not Bank.objects.exists():
        with BANKS_CSV.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                Bank.objects.get_or_create(
                    code=row["code"], defaults={"name": row["name"], "name_en": row["name_en"]}
                )
    return list(Bank.objects.order_by("code"))


def ensure_firms() -> list[AdviserFirm]:
    for code, name in DEMO_FIRMS:
        AdviserFirm.objects.get_or_create(code=code, defaults={"name": name})
    return list(AdviserFirm.objects.filter(code__in=[c for c, _n in DEMO_FIRMS]).order_by("code"))


def give_place_role(username: str, first: str, last: str, role: str, place: Any) -> Any:
    """The user ``username`` (made once, without a password) holding ``role`` over
    ``place`` (a bank, a firm), given through the audited service when missing."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, first_name=first, last_name=last)
        user.set_unusable_password()
        user.save()
    if not user.grants.live().filter(role=role, place_id=place.pk).exists():
        grant_give(actor=None, person=user, role=role, place_id=place.pk)
    return user


class FinanceDemo:
    def __init__(
        self,
        *,
        seed: int,
        until: dt.date,
        referrals: int,
        files: int,
        certificates: int,
        log: Callable[[str], None] = lambda m: None,
    ) -> None:
        self.rng = random.Random(seed)
        self.until = until
        self.first = jalali.year_bounds(FIRST_YEAR)[0]
        self.n_referrals, self.n_files, self.n_certificates = referrals, files, certificates
        self.log = log
        self.report = Report()
        self.banks: list[Bank] = []
        self.firms: list[AdviserFirm] = []
        # How long each bank usually takes to decide (days), and how often it approves.
        self.wait: dict[int, int] = {}
        self.approves: dict[int, float] = {}

    # --- helpers ------------------------------------------------------------------------------
    def _day(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def _rials(self, low: int, high: int) -> int:
        """An amount between ``low`` and ``high`` billion rials, in whole hundred millions."""
        billions = self.rng.uniform(low, high)
        return max(1, round(billions * 10)) * 100_000_000

    def units(self) -> list[Unit]:
        """The registry's units that are not closed (closed is final: they never were), with
        their first day in the registry."""
        first = dict(
            StatusEvent.objects.values("enterprise_id")
            .annotate(first=Min("date"))
            .values_list("enterprise_id", "first")
        )
        rows = Enterprise.objects.exclude(status=Status.CLOSED).order_by("pk")
        return [
            Unit(pk, province, first[pk], status)
            for pk, province, status in rows.values_list("pk", "province_id", "status")
            if pk in first and first[pk] <= self.until
        ]

    # --- referrals ----------------------------------------------------------------------------
    def _follow(self, referral: Any, introduced: dt.date, approve_bias: float = 0.0) -> None:
        """The bank's decision after its usual wait and the payment, as far as ``until``."""
        rng = self.rng
        bank = referral.bank_id
        decided = introduced + dt.timedelta(
            days=max(3, int(rng.gauss(self.wait[bank], self.wait[bank] / 3)))
        )
        if decided > self.until:
            self.report.by_stage[casetype.INTRODUCED] += 1
            return
        if rng.random() < 0.05:
            case_services.case_move(
                actor=None,
                case=referral.case,
                to_stage=casetype.WITHDRAWN,
                date=decided,
                reason="مالک درخواست را پس گرفت",
            )
            self.report.by_stage[casetype.WITHDRAWN] += 1
            return
        roll = rng.random()
        approves = min(0.95, self.approves[bank] + approve_bias)
        if roll < approves * 0.65:
            decision, granted = Decision.APPROVED, None
        elif roll < approves:
            decision = Decision.PARTLY
            granted = (
                int(referral.amount_requested * rng.uniform(0.3, 0.9)) // 100_000_000
            ) * 100_000_000 or 100_000_000
            if granted >= referral.amount_requested:
                decision, granted = Decision.APPROVED, None
        else:
            decision, granted = Decision.REFUSED, None
        referral = services.referral_decide(
            actor=None,
            referral=referral,
            decision=decision,
            date=decided,
            amount_granted=granted,
            reasons=rng.choice(REFUSALS) if decision == Decision.REFUSED else "",
        )
        if decision == Decision.REFUSED:
            self.report.by_stage[casetype.REFUSED] += 1
            return
        paid = decided + dt.timedelta(days=rng.randint(5, 50))
        if paid > self.until:
            self.report.by_stage[casetype.DECIDED] += 1
            return
        services.referral_pay(
            actor=None, referral=referral, date=paid, amount_paid=referral.amount_granted
        )
        self.report.by_stage[casetype.PAID] += 1

    def _introduce(self, unit_pk: int, date: dt.date, clinic_case: Case | None = None) -> Any:
        rng = self.rng
        instrument = (
            Instrument.WORKING_CAPITAL
            if clinic_case is not None and rng.random() < 0.8
            else rng.choices(list(INSTRUMENT_WEIGHTS), weights=list(INSTRUMENT_WEIGHTS.values()))[0]
        )
        high = {Instrument.SUKUK: 400, Instrument.LEASING: 120, Instrument.GUARANTEE: 80}.get(
            instrument, 150
        )
        referral = services.referral_introduce(
            actor=None,
            enterprise=Enterprise.objects.get(pk=unit_pk),
            bank=rng.choice(self.banks),
            branch=rng.choice(BRANCHES),
            instrument=instrument,
            amount_requested=self._rials(2, high),
            date=date,
            clinic_case=clinic_case,
        )
        self.report.referrals += 1
        return referral

    def from_clinics(self) -> None:
        """About two in three of the clinics' "finance referral" actions: the unit introduced
        to a bank when the action was done (or is due), linked back to its case."""
        from clinics.models import RemedyAction

        actions = (
            RemedyAction.objects.filter(
                kind=RemedyAction.Kind.FINANCE_REFERRAL,
                case__type="clinic",
                status__in=(RemedyAction.Status.DONE, RemedyAction.Status.PLANNED),
            )
            .exclude(case__enterprise__status=Status.CLOSED)
            .select_related("case")
            .order_by("pk")
        )
        for action in actions:
            if self.rng.random() > 0.65:
                continue
            case = action.case
            day = action.done_on or min(action.due_on, self.until)
            day = max(case.opened_on, day - dt.timedelta(days=self.rng.randint(0, 20)))
            if day > self.until or day < self.first:
                continue
            referral = self._introduce(case.enterprise_id, day, clinic_case=case)
            self.report.from_clinics += 1
            self._follow(referral, day, approve_bias=0.1)

    def referrals(self, units: list[Unit]) -> None:
        rng = self.rng
        wanted = max(0, self.n_referrals - self.report.referrals)
        for _ in range(wanted):
            unit = rng.choice(units)
            date = self._day(max(self.first, unit.since), self.until)
            self._follow(self._introduce(unit.pk, date), date)

    # --- the capital-market pipeline -----------------------------------------------------------
    def files(self, units: list[Unit]) -> None:
        """Files at every stage on active units; each stage's length drawn from the usual
        spread, stopping at ``until`` (an open file) or at an outcome."""
        rng = self.rng
        active = [u for u in units if u.status == Status.ACTIVE]
        for unit in rng.sample(active, min(len(active), self.n_files)):
            date = self._day(max(self.first, unit.since), self.until)
            listing = services.listing_introduce(
                actor=None, enterprise=Enterprise.objects.get(pk=unit.pk), date=date
            )
            path = [
                (market.FILE_OPENED, (20, 100)),
                (market.FINAL, (60, 260)),
                (market.ADMITTED, (30, 160)),
            ]
            stage = market.INTRODUCED
            for to_stage, (low, high) in path:
                next_day = date + dt.timedelta(days=rng.randint(low, high))
                end = rng.random()
                if end < 0.12 or end < 0.2 and to_stage != market.FILE_OPENED:
                    outcome = market.REJECTED if rng.random() < 0.6 else market.WITHDRAWN
                    if next_day <= self.until:
                        case_services.case_move(
                            actor=None,
                            case=listing.case,
                            to_stage=outcome,
                            date=next_day,
                            reason="شرایط پذیرش فراهم نشد"
                            if outcome == market.REJECTED
                            else "شرکت از عرضه منصرف شد",
                        )
                        stage = outcome
                    break
                if next_day > self.until:
                    break
                if to_stage == market.FILE_OPENED:
                    listing = services.listing_update(
                        actor=None,
                        listing=listing,
                        adviser=rng.choice(self.firms),
                        market="",
                        amount_raised=None,
                    )
                if to_stage == market.ADMITTED:
                    listing = services.listing_update(
                        actor=None,
                        listing=listing,
                        adviser=listing.adviser,
                        market=rng.choice(Market.values),
                        amount_raised=self._rials(50, 2000),
                    )
                case_services.case_move(
                    actor=None, case=listing.case, to_stage=to_stage, date=next_day
                )
                stage, date = to_stage, next_day
            self.report.files[stage] += 1

    # --- certificates ------------------------------------------------------------------------
    def certificates(self, units: list[Unit]) -> None:
        rng = self.rng
        by_province: dict[int, list[Unit]] = {}
        for unit in units:
            by_province.setdefault(unit.province_id, []).append(unit)
        buyers = rng.sample(units, min(len(units), max(1, self.n_certificates // 8)))
        for n in range(self.n_certificates):
            buyer = rng.choice(buyers)
            neighbours = by_province[buyer.province_id]
            pool = neighbours if len(neighbours) > 1 and rng.random() < 0.8 else units
            supplier = rng.choice(pool)
            if supplier.pk == buyer.pk:
                continue
            issued = self._day(max(self.first, buyer.since, supplier.since), self.until)
            certificate = certificate_services.certificate_issue(
                actor=None,
                code=f"GAM-{jalali.to_jalali(issued).year}-{n + 1:06d}",
                bank=rng.choice(self.banks),
                buyer=Enterprise.objects.get(pk=buyer.pk),
                supplier=Enterprise.objects.get(pk=supplier.pk),
                amount=self._rials(1, 60),
                issued_on=issued,
                term_months=rng.choice((3, 6, 6, 9, 12, 1, 4)),
            )
            self.report.certificates += 1
            self.report.steps["issue"] += 1
            self._chain(certificate, supplier, units, by_province)

    def _chain(
        self,
        certificate: Certificate,
        holder: Unit,
        units: list[Unit],
        by_province: dict[int, list[Unit]],
    ) -> None:
        """Passed on along the chain (up to three times), then discounted, settled at
        maturity or still held."""
        rng = self.rng
        last = certificate.issued_on
        end = min(certificate.matures_on, self.until)
        for _hop in range(3):
            if rng.random() > 0.45:
                break
            pool = by_province[holder.province_id]
            to = rng.choice(pool if len(pool) > 1 else units)
            if to.pk in (holder.pk, certificate.buyer_id) or to.since > end:
                break
            day = self._day(max(last, to.since), end)
            certificate_services.certificate_pass(
                actor=None,
                certificate=certificate,
                holder=Enterprise.objects.get(pk=holder.pk),
                to=Enterprise.objects.get(pk=to.pk),
                date=day,
            )
            self.report.steps["transfer"] += 1
            holder, last = to, day
        roll = rng.random()
        if roll < 0.3 and last < end:
            certificate_services.certificate_discount(
                actor=None,
                certificate=certificate,
                holder=Enterprise.objects.get(pk=holder.pk),
                bank=rng.choice(self.banks),
                date=self._day(last, end),
            )
            self.report.steps["discount"] += 1
        elif certificate.matures_on <= self.until and roll < 0.9:
            day = min(certificate.matures_on + dt.timedelta(days=rng.randint(0, 10)), self.until)
            certificate_services.certificate_settle(actor=None, certificate=certificate, date=day)
            self.report.steps["maturity"] += 1

    # --- the whole ------------------------------------------------------------------------------
    def people(self) -> None:
        """A bank officer for each bank and a staff member for each firm (no password;
        ``demo_accounts`` makes the named ``bankofficer`` and ``adviser``)."""
        for bank in self.banks:
            give_place_role(f"bank-{bank.code}", "کارشناس", bank.name, "bank_officer", bank)
        for firm in self.firms:
            give_place_role(f"adviser-{firm.code}", "کارشناس", firm.name, "market_adviser", firm)

    def build(self) -> Report:
        rng = self.rng
        self.banks = ensure_banks()
        self.firms = ensure_firms()
        self.report.firms = len(self.firms)
        for bank in self.banks:
            self.wait[bank.pk] = rng.randint(12, 70)
            self.approves[bank.pk] = rng.uniform(0.5, 0.8)
        self.people()
        units = self.units()
        if not units:
            return self.report
        self.log(f"  {len(units)} units not closed")
        self.from_clinics()
        self.referrals(units)
        self.files(units)
        self.certificates(units)
        return self.report
