"""One demo account per role, with known passwords, for trying the demo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Grant, Role, User
from accounts.services import grant_give, grant_withdraw
from audit.models import AuditRecord
from clinics.roles import CLINIC_CONSULTANT
from consortia.models import Consortium
from consortia.roles import PROMOTER
from demo import seeded
from enterprises.models import Enterprise
from enterprises.services import enterprise_owners, enterprise_set_owners
from finance.models import AdviserFirm, Bank
from finance.roles import BANK_OFFICER, MARKET_ADVISER
from persian.text import search_key
from places.models import Park, Province

QOM, TEHRAN, ALBORZ = "IR-25", "IR-23", "IR-30"
SHOKOUHIEH = "شکوهیه"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str


ACCOUNTS = (
    DemoAccount("admin", "pishran-admin-1404", Role.NATIONAL_ADMIN, "سارا", "رحیمی"),
    DemoAccount("officer", "pishran-officer-1404", Role.PROVINCIAL_OFFICER, "علی", "محمدی"),
    DemoAccount("officer2", "pishran-officer2-1404", Role.PROVINCIAL_OFFICER, "مریم", "کریمی"),
    DemoAccount("parkmanager", "pishran-park-1404", Role.PARK_MANAGER, "حسین", "رضایی"),
    DemoAccount("owner", "pishran-owner-1404", Role.ENTERPRISE_OWNER, "زهرا", "حسینی"),
    DemoAccount("agent", "pishran-agent-1404", Role.CLUSTER_AGENT, "رضا", "عاملی"),
    DemoAccount("agent2", "pishran-agent2-1404", Role.CLUSTER_AGENT, "نرگس", "توسعه‌ای"),
    DemoAccount("consultant", "pishran-consultant-1404", CLINIC_CONSULTANT, "مینا", "مشاور"),
    DemoAccount("consultant2", "pishran-consultant2-1404", CLINIC_CONSULTANT, "بهرام", "درمانگر"),
    # Two grants: clinic consultant in Tehran and in Alborz.
    DemoAccount("consultant3", "pishran-consultant3-1404", CLINIC_CONSULTANT, "پروین", "دواستانی"),
    # The promoter of the first demo consortium of Qom (``seed_consortia``).
    DemoAccount("promoter", "pishran-promoter-1404", PROMOTER, "کامران", "صادراتی"),
    # Two grants: provincial officer of Tehran and manager of the Shokouhieh park in Qom.
    DemoAccount("twohats", "pishran-twohats-1404", Role.PROVINCIAL_OFFICER, "کاوه", "دوسویه"),
    # Bank Melli's officer; the staff of the first demo adviser firm (seed_finance).
    DemoAccount("bankofficer", "pishran-bank-1404", BANK_OFFICER, "فرهاد", "بانکی"),
    DemoAccount("adviser", "pishran-adviser-1404", MARKET_ADVISER, "لیلا", "بورسی"),
)
BANK = "melli"


class Command(BaseCommand):
    help = (
        "Create or reset one DEMO account per role (admin, officer, officer2, parkmanager, "
        "owner, agent, agent2, consultant, consultant2, bankofficer, adviser, promoter, and twohats and consultant3 who hold "
        "two grants) with known passwords, and print them. Safe to run again: existing users are "
        "updated and their passwords reset to the same values. The owner account is linked "
        "to one published enterprise in the Shokouhieh park of Qom (the lowest id), once "
        "enterprises exist. The passwords are published: refused when DEBUG is off unless "
        "--insecure is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--insecure",
            action="store_true",
            help="create the accounts even with DEBUG off (never on a real deployment)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["insecure"]:
            raise CommandError(
                "DEBUG is off: demo accounts with published passwords are not created "
                "(use --insecure on a throwaway demo server only)."
            )
        provinces = {p.code: p for p in Province.objects.filter(code__in=[QOM, TEHRAN, ALBORZ])}
        if len(provinces) < 3:
            raise CommandError("Provinces are missing: run `manage.py load_reference` first.")
        park = Park.objects.filter(province=provinces[QOM], name_key=search_key(SHOKOUHIEH)).first()
        if park is None:
            raise CommandError(
                f"The Qom park «{SHOKOUHIEH}» is missing: run `manage.py load_reference` first."
            )
        for account in ACCOUNTS:
            try:
                validate_password(account.password, User(username=account.username))
            except ValidationError as exc:  # pragma: no cover - the values are fixed
                raise CommandError(f"{account.username}: {' '.join(exc.messages)}") from exc

        with transaction.atomic():
            # The grants and audit records written here are demo rows too: a later
            # ``seed_demo --force`` may delete them (``demo.seeded``).
            before = seeded.high_water([Grant, AuditRecord])
            users = {a.username: self._upsert(a) for a in ACCOUNTS}
            admin = users["admin"]
            admin.is_staff = admin.is_superuser = True
            admin.save()
            wanted: dict[str, list[tuple[str, int | None]]] = {
                "admin": [(Role.NATIONAL_ADMIN, None)],
                "officer": [(Role.PROVINCIAL_OFFICER, provinces[QOM].pk)],
                "officer2": [(Role.PROVINCIAL_OFFICER, provinces[TEHRAN].pk)],
                "parkmanager": [(Role.PARK_MANAGER, park.pk)],
                "agent": [(Role.CLUSTER_AGENT, provinces[QOM].pk)],
                "agent2": [(Role.CLUSTER_AGENT, provinces[TEHRAN].pk)],
                "twohats": [
                    (Role.PROVINCIAL_OFFICER, provinces[TEHRAN].pk),
                    (Role.PARK_MANAGER, park.pk),
                ],
                "consultant": [(CLINIC_CONSULTANT, provinces[QOM].pk)],
                "consultant2": [(CLINIC_CONSULTANT, provinces[TEHRAN].pk)],
                "consultant3": [
                    (CLINIC_CONSULTANT, provinces[TEHRAN].pk),
                    (CLINIC_CONSULTANT, provinces[ALBORZ].pk),
                ],
            }
            bank = Bank.objects.filter(code=BANK).first()
            firm = AdviserFirm.objects.order_by("code").first()
            wanted["bankofficer"] = [(BANK_OFFICER, bank.pk)] if bank else []
            wanted["adviser"] = [(MARKET_ADVISER, firm.pk)] if firm else []
            promoted = Consortium.objects.filter(province=provinces[QOM]).order_by("pk").first()
            wanted["promoter"] = [(PROMOTER, promoted.pk)] if promoted else []
            for username, grants in wanted.items():
                self._set_grants(users[username], grants)
            owned, note = self._link_owner(users["owner"], admin, provinces[QOM], park)
            seeded.record("demo_accounts", before)
        self._reset_lockouts()

        scopes = {
            "admin": "whole country (Django admin too)",
            "officer": f"{provinces[QOM].name_fa} ({QOM})",
            "officer2": f"{provinces[TEHRAN].name_fa} ({TEHRAN})",
            "parkmanager": f"{park.name} ({provinces[QOM].name_fa})",
            "owner": f"{owned.name} (#{owned.pk})" if owned else "no enterprise yet",
            "agent": self._clusters_of(users["agent"]),
            "agent2": self._clusters_of(users["agent2"]),
            "twohats": f"{provinces[TEHRAN].name_fa} ({TEHRAN}) + {park.name} ({provinces[QOM].name_fa})",
            "consultant": self._caseload_of(users["consultant"], [provinces[QOM]]),
            "consultant2": self._caseload_of(users["consultant2"], [provinces[TEHRAN]]),
            "consultant3": self._caseload_of(
                users["consultant3"], [provinces[TEHRAN], provinces[ALBORZ]]
            ),
            "bankofficer": f"{bank.name}: {bank.referrals.count()} referrals"
            if bank
            else "no bank (run load_reference)",
            "adviser": f"{firm.name}: {firm.listings.count()} capital-market files"
            if firm
            else "no adviser firm yet (run seed_finance)",
            "promoter": f"consortium: {promoted.name} (#{promoted.pk})"
            if promoted
            else "no consortium yet (run seed_consortia)",
        }
        rows = [("username", "password", "role", "scope")] + [
            (a.username, a.password, self._roles_text(users[a.username]), scopes[a.username])
            for a in ACCOUNTS
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for i, row in enumerate(rows):
            self.stdout.write(
                "  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row[:3])) + "  " + row[3]
            )
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths) + "  " + "-" * 5)
        if note:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write("Demo accounts only: these passwords are public.")

    @staticmethod
    def _clusters_of(agent: User) -> str:
        """The clusters ``seed_clusters`` gave this agent (it creates 'agent' in Qom and
        'agent2' in Tehran as the agents of a few developing clusters)."""
        names = list(agent.agent_clusters.order_by("pk").values_list("name", flat=True)[:3])
        return "clusters: " + "، ".join(names) if names else "no cluster yet (run seed_clusters)"

    @staticmethod
    def _caseload_of(consultant: User, provinces: list[Province]) -> str:
        """Where the consultant works and the clinic cases ``seed_clinics`` assigned them."""
        where = " + ".join(f"{p.name_fa} ({p.code})" for p in provinces)
        n = consultant.assigned_cases.filter(closed_on__isnull=True).count()
        return (
            f"{where}: {n} open clinic cases" if n else f"{where}: no case yet (run seed_clinics)"
        )

    @staticmethod
    def _upsert(account: DemoAccount) -> User:
        user = User.objects.filter(username=account.username).first() or User(
            username=account.username
        )
        user.first_name, user.last_name = account.first_name, account.last_name
        user.is_active = True
        user.is_staff = user.is_superuser = False
        user.set_password(account.password)
        user.save()
        return user

    @staticmethod
    def _set_grants(user: User, wanted: list[tuple[str, int | None]]) -> None:
        """Exactly ``wanted`` in force (owner grants are kept by ``_link_owner``), given and
        withdrawn through the audited services."""
        for grant in user.grants.live().exclude(role=Role.ENTERPRISE_OWNER):
            if (grant.role, grant.place_id) not in wanted:
                grant_withdraw(actor=None, grant=grant, note="demo accounts")
        for role, place_id in wanted:
            if not user.grants.live().filter(role=role, place_id=place_id).exists():
                grant_give(actor=None, person=user, role=role, place_id=place_id)

    @staticmethod
    def _roles_text(user: User) -> str:
        return " + ".join(sorted({g.role for g in user.grants.live()}))

    @staticmethod
    def _link_owner(
        owner: User, admin: User, province: Province, park: Park
    ) -> tuple[Enterprise | None, str]:
        """Make ``owner`` the owner of exactly one demo enterprise: the published one with
        the lowest id in the park (through the audited service)."""
        target = (
            Enterprise.objects.filter(published=True, province=province, park=park)
            .order_by("id")
            .first()
        )
        owned_ids = owner.grants.live().filter(role=Role.ENTERPRISE_OWNER).values("place_id")
        others = Enterprise.objects.filter(pk__in=owned_ids)
        if target is not None:
            others = others.exclude(pk=target.pk)
        for other in others:
            enterprise_set_owners(
                actor=admin,
                enterprise=other,
                owners=[u for u in enterprise_owners(other) if u.pk != owner.pk],
            )
        if target is None:
            if not Enterprise.objects.exists():
                return None, (
                    "No enterprises yet: the owner account has no enterprise. Run "
                    "`manage.py seed_demo`, then this command again."
                )
            return None, f"No published enterprise in «{park.name}»: the owner has none."
        current = enterprise_owners(target)
        if owner not in current:
            enterprise_set_owners(actor=admin, enterprise=target, owners=[*current, owner])
        return target, ""

    @staticmethod
    def _reset_lockouts() -> None:
        """Clear failed-login lockouts of the demo accounts (django-axes)."""
        try:
            from axes.utils import reset
        except ImportError:  # pragma: no cover - axes is a dependency
            return
        for account in ACCOUNTS:
            reset(username=account.username)
