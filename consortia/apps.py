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

        from . import roles
        from .access import RULES

        roles.register()
        access.register(RULES)
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
