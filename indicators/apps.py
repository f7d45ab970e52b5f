from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # The registry and parks sources register themselves on import; other apps call
        # ``indicators.sources.register`` from their own ``ready``.
        from places.models import Park, Province
        from sectors.models import IndustryGroup

        from . import sources
        from .models import Indicator, Target

        # Figures are kept per figures version: editing what they are computed from or
        # shown with (an indicator's definition, a target, an industry group, a park, a
        # province's name or code) starts a new one.
        sources.new_version_on_save(Indicator, Target, IndustryGroup, Park, Province)
