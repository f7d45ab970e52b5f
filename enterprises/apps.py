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

        from django.db.models.signals import post_delete, post_save

        from places.models import Province
        from sectors.models import IndustryGroup, IsicDivision

        from .selectors import forget_directory_choices

        for model in (Province, IndustryGroup, IsicDivision):
            for signal in (post_save, post_delete):
                signal.connect(forget_directory_choices, sender=model, weak=False)
