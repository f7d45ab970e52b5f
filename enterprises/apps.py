from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("Enterprises")

    def ready(self) -> None:
        from accounts import access, roles

        from .access import RULES

        roles.register_place(
            roles.PlaceKind(
                "enterprise",
                _("enterprise"),
                "enterprises.Enterprise",
                "province",
                typed_fields=("legal_id",),
            )
        )
        access.register(RULES)
