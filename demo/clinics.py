"""The demo business clinics: clinic cases for Jalali 1402 to today that agree with the demo
registry's history, written through ``cases.services`` and ``clinics.services`` (so every
step is audited and obeys the same guards as a consultant's work).

- **Revived with the clinic**: about a sixth of the registry's revivals (18%) (idle or
  semi-active → active) since 1 Farvardin 1402 get a case opened one to six months before
  them, assigned to a consultant of the unit's province, diagnosed (working capital the
  primary cause of about two in three), with a remedy plan, and closed as revived on the
  revival's date. The case links the registry's existing status event; nothing is written
  to the registry. The rest of the revivals stay "without the clinic".
- **Not sustained**: some of those units went idle again within a year. The checks at 3, 6
  and 12 months are run on their due dates (``clinics.services.check_revivals``), so those
  cases reopen at "remedy plan" as they would have.
- **Closed without a revival**: a few cases on units still idle.
- **Open today**: cases at every stage on units that are idle, semi-active or semi-finished
  projects now; the ones left too long in a stage, or past their due date or a follow-up,
  are overdue.

Deterministic for a seed and an end date. Everything here is demo data: invented
consultants, findings and plans.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cases import services as case_services
from cases.models import Case
from clinics import casetype
from clinics import services as clinic_services
from clinics.models import Cause, RemedyAction, Revival
from clinics.roles import CLINIC_CONSULTANT
from enterprises.models import CLINIC_CANDIDATE, REVIVAL_FROM, Enterprise, Status, StatusEvent
from persian import jalali
from places.models import Province

from .people import demo_person

FIRST_YEAR = 1402
# Named consultants (given passwords by ``demo_accounts``) and the provinces they serve.
DEMO_CONSULTANTS: dict[str, tuple[str, ...]] = {
    "consultant": ("IR-25",),  # Qom
    "consultant2": ("IR-23",),  # Tehran
    "consultant3": ("IR-23", "IR-30"),  # Tehran and Alborz
}
FIRST = ("علی", "محمد", "حسین", "رضا", "مهدی", "زهرا", "فاطمه", "مریم", "سارا", "نرگس", "امیر")
LAST = ("احمدی", "کریمی", "رضایی", "موسوی", "حسینی", "صادقی", "جعفری", "نوری", "قاسمی", "طاهری")

# The primary cause: working capital for about two cases in three, as officials say.
PRIMARY_WEIGHTS: dict[str, int] = {
    Cause.WORKING_CAPITAL: 65,
    Cause.OTHER_FINANCE: 6,
    Cause.MARKET: 7,
    Cause.RAW_MATERIALS: 5,
    Cause.MANAGEMENT: 4,
    Cause.TAX_INSURANCE: 3,
    Cause.LEGAL: 3,
    Cause.TECHNOLOGY: 3,
    Cause.INFRASTRUCTURE: 2,
    Cause.PARTNERS: 1,
    Cause.OTHER: 1,
}
FINDINGS: dict[str, str] = {
    Cause.WORKING_CAPITAL: "کمبود سرمایه در گردش برای خرید مواد اولیه و پرداخت حقوق",
    Cause.OTHER_FINANCE: "بدهی معوق بانکی و نبود وثیقه برای تسهیلات جدید",
    Cause.MARKET: "از دست رفتن بازار فروش و انباشت موجودی کالا",
    Cause.RAW_MATERIALS: "نرسیدن مواد اولیه و گرانی آن",
    Cause.MANAGEMENT: "ضعف مدیریت و نبود برنامه تولید",
    Cause.TAX_INSURANCE: "بدهی مالیاتی و بیمه‌ای و توقف حساب‌ها",
    Cause.LEGAL: "پرونده حقوقی و مشکل مجوزها",
    Cause.TECHNOLOGY: "فرسودگی ماشین‌آلات و خط تولید",
    Cause.INFRASTRUCTURE: "قطعی برق و گاز و کمبود آب",
    Cause.PARTNERS: "اختلاف میان شرکا",
    Cause.OTHER: "مشکلات متفرقه",
}
ACTIONS: dict[str, tuple[str, str]] = {
    RemedyAction.Kind.FINANCE_REFERRAL: (
        "معرفی به بانک عامل برای تسهیلات سرمایه در گردش",
        "کارگروه تسهیل و رفع موانع تولید استان",
    ),
    RemedyAction.Kind.ADVICE: ("مشاوره مدیریت مالی و برنامه تولید", "مشاور کلینیک"),
    RemedyAction.Kind.OBSTACLE: (
        "پیگیری تمدید مجوز و تقسیط بدهی مالیاتی و بیمه",
        "سازمان صنعت، معدن و تجارت استان",
    ),
    RemedyAction.Kind.TRAINING: ("دوره آموزش بازاریابی و فروش", "مرکز آموزش شهرک‌ها"),
    RemedyAction.Kind.MARKET_ACCESS: (
        "حضور در نمایشگاه و معرفی به خریداران عمده",
        "شرکت شهرک‌های صنعتی استان",
    ),
}
# The plan's usual first action for a primary cause.
FIRST_ACTION: dict[str, str] = {
    Cause.WORKING_CAPITAL: RemedyAction.Kind.FINANCE_REFERRAL,
    Cause.OTHER_FINANCE: RemedyAction.Kind.FINANCE_REFERRAL,
    Cause.MARKET: RemedyAction.Kind.MARKET_ACCESS,
    Cause.TAX_INSURANCE: RemedyAction.Kind.OBSTACLE,
    Cause.LEGAL: RemedyAction.Kind.OBSTACLE,
    Cause.MANAGEMENT: RemedyAction.Kind.ADVICE,
}
CLOSE_REASONS = (
    "مالک از ادامه همکاری با کلینیک انصراف داد",
    "واحد برای فروش آگهی شد",
    "شرکا برای ادامه فعالیت به توافق نرسیدند",
)
NOTES = (
    "بازدید از واحد انجام شد؛ خط تولید سالم است.",
    "مالک برای جلسه بعد صورت‌های مالی را می‌آورد.",
    "پیگیری نامه بانک عامل.",
)


@dataclass
class Report:
    revived: int = 0  # cases closed as revived (linked to the registry's revival)
    revivals: int = 0  # the registry's revivals since 1 Farvardin 1402
    not_sustained: int = 0
    closed: int = 0  # closed without a revival
    open_by_stage: Counter[str] = field(default_factory=Counter)
    primary: Counter[str] = field(default_factory=Counter)
    consultants: int = 0


@dataclass(frozen=True)
class Pick:
    """A registry revival the clinic takes part in."""

    enterprise_id: int
    province_id: int
    revived_on: dt.date
    idle_since: dt.date  # the day the unit became idle or semi-active before it


class ClinicDemo:
    def __init__(
        self,
        *,
        seed: int,
        until: dt.date,
        share: float = 0.18,
        open_share: float = 0.04,
        log: Callable[[str], None] = lambda m: None,
    ) -> None:
        self.rng = random.Random(seed)
        self.until = until
        self.share = share
        self.open_share = open_share
        self.log = log
        self.report = Report()
        self.pools: dict[int, list[Any]] = {}
        self.provinces = {p.pk: p for p in Province.objects.order_by("pk")}

    # --- people ---------------------------------------------------------------------------
    def consultants(self) -> None:
        """Two consultants with a grant in each province (``clinic-<code>-<n>``, no
        password), and the named demo consultants in theirs."""
        by_code = {p.code: p for p in self.provinces.values()}
        for province in self.provinces.values():
            self.pools[province.pk] = [
                self._consultant(f"clinic-{province.code.lower()}-{n}", [province]) for n in (1, 2)
            ]
        for username, codes in DEMO_CONSULTANTS.items():
            places = [by_code[c] for c in codes if c in by_code]
            person = self._consultant(username, places)
            for place in places:
                # The named ones take about half of their provinces' cases.
                self.pools[place.pk].extend([person, person])
        self.report.consultants = len({p.pk for pool in self.pools.values() for p in pool})

    def _consultant(self, username: str, provinces: list[Province]) -> Any:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        return demo_person(username, first, last, CLINIC_CONSULTANT, provinces)

    def consultant_for(self, province_id: int) -> Any:
        return self.rng.choice(self.pools[province_id])

    # --- the registry's revivals ---------------------------------------------------------------
    def picks(self) -> list[Pick]:
        """About ``share`` of the registry's revivals since 1 Farvardin 1402, one a unit,
        among those the clinic can have taken part in: the unit idle or semi-active for at
        least two weeks before, and — when it went idle again within the year, which
        reopens the case — still idle or semi-active today (a reopened case stays open)."""
        first = jalali.year_bounds(FIRST_YEAR)[0]
        revivals = StatusEvent.objects.filter(
            to_status=Status.ACTIVE, from_status__in=REVIVAL_FROM, date__range=(first, self.until)
        )
        self.report.revivals = revivals.count()
        units = revivals.values("enterprise_id")
        history: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
        for unit, date, to_status in (
            StatusEvent.objects.filter(enterprise_id__in=units, date__lte=self.until)
            .order_by("enterprise_id", "date", "id")
            .values_list("enterprise_id", "date", "to_status")
        ):
            history[unit].append((date, to_status))
        provinces = dict(Enterprise.objects.filter(pk__in=units).values_list("pk", "province_id"))
        eligible: list[Pick] = []
        for unit in sorted(history):
            events = history[unit]
            options = []
            for i in range(1, len(events)):
                date, to_status = events[i]
                since, before = events[i - 1]
                if not (
                    to_status == Status.ACTIVE
                    and before in REVIVAL_FROM
                    and date >= first
                    and (date - since).days >= 14
                ):
                    continue
                year_later = jalali.add_months(date, 12)
                relapse = next(
                    (
                        (d, s)
                        for d, s in events[i + 1 :]
                        if s in (Status.IDLE, Status.CLOSED) and d <= year_later
                    ),
                    None,
                )
                if relapse is not None and relapse[1] == Status.IDLE:
                    if events[-1][1] not in REVIVAL_FROM:
                        continue  # the reopened case would stay open on an active unit
                options.append(Pick(unit, provinces[unit], date, since))
            if options:
                eligible.append(self.rng.choice(options))
        wanted = min(len(eligible), round(self.report.revivals * self.share))
        chosen = self.rng.sample(eligible, wanted)
        return sorted(chosen, key=lambda p: (p.revived_on, p.enterprise_id))

    # --- one case ------------------------------------------------------------------------------
    def _day(self, start: dt.date, end: dt.date, low: float, high: float) -> dt.date:
        span = max((end - start).days, 0)
        return start + dt.timedelta(days=int(span * self.rng.uniform(low, high)))

    def _diagnose(self, case: Case, consultant: Any, start: dt.date, on: dt.date) -> str:
        rng = self.rng
        case_services.case_move(
            actor=consultant, case=case, to_stage=casetype.DIAGNOSIS, date=start, reason=""
        )
        primary = rng.choices(list(PRIMARY_WEIGHTS), weights=list(PRIMARY_WEIGHTS.values()))[0]
        others = rng.sample([c for c in Cause.values if c != primary], rng.choice((0, 1, 1, 2)))
        clinic_services.diagnosis_record(
            actor=consultant,
            case=case,
            date=on,
            finding="؛ ".join(FINDINGS[c] for c in [primary, *others]),
            causes=[primary, *others],
            primary=primary,
        )
        self.report.primary[primary] += 1
        return primary

    def _plan(
        self,
        case: Case,
        consultant: Any,
        primary: str,
        start: dt.date,
        done_by: dt.date | None,
    ) -> None:
        """Move to "remedy plan" on ``start`` and add one to three actions; those due by
        ``done_by`` (None: none) are done or, now and then, dropped."""
        rng = self.rng
        case_services.case_move(actor=consultant, case=case, to_stage=casetype.REMEDY, date=start)
        kinds = [FIRST_ACTION.get(primary, RemedyAction.Kind.ADVICE)]
        kinds += rng.sample(
            [k for k in RemedyAction.Kind.values if k != kinds[0]], rng.choice((0, 1, 2))
        )
        for kind in kinds:
            description, owner = ACTIONS[kind]
            due = start + dt.timedelta(days=rng.randint(20, 120))
            action = clinic_services.action_add(
                actor=consultant,
                case=case,
                data={"kind": kind, "description": description, "owner": owner, "due_on": due},
            )
            if done_by is None or due > done_by + dt.timedelta(days=30):
                continue
            if rng.random() < 0.1:
                clinic_services.action_update(
                    actor=consultant, action=action, status=RemedyAction.Status.DROPPED
                )
            else:
                clinic_services.action_update(
                    actor=consultant,
                    action=action,
                    status=RemedyAction.Status.DONE,
                    outcome="انجام شد",
                    done_on=max(start, min(due, done_by)),
                )

    def revive(self, pick: Pick) -> None:
        rng = self.rng
        unit = Enterprise.objects.get(pk=pick.enterprise_id)
        consultant = self.consultant_for(pick.province_id)
        opened = max(pick.revived_on - dt.timedelta(days=rng.randint(30, 182)), pick.idle_since)
        case = case_services.case_open(
            actor=None,
            type=casetype.TYPE,
            enterprise=unit,
            date=opened,
            assignee=consultant,
            reason="معرفی از فهرست واحدهای راکد",
        )
        diagnosis_start = self._day(opened, pick.revived_on, 0.05, 0.2)
        diagnosed = self._day(diagnosis_start, pick.revived_on, 0.05, 0.3)
        primary = self._diagnose(case, consultant, diagnosis_start, diagnosed)
        self._plan(case, consultant, primary, diagnosed, done_by=pick.revived_on)
        case_services.case_move(
            actor=consultant,
            case=case,
            to_stage=casetype.REVIVED,
            date=pick.revived_on,
            reason="واحد دوباره فعال شد",
        )
        self.report.revived += 1

    def close_without_revival(self, unit: Enterprise) -> None:
        rng = self.rng
        consultant = self.consultant_for(unit.province_id)
        opened = self._day(unit.status_since, self.until, 0.05, 0.4)
        closed = self._day(opened, self.until, 0.5, 0.9)
        case = case_services.case_open(
            actor=None, type=casetype.TYPE, enterprise=unit, date=opened, assignee=consultant
        )
        start = self._day(opened, closed, 0.05, 0.2)
        primary = self._diagnose(case, consultant, start, self._day(start, closed, 0.05, 0.3))
        case_services.case_move(
            actor=consultant,
            case=case,
            to_stage=casetype.CLOSED,
            date=closed,
            reason=f"{rng.choice(CLOSE_REASONS)} (عارضه اصلی: {Cause(primary).label})",
        )
        self.report.closed += 1

    def open_today(self, unit: Enterprise) -> None:
        """A case open today at a stage drawn from the usual spread; its dates run up to
        ``until``, so the ones that stayed long in a stage are overdue."""
        rng = self.rng
        stage = rng.choices(
            (casetype.OPENED, casetype.DIAGNOSIS, casetype.REMEDY), weights=(25, 25, 50)
        )[0]
        # Opened within the last 45, 120 or 330 days: about a third end up overdue.
        window = {casetype.OPENED: 45, casetype.DIAGNOSIS: 120, casetype.REMEDY: 330}[stage]
        start = max(unit.status_since, self.until - dt.timedelta(days=window))
        opened = self._day(start, self.until, 0.0, 1.0)
        consultant = self.consultant_for(unit.province_id)
        assigned = stage != casetype.OPENED or rng.random() < 0.6
        due_on = opened + dt.timedelta(days=180) if rng.random() < 0.3 else None
        case = case_services.case_open(
            actor=None,
            type=casetype.TYPE,
            enterprise=unit,
            date=opened,
            assignee=consultant if assigned else None,
            due_on=due_on,
            reason="معرفی از فهرست واحدهای راکد",
        )
        if stage != casetype.OPENED:
            start = self._day(opened, self.until, 0.05, 0.3)
            if stage == casetype.DIAGNOSIS:
                case_services.case_move(
                    actor=consultant, case=case, to_stage=casetype.DIAGNOSIS, date=start
                )
                if rng.random() < 0.5:  # diagnosis recorded, plan not begun
                    primary = rng.choices(
                        list(PRIMARY_WEIGHTS), weights=list(PRIMARY_WEIGHTS.values())
                    )[0]
                    clinic_services.diagnosis_record(
                        actor=consultant,
                        case=case,
                        date=self._day(start, self.until, 0.1, 0.9),
                        finding=FINDINGS[primary],
                        causes=[primary],
                        primary=primary,
                    )
                    self.report.primary[primary] += 1
            else:
                diagnosed = self._day(start, self.until, 0.05, 0.4)
                primary = self._diagnose(case, consultant, start, diagnosed)
                self._plan(
                    case,
                    consultant,
                    primary,
                    diagnosed,
                    done_by=self._day(diagnosed, self.until, 0.3, 1.0),
                )
        if rng.random() < 0.3:
            case_services.follow_up_add(
                actor=consultant,
                case=case,
                due_on=self._day(opened, self.until + dt.timedelta(days=60), 0.4, 1.0),
                title="تماس با مالک برای پیگیری",
            )
        if assigned and rng.random() < 0.3:
            case_services.note_add(actor=consultant, case=case, text=rng.choice(NOTES))
        self.report.open_by_stage[stage] += 1

    # --- the whole programme -----------------------------------------------------------------
    def check_until_today(self) -> None:
        """The daily checks of the revivals, run on each day one fell due (as the daily
        work would have), then on ``until``."""
        from cases.models import FollowUp

        days = sorted(
            set(
                FollowUp.objects.filter(
                    case__type=casetype.TYPE,
                    kind__startswith=clinic_services.SUSTAIN,
                    done_on__isnull=True,
                    due_on__lte=self.until,
                ).values_list("due_on", flat=True)
            )
        )
        for day in [*days, self.until]:
            clinic_services.check_revivals(day)

    def build(self) -> Report:
        rng = self.rng
        self.consultants()
        picks = self.picks()
        self.log(f"  {len(picks)} of {self.report.revivals} revivals get a clinic case")
        for pick in picks:
            self.revive(pick)
        taken = {p.enterprise_id for p in picks}
        still_idle = list(
            Enterprise.objects.filter(
                status__in=REVIVAL_FROM,
                status_since__lte=self.until - dt.timedelta(days=240),
                status_since__gte=jalali.year_bounds(FIRST_YEAR)[0],
            )
            .exclude(pk__in=taken)
            .order_by("pk")
        )
        for unit in rng.sample(still_idle, min(len(still_idle), max(1, len(picks) // 12))):
            self.close_without_revival(unit)
            taken.add(unit.pk)
        self.check_until_today()
        self.report.not_sustained = Revival.objects.filter(not_sustained_on__isnull=False).count()
        candidates = list(
            Enterprise.objects.filter(CLINIC_CANDIDATE, status_since__lte=self.until)
            .exclude(pk__in=taken)
            .exclude(
                pk__in=Case.objects.filter(type=casetype.TYPE, closed_on__isnull=True).values(
                    "enterprise_id"
                )
            )
            .order_by("pk")
        )
        for unit in rng.sample(candidates, round(len(candidates) * self.open_share)):
            self.open_today(unit)
        return self.report
