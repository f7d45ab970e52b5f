"""The demo cluster programme: the named clusters of ``places/data/clusters_sample.csv``
plus synthetic ones up to the national totals officials quote (about 480 identified, about
130 in development, about 90 completed), each with a realistic dated history written
through ``clusters.services`` (so every step is audited and obeys the same guards).

Deterministic for a seed and an end date. Everything here is demo data: invented agents,
dates, plans and visits.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from accounts.models import Role
from clusters import services, stages
from clusters.models import ActionKind, Cluster
from enterprises.models import Enterprise
from persian import jalali
from persian.text import to_persian_digits
from places.models import Province
from sectors.models import IsicDivision

from .people import demo_person

SAMPLE = Path(settings.BASE_DIR) / "places" / "data" / "clusters_sample.csv"
FIRST_DAY = jalali.parse("1385/01/01")
DEMO_AGENTS = {"agent": "IR-25", "agent2": "IR-23"}  # given passwords by demo_accounts

PRODUCTS: dict[str, tuple[str, ...]] = {
    "10": ("سوهان", "نان صنعتی", "لبنیات", "خرما", "زعفران", "کشمش", "شیرینی", "رب گوجه"),
    "13": ("فرش دستباف", "گلیم", "منسوجات", "حوله", "فرش ماشینی"),
    "14": ("پوشاک", "پوشاک کودک", "مانتو"),
    "15": ("کفش", "چرم", "کیف و کفش"),
    "16": ("درب و پنجره چوبی", "صنایع چوبی"),
    "20": ("گلاب و عرقیات", "مواد شوینده"),
    "22": ("پلاستیک", "لوله و اتصالات"),
    "23": ("سنگ ساختمانی", "کاشی و سرامیک", "آجر", "سفال", "شیشه"),
    "25": ("ظروف فلزی", "قطعات فلزی", "چاقوسازی"),
    "28": ("ماشین‌آلات کشاورزی",),
    "29": ("قطعات خودرو",),
    "31": ("مبلمان", "مبل و صندلی"),
    "32": ("زیورآلات", "طلا و جواهر", "اسباب‌بازی", "صنایع دستی"),
}
FIRST = (
    "علی",
    "محمد",
    "حسین",
    "رضا",
    "مهدی",
    "زهرا",
    "فاطمه",
    "مریم",
    "سارا",
    "نرگس",
    "امیر",
    "حمید",
    "لیلا",
    "سمیه",
    "مجید",
    "ناصر",
)
LAST = (
    "احمدی",
    "کریمی",
    "رضایی",
    "موسوی",
    "حسینی",
    "صادقی",
    "جعفری",
    "نوری",
    "قاسمی",
    "رحیمی",
    "کاظمی",
    "شریفی",
    "طاهری",
    "یزدانی",
)
BODIES = (
    "شرکت مشاوران توسعه صنعت",
    "مؤسسه توسعه کسب‌وکار پارس",
    "شرکت راهبران خوشه",
    "گروه مشاوره توسعه منطقه‌ای",
)
ACTIONS = {
    ActionKind.TRAINING: "دوره آموزش مدیریت و بازاریابی",
    ActionKind.JOINT_MARKETING: "بازاریابی مشترک در بازارهای هدف",
    ActionKind.COMMON_BRAND: "طراحی و ثبت برند مشترک",
    ActionKind.JOINT_PURCHASING: "خرید مشترک مواد اولیه",
    ActionKind.EXHIBITION: "حضور مشترک در نمایشگاه",
    ActionKind.SHARED_FACILITY: "راه‌اندازی آزمایشگاه مشترک",
    ActionKind.EXPORT_CONSORTIUM: "تشکیل کنسرسیوم صادراتی",
}
# Days each stage lasts before the next one (low, high).
DURATION: dict[str, tuple[int, int]] = {
    "identified": (90, 300), "feasibility": (60, 240), "agent_selected": (20, 60),
    "diagnosis": (90, 125), "trust_building": (30, 90), "action_plan": (60, 120),
    "implementation": (1000, 1150), "evaluation": (60, 150),
}  # fmt: skip
SAMPLE_STAGE = {
    "completed": "completed",
    "developing": "implementation",
    "export_cluster_tpo": "agent_selected",
    "feasibility_done": "feasibility",
    "identified": "identified",
}


def unique_name(base: str, taken: set[str]) -> str:
    """``base``, or for the same product in the same city again its second, third… (in
    Persian digits, as the rest of the name)."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base} {to_persian_digits(str(n))}"
    return name


@dataclass(frozen=True)
class Plan:
    name: str
    province: Province
    division: str | None
    final: str
    suspended: bool = False


class ClusterDemo:
    def __init__(
        self,
        *,
        seed: int,
        until: dt.date,
        total: int = 480,
        development: int = 130,
        completed: int = 90,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.rng = random.Random(seed)
        self.until = until
        self.total, self.development, self.completed = total, development, completed
        self.log = log
        self.provinces = list(Province.objects.order_by("code"))
        self.divisions = {d.code: d for d in IsicDivision.objects.select_related("group")}
        self.agents: dict[int, list[Any]] = {}
        self.units: dict[tuple[int, str | None], list[int]] = {}
        for pk, province_id, division_id in Enterprise.objects.values_list(
            "pk", "province_id", "isic_division_id"
        ).order_by("pk"):
            self.units.setdefault((province_id, division_id), []).append(pk)
            self.units.setdefault((province_id, None), []).append(pk)

    # --- the plan -------------------------------------------------------------------
    def plans(self) -> list[Plan]:
        by_code = {p.code: p for p in self.provinces}
        plans: list[Plan] = []
        with SAMPLE.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["province_code"] not in by_code or row["status"] not in SAMPLE_STAGE:
                    continue
                match = re.search(r"ISIC (\d\d)", row["sector"])
                plans.append(
                    Plan(
                        row["name_fa"].strip(),
                        by_code[row["province_code"]],
                        match.group(1) if match else None,
                        SAMPLE_STAGE[row["status"]],
                    )
                )
        done = sum(p.final == "completed" for p in plans)
        developing = sum(
            stages.order(p.final) >= stages.order("agent_selected") and p.final != "completed"
            for p in plans
        )
        names = {p.name for p in plans}
        weights = [max(p.population or 1, 1) ** 0.5 for p in self.provinces]
        # Where today's developing clusters stand: most are in their three implementation years.
        middle = [
            "agent_selected",
            "diagnosis",
            "trust_building",
            "action_plan",
            "implementation",
            "implementation",
            "implementation",
            "evaluation",
        ]
        while len(plans) < self.total:
            province = self.rng.choices(self.provinces, weights)[0]
            division = self.rng.choice(sorted(PRODUCTS))
            name = unique_name(
                f"خوشه {self.rng.choice(PRODUCTS[division])} {province.capital_fa or province.name_fa}",
                names,
            )
            names.add(name)
            if done < self.completed:
                final, done = "completed", done + 1
            elif developing < self.development:
                final, developing = self.rng.choice(middle), developing + 1
            else:
                final = self.rng.choice(["identified", "identified", "feasibility"])
            suspended = final not in ("completed", "identified") and self.rng.random() < 0.06
            plans.append(Plan(name, province, division, final, suspended))
        return plans

    # --- dates -----------------------------------------------------------------------
    def timeline(self, final: str) -> list[tuple[str, dt.date]]:
        """(stage, date) from identification to ``final``, ending before ``until``."""
        path = [s.code for s in stages.STAGES[stages.order("identified") - 1 : stages.order(final)]]
        gaps = [self.rng.randint(*DURATION[code]) for code in path[:-1]]
        span = sum(gaps)
        latest_start = self.until - dt.timedelta(days=span + 1)
        if final in ("completed", "identified", "feasibility"):
            # Completed clusters ran at any time since 1385; many identified ones were
            # identified years ago and never got a development project.
            start = FIRST_DAY + dt.timedelta(
                days=self.rng.randint(0, max((latest_start - FIRST_DAY).days, 0))
            )
        else:
            stay = DURATION.get(final, (30, 400))[1]
            start = latest_start - dt.timedelta(days=self.rng.randint(0, stay))
        start = max(start, FIRST_DAY)
        dates, day = [], start
        for code, gap in zip(path, [0, *gaps], strict=True):
            day = day + dt.timedelta(days=gap)
            dates.append((code, min(day, self.until)))
        return dates

    # --- people ------------------------------------------------------------------------
    def agent_for(self, province: Province) -> Any:
        pool = self.agents.setdefault(province.pk, [])
        if not pool or (len(pool) < 3 and self.rng.random() < 0.15):  # 1–3 agents a province
            pool.append(self._agent(f"cda-{province.code.lower()}-{len(pool) + 1}", province))
        return self.rng.choice(pool)

    def _agent(self, username: str, province: Province) -> Any:
        """A development agent accredited in ``province`` (a cluster agent grant there)."""
        # Drawn whether or not the user exists, so a rebuild draws the same numbers.
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        return demo_person(username, first, last, Role.CLUSTER_AGENT, [province])

    # --- building ----------------------------------------------------------------------------
    def build(self) -> int:
        plans = self.plans()
        by_code = {p.code: p for p in self.provinces}
        demo_agents = {code: self._agent(name, by_code[code]) for name, code in DEMO_AGENTS.items()}
        given: dict[str, int] = {}
        for i, plan in enumerate(plans):
            agent = None
            if stages.order(plan.final) >= stages.order("agent_selected"):
                code = plan.province.code
                if code in demo_agents and given.get(code, 0) < 3 and plan.final != "completed":
                    agent, given[code] = demo_agents[code], given.get(code, 0) + 1
                else:
                    agent = self.agent_for(plan.province)
            self.build_one(plan, agent)
            if i % 50 == 0:
                self.log(f"{i}/{len(plans)} clusters")
        return len(plans)

    def build_one(self, plan: Plan, agent: Any) -> Cluster:
        rng = self.rng
        timeline = self.timeline(plan.final)
        division = self.divisions.get(plan.division or "")
        start = timeline[0][1]
        cluster = services.cluster_create(
            actor=None,
            data={
                "name": plan.name,
                "city": plan.province.capital_fa,
                "isic_division": division,
                "industry_group": division.group if division else None,
                "year_identified": jalali.year_of(start),
                "unregistered_members": rng.randint(5, 80),
                "published": rng.random() < 0.85,
                "technical_supervisor": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "provincial_committee": "شرکت شهرک‌های صنعتی استان، سازمان صمت، اتاق بازرگانی",
                "description": "داده نمایشی",
            },
            province=plan.province,
            stage="identified",
            date=start,
            reason="داده نمایشی",
        )
        for next_code, next_day in timeline[1:]:
            if next_code == "agent_selected" and agent is not None:
                services.cluster_update(
                    actor=None,
                    cluster=cluster,
                    fields=("agent", "assistant", "secretary", "team_phone", "contracted_body"),
                    data={
                        "agent": agent,
                        "assistant": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        "secretary": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        "team_phone": f"0912{rng.randint(1000000, 9999999)}",
                        "contracted_body": rng.choice(BODIES),
                    },
                )
            if next_code == "completed":
                services.evaluation_record(
                    actor=None,
                    cluster=cluster,
                    date=next_day - dt.timedelta(days=rng.randint(5, 30)),
                    summary="اهداف برنامه عملیاتی محقق شد",
                )
            services.cluster_advance(
                actor=None,
                cluster=cluster,
                to_stage=next_code,
                date=next_day,
                licence_number=f"{jalali.year_of(next_day)}/{rng.randint(100, 999)}"
                if next_code == "completed"
                else "",
                reason="داده نمایشی",
            )
            cluster = Cluster.objects.get(pk=cluster.pk)
            if next_code == "action_plan":
                self.plan(cluster, next_day, timeline)
            if next_code == "implementation":
                for year in (2, 3):
                    when = next_day + dt.timedelta(days=365 * (year - 1))
                    after = dict(timeline).get("evaluation")
                    if when <= self.until and (after is None or when < after):
                        services.cluster_start_year(actor=None, cluster=cluster, date=when)
                        cluster = Cluster.objects.get(pk=cluster.pk)
        self.members(cluster, start)
        self.visits(cluster, timeline)
        if plan.suspended and not cluster.is_completed:
            last = max(cluster.events.values_list("date", flat=True))
            if last < self.until:
                services.cluster_suspend(
                    actor=None,
                    cluster=cluster,
                    date=min(self.until, last + dt.timedelta(days=rng.randint(10, 90))),
                    reason="کمبود اعتبارات استانی",
                )
        return cluster

    def plan(self, cluster: Cluster, day: dt.date, timeline: list[tuple[str, dt.date]]) -> None:
        rng = self.rng
        for kind in rng.sample(list(ACTIONS), rng.randint(3, 6)):
            due = day + dt.timedelta(days=rng.randint(150, 1100))
            progress = (
                100
                if due < self.until - dt.timedelta(days=rng.randint(0, 120))
                else rng.choice([0, 20, 40, 60, 80])
            )
            status = "done" if progress == 100 else ("planned" if progress == 0 else "in_progress")
            services.action_add(
                actor=None,
                cluster=cluster,
                data={
                    "title": ACTIONS[kind],
                    "kind": kind,
                    "due_date": due,
                    "status": status,
                    "progress": progress,
                    "budget_rials": rng.randint(2, 60) * 100_000_000,
                    "funding_source": rng.choice(["اعتبارات ملی", "اعتبارات استانی", "سهم اعضا"]),
                    "owner": rng.choice(["عامل توسعه", "دبیر خوشه", "کنسرسیوم"]),
                },
            )
        approved = day + dt.timedelta(days=rng.randint(20, 50))
        implementation = dict(timeline).get("implementation")
        if implementation is not None or approved <= self.until:
            approved = min(approved, implementation or approved, self.until)
            services.plan_approve(actor=None, cluster=cluster, date=approved)

    def members(self, cluster: Cluster, start: dt.date) -> None:
        pool = (
            self.units.get((cluster.province_id, cluster.isic_division_id))
            or self.units.get((cluster.province_id, None))
            or []
        )
        chosen = self.rng.sample(pool, min(len(pool), self.rng.randint(3, 10)))
        for enterprise in Enterprise.objects.filter(pk__in=chosen).select_related("province"):
            joined = min(self.until, start + dt.timedelta(days=self.rng.randint(0, 200)))
            services.member_add(
                actor=None, cluster=cluster, enterprise=enterprise, joined_on=joined
            )

    def visits(self, cluster: Cluster, timeline: list[tuple[str, dt.date]]) -> None:
        """Visits and reports at each stage's cadence, with the gaps real programmes have
        (some of today's clusters are overdue)."""
        rng = self.rng
        ends = [d for _, d in timeline[1:]] + [self.until]
        stop_early = rng.randint(0, 120) if not cluster.is_completed else 0
        for (code, begin), end in zip(timeline, ends, strict=True):
            stage = stages.BY_CODE[code]
            for kind, every in (
                ("visit", stage.visit_every_days),
                ("report", stage.report_every_days),
            ):
                if every is None:
                    continue
                day = begin + dt.timedelta(days=rng.randint(5, every))
                while day < end and day <= self.until - dt.timedelta(days=stop_early):
                    if rng.random() > 0.08:
                        services.visit_add(
                            actor=None,
                            cluster=cluster,
                            kind=kind,
                            date=day,
                            by=cluster.technical_supervisor if kind == "visit" else "عامل توسعه",
                            summary="بازدید از واحدهای عضو و پیگیری اقدامات"
                            if kind == "visit"
                            else "گزارش پیشرفت برنامه",
                        )
                    day += dt.timedelta(days=every - rng.randint(0, 8))
