from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consortia"
    verbose_name = _("Export consortia")

    def ready(self) -> None:
        # The promoter's role and the consortium as a kind of place, and who may see and
        # keep consortia, join the registries the lower layers keep.
        from accounts import access
        from audit.presenters import ACTION_LABELS
        from enterprises import sections

        from . import roles
        from .access import RULES
        from .selectors import unit_section

        roles.register()
        access.register(RULES)
        sections.register(unit_section)  # a unit's consortia on its page
        ACTION_LABELS.update(
            {
                "consortium_form": _("consortium formed"),
                "consortium_member_add": _("member joined"),
                "consortium_member_remove": _("member left"),
                "consortium_readiness": _("export readiness recorded"),
                "consortium_exports": _("exports recorded"),
                "consortium_support": _("support recorded"),
                "consortium_cap": _("support cap set"),
            }
        )
