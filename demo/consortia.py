"""The demo export consortia: a few consortia in the provinces with the most active units,
formed since Jalali 1402 with four to seven units that were active in the demo registry on
the forming day (in a cluster of the province where it has one), written through
``consortia.services`` — so every step is audited and obeys the same guards as an
officer's work: members' readiness certificates, their exports per past year (US dollars),
support entries within each year's cap, and now and then a member that left (never below
three active). Each consortium has an invented promoter (``promoter-<n>``, no password;
``demo_accounts`` gives the named ``promoter`` the first Qom consortium).

Deterministic for a seed and an end date. Everything here is demo data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count

from accounts.services import grant_give
from clusters.models import Cluster
from consortia import countries, services
from consortia.models import MIN_ACTIVE_MEMBERS, Consortium, SupportKind
from consortia.roles import PROMOTER
from enterprises.models import Enterprise, Status
from persian import jalali
from places.models import Province

FIRST_YEAR = 1402
NAMES = ("زعفران", "پسته", "فرش دستباف", "کفش", "پوشاک", "قطعات خودرو", "سنگ ساختمانی",
         "کاشی و سرامیک", "لوازم خانگی", "مواد غذایی", "صنایع دستی", "مبلمان")  # fmt: skip
MARKETS = ("IQ", "AF", "AE", "RU", "TR", "AM", "AZ", "OM", "QA", "TJ", "UZ", "KZ", "CN", "SY")
CERTIFICATES = ("کارت بازرگانی", "گواهی ایزو ۹۰۰۱", "نشان استاندارد ملی", "گواهی حلال")


@dataclass
class Report:
    consortia: int = 0
    members: int = 0
    left: int = 0
    support: int = 0  # rials
    promoters: int = 0


class ConsortiumDemo:
    def __init__(
        self,
        *,
        seed: int,
        until: dt.date,
        per_province: int = 2,
        provinces: int = 8,
        log: Callable[[str], None] = lambda m: None,
    ) -> None:
        self.rng = random.Random(seed)
        self.until = until
        self.per_province = per_province
        self.provinces = provinces
        self.log = log
        self.report = Report()
        assert set(MARKETS) <= countries.codes()

    def _provinces(self) -> list[Province]:
        """The provinces with the most active units, Qom first (the named promoter's)."""
        counts = (
            Enterprise.objects.filter(status=Status.ACTIVE)
            .values("province_id")
            .annotate(n=Count("id"))
            .order_by("-n", "province_id")
        )
        ids = [r["province_id"] for r in counts if r["n"] >= 10]
        by_id = Province.objects.in_bulk(ids)
        ordered = [by_id[i] for i in ids]
        ordered.sort(key=lambda p: p.code != "IR-25")  # stable: the rest by size
        return ordered[: self.provinces]

    def _promoter(self) -> Any:
        self.report.promoters += 1
        username = f"promoter-{self.report.promoters}"
        # Drawn whether the person exists or not, so a rebuild draws the same after.
        first = self.rng.choice(("کامران", "شیرین", "بابک", "لیلا", "فرهاد"))
        last = self.rng.choice(("صادراتی", "بازرگان", "تجارتی", "پیشگام"))
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.pishran.ir",
            )
            user.set_unusable_password()
            user.save()
        return user

    def _day(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def form_one(self, province: Province, used: set[int]) -> Consortium | None:
        first = jalali.year_bounds(FIRST_YEAR)[0]
        formed_on = self._day(first, self.until - dt.timedelta(days=60))
        # Active since before the forming day and still active: active that day.
        pool = list(
            Enterprise.objects.filter(
                province=province, status=Status.ACTIVE, status_since__lte=formed_on
            )
            .exclude(pk__in=used)
            .order_by("pk")
            .values_list("pk", flat=True)[:400]
        )
        size = self.rng.randint(4, 7)
        if len(pool) < size:
            return None
        units = list(Enterprise.objects.filter(pk__in=self.rng.sample(pool, size)).order_by("pk"))
        used.update(u.pk for u in units)
        cluster = (
            Cluster.objects.filter(province=province).order_by("pk").first()
            if self.rng.random() < 0.5
            else None
        )
        product = self.rng.choice(NAMES)
        consortium = services.consortium_form(
            actor=None,
            name=f"کنسرسیوم صادراتی {product} {province.name_fa}",
            province=province,
            products=product,
            formed_on=formed_on,
            units=units,
            markets=self.rng.sample(MARKETS, self.rng.randint(1, 3)),
            cluster=cluster,
        )
        grant_give(actor=None, person=self._promoter(), role=PROMOTER, place_id=consortium.pk)
        self.report.consortia += 1
        self.report.members += len(units)
        self._readiness_and_exports(consortium)
        self._support(consortium)
        self._maybe_leave(consortium)
        return consortium

    def _readiness_and_exports(self, consortium: Consortium) -> None:
        this_year = jalali.year_of(self.until)
        for member in consortium.members.select_related("enterprise"):
            if self.rng.random() < 0.75:
                services.readiness_record(
                    actor=None,
                    member=member,
                    kind="certificate",
                    title=self.rng.choice(CERTIFICATES),
                    number=str(self.rng.randint(10000, 99999)),
                    date=self._day(member.joined_on, self.until),
                )
            for year in range(jalali.year_of(member.joined_on), this_year):
                services.exports_record(
                    actor=None,
                    member=member,
                    year=year,
                    amount_usd=self.rng.randrange(20_000, 2_000_000, 1000),
                )

    def _support(self, consortium: Consortium) -> None:
        day = consortium.formed_on
        while True:
            day = day + dt.timedelta(days=self.rng.randint(30, 150))
            if day > self.until:
                return
            year = jalali.year_of(day)
            room = services.cap_for(year) - services.support_used(consortium, year)
            amount = min(room, self.rng.randrange(100_000_000, 1_200_000_000, 10_000_000))
            if amount <= 0:
                continue
            services.support_record(
                actor=None,
                consortium=consortium,
                date=day,
                kind=self.rng.choice(SupportKind.values),
                amount=amount,
            )
            self.report.support += amount

    def _maybe_leave(self, consortium: Consortium) -> None:
        members = list(consortium.members.filter(left_on__isnull=True).select_related("enterprise"))
        others = services.active_on(members[1:], self.until)
        if self.rng.random() < 0.3 and len(others) >= MIN_ACTIVE_MEMBERS:
            member = members[0]
            services.member_remove(
                actor=None,
                member=member,
                left_on=self._day(member.joined_on, self.until),
                reason="خروج داوطلبانه",
            )
            self.report.left += 1

    def build(self) -> Report:
        used: set[int] = set()
        for province in self._provinces():
            for _ in range(self.per_province):
                found = self.form_one(province, used)
                self.log(f"{province.code}: {found or 'too few active units'}")
        return self.report
