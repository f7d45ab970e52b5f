from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # The indicators build on the layers below and listen to their domain events
        # (``pishran.events``); nothing below imports the indicators (docs/architecture.md).
        from clusters.events import ClusterEvent
        from enterprises.events import EnterpriseEvent
        from pishran.events import subscribe
        from places.events import ParkSaved, ReferenceLoaded

        from . import catalogue, facts, sources
        from .base import register
        from .clinics import ClinicSource
        from .clusters import ClusterSource
        from .consortia import ConsortiumSource
        from .events import CatalogueLoaded, FactsApplied, FactsRebuilt, TargetDeleted, TargetSaved

        # The registry and parks sources register themselves (``sources``); the cluster
        # programme's figures are read from ``clusters.selectors`` by ``indicators.clusters``,
        # the business clinics' from ``clinics.figures`` by ``indicators.clinics``.
        register(ClusterSource())
        register(ClinicSource())
        register(ConsortiumSource())  # reads the consortia's small tables directly

        # The facts follow every change of the registry in the change's own transaction:
        # the unit's contribution before and after, applied once it commits.
        subscribe(EnterpriseEvent, facts.registry_changed, in_transaction=True)
        # The shipped indicators are loaded with the reference data, in its transaction.
        subscribe(ReferenceLoaded, catalogue.reference_loaded, in_transaction=True)

        # Figures are kept per figures version (``sources.memo``): whatever they are
        # computed from or shown with starts a new one once its transaction commits — the
        # facts (a change applied, a rebuild), the cluster programme (its figures and the
        # province pages' cluster blocks), every case event (the clinics' figures), parks, reference rows edited in the back office
        # (provinces, industry groups, indicators, targets) or loaded, targets and the
        # shipped catalogue.
        for topic in (
            FactsApplied,
            FactsRebuilt,
            ClusterEvent,
            "case.",
            "consortium.",  # the consortia's figures
            ParkSaved,
            "reference.",
            TargetSaved,
            TargetDeleted,
            CatalogueLoaded,
        ):
            subscribe(topic, sources.figures_changed)
