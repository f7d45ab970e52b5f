from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from accounts import access
        from audit.presenters import ACTION_LABELS

        from .access import RULES

        access.register(RULES)
        ACTION_LABELS.setdefault("token_create", _("API token created"))
        ACTION_LABELS.setdefault("token_revoke", _("API token revoked"))
