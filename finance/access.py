"""Who may introduce, decide and record payment of finance referrals (registered in
``FinanceConfig``). Seeing a referral is the cases' business (``cases.access``: the office,
the assignee, the unit's owner, and — through the type's ``parties_q`` — the bank's
officers); this says who may act."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.access import Rules, held_q
from accounts.roles import Role
from accounts.scope import Scope

from .roles import BANK_OFFICER, MARKET_ADVISER


class FinanceRules(Rules):
    label = "finance"
    model = "finance.Referral"

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        return Q() if scope.national else Q(pk__in=[])

    def can_introduce(self, scope: Scope, obj: Any = None) -> bool:
        """Introduce a unit of province ``obj`` (an id; None: of some province)."""
        if scope.national:
            return True
        if obj is None:
            return scope.holds(Role.PROVINCIAL_OFFICER)
        return obj in scope.places(Role.PROVINCIAL_OFFICER)

    def can_decide(self, scope: Scope, obj: Any = None) -> bool:
        """Record the bank's decision or its payment: the bank's own officers (and national
        staff, correcting what a bank reported on paper)."""
        return scope.national or obj.bank_id in scope.places(BANK_OFFICER)

    def can_update_listing(self, scope: Scope, obj: Any = None) -> bool:
        """A capital-market file's details: the office holding it, national staff, and the
        staff of the file's adviser (who cannot hand the file to another adviser)."""
        if scope.national or obj.case.province_id in scope.places(Role.PROVINCIAL_OFFICER):
            return True
        return obj.adviser_id is not None and obj.adviser_id in scope.places(MARKET_ADVISER)

    def can_choose_adviser(self, scope: Scope, obj: Any = None) -> bool:
        return scope.national or obj.case.province_id in scope.places(Role.PROVINCIAL_OFFICER)

    def can_see_pipeline(self, scope: Scope, obj: Any = None) -> bool:
        return scope.national or scope.holds(
            Role.PROVINCIAL_OFFICER, MARKET_ADVISER, Role.ENTERPRISE_OWNER
        )

    def can_see_certificates(self, scope: Scope, obj: Any = None) -> bool:
        return scope.national or scope.holds(
            Role.PROVINCIAL_OFFICER, BANK_OFFICER, Role.ENTERPRISE_OWNER
        )

    def can_issue_certificate(self, scope: Scope, obj: Any = None) -> bool:
        """Certificates are issued by a bank: its officers register them (and national
        staff, from the central bank's lists)."""
        return scope.national or scope.holds(BANK_OFFICER)

    def can_see_ledger(self, scope: Scope, obj: Any = None) -> bool:
        return scope.national or scope.holds(
            Role.PROVINCIAL_OFFICER, BANK_OFFICER, Role.ENTERPRISE_OWNER
        )


class CertificateRules(Rules):
    """Who sees productive-credit certificates and who acts for a unit on one."""

    label = "certificates"
    model = "finance.Certificate"

    def full_q(self, scope: Scope, prefix: str = "") -> Q:
        """National staff all; a provincial officer those whose buyer or holder is in their
        provinces; a bank officer their bank's; an owner those their units bought, supplied
        or hold."""
        if scope.national:
            return Q()
        q = held_q(
            scope,
            {Role.PROVINCIAL_OFFICER: "buyer__province_id", BANK_OFFICER: "bank_id"},
            prefix,
        ) | held_q(scope, {Role.PROVINCIAL_OFFICER: "holder__province_id"}, prefix)
        if units := scope.places(Role.ENTERPRISE_OWNER):
            q |= (
                Q(**{f"{prefix}buyer_id__in": units})
                | Q(**{f"{prefix}supplier_id__in": units})
                | Q(**{f"{prefix}holder_id__in": units})
            )
        return q

    def can_act_for(self, scope: Scope, obj: Any = None) -> bool:
        """Act for unit ``obj`` on a certificate (pass it on, discount it, see its chain as
        the buyer): its owner, its province's officer, national staff."""
        return (
            scope.national
            or obj.province_id in scope.places(Role.PROVINCIAL_OFFICER)
            or obj.pk in scope.places(Role.ENTERPRISE_OWNER)
        )

    def can_issue_at(self, scope: Scope, obj: Any = None) -> bool:
        """Register a certificate issued by bank ``obj``: its officers, national staff."""
        return scope.national or obj.pk in scope.places(BANK_OFFICER)


RULES = FinanceRules()
CERTIFICATE_RULES = CertificateRules()
