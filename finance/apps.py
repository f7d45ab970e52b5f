from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "finance"
    verbose_name = _("Finance referrals")

    def ready(self) -> None:
        # The bank officer's role and the bank as a kind of place, the referral case type
        # and who may act on referrals join the registries the lower layers keep.
        from accounts import access
        from audit.presenters import ACTION_LABELS
        from cases import types
        from enterprises import sections

        from . import roles
        from .access import CERTIFICATE_RULES, RULES
        from .casetype import REFERRAL
        from .market import LISTING
        from .selectors import unit_section

        roles.register()
        types.register(REFERRAL)
        types.register(LISTING)
        access.register(RULES)
        access.register(CERTIFICATE_RULES)
        sections.register(unit_section)  # a unit's certificates on its page
        ACTION_LABELS.update(
            {
                "referral_introduce": _("introduced to a bank"),
                "referral_decide": _("bank's decision recorded"),
                "referral_pay": _("payment recorded"),
                "listing_introduce": _("introduced to the capital market"),
                "listing_update": _("capital-market file updated"),
                "certificate_issue": _("productive-credit certificate registered"),
                "certificate_pass": _("productive-credit certificate passed on"),
                "certificate_discount": _("productive-credit certificate discounted at a bank"),
                "certificate_settle": _("productive-credit certificate settled at maturity"),
            }
        )
