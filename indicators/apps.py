from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # The registry and parks sources register themselves on import; other apps call
        # ``indicators.sources.register`` from their own ``ready``.
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from places.models import Park, Province
        from sectors.models import IndustryGroup

        from . import sources
        from .models import Indicator, Target

        def changed(**kwargs: object) -> None:
            transaction.on_commit(sources.bump_version)

        # Figures are kept per figures version: editing what they are computed from or
        # shown with (an indicator's definition, a target, an industry group, a park, a
        # province's name or code) starts a new one.
        for model in (Indicator, Target, IndustryGroup, Park, Province):
            post_save.connect(changed, sender=model, dispatch_uid=f"figures-{model.__name__}")
            post_delete.connect(changed, sender=model, dispatch_uid=f"figures-{model.__name__}-d")
