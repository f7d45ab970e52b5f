from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = _("Provinces and parks")

    def ready(self) -> None:
        from accounts import access, roles

        from .access import RULES

        roles.register_place(roles.PlaceKind("province", _("province"), "places.Province", "pk"))
        roles.register_place(roles.PlaceKind("park", _("park or zone"), "places.Park", "province"))
        access.register(RULES)
