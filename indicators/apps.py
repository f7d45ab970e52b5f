from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # The registry and parks sources register themselves on import; other apps call
        # ``indicators.sources.register`` from their own ``ready``.
        from . import sources  # noqa: F401
