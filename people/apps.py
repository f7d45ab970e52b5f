from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and roles")

    def ready(self) -> None:
        from accounts import access

        from .access import RULES

        access.register(RULES)
