from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = _("Bulk import")

    def ready(self) -> None:
        from accounts import access
        from audit.presenters import ACTION_LABELS, CHANGE_FIELDS

        from .access import RULES

        access.register(RULES)
        ACTION_LABELS["import"] = _("imported from a file")
        CHANGE_FIELDS[("imports.importjob", "created")] = (_("units registered"), None)
        CHANGE_FIELDS[("imports.importjob", "updated")] = (_("units updated"), None)
