from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinics"
    verbose_name = _("Business clinics")

    def ready(self) -> None:
        # The clinic consultant's role and the clinic case type join the registries the
        # lower layers keep (``accounts.roles``, ``cases.types``); the audit presenter
        # names the clinics' own actions.
        from dataclasses import replace

        from audit.presenters import ACTION_LABELS
        from cases import types

        from . import roles, services
        from .casetype import CLINIC, REVIVED

        roles.register()
        types.register(
            replace(CLINIC, on_enter={REVIVED: services.on_revived}, daily=services.check_revivals)
        )
        ACTION_LABELS.update(
            {
                "clinic_diagnosis": _("diagnosis recorded"),
                "clinic_action_add": _("remedy action added"),
                "clinic_action_update": _("remedy action updated"),
                "clinic_not_sustained": _("revival did not hold"),
            }
        )
