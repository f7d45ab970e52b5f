from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # The indicators build on the layers below and listen to their domain events
        # (``pishran.events``); nothing below imports the indicators (docs/architecture.md).
        from accounts.access import register as register_rules
        from audit.events import ReferenceRowSaved
        from cases.events import CaseEvent
        from clinics.casetype import TYPE as CLINIC
        from clinics.figures import case_flows
        from clusters.events import ClusterEvent
        from enterprises import selectors as enterprise_selectors
        from enterprises.events import EnterpriseEvent, UnitsCreated, UnitsUpdated
        from enterprises.models import provide_stalled_months
        from finance import casetype as referral
        from finance import figures as finance_figures
        from finance import market
        from finance import selectors as finance_selectors
        from pishran.events import subscribe
        from places.events import ParkSaved, ReferenceLoaded

        from . import casefacts, catalogue, facts, rows, sources, tasks
        from .access import RULES
        from .base import register
        from .clinics import ClinicSource
        from .clusters import ClusterSource
        from .consortia import ConsortiumSource
        from .events import CatalogueLoaded, FactsApplied, FactsRebuilt, TargetDeleted, TargetSaved
        from .finance import FinanceSource, ledgers_from_facts, pipeline_from_facts

        # The registry and parks sources register themselves (``sources``); the cluster
        # programme's figures are read from ``clusters.selectors`` by ``indicators.clusters``,
        # the business clinics' from ``clinics.figures`` by ``indicators.clinics``.
        register_rules(RULES)  # who sees and sets the targets
        # Semi-finished projects: the number of months the agency set on the indicator; a
        # new number rebuilds the facts.
        provide_stalled_months(sources.stalled_months)
        subscribe(ReferenceRowSaved, tasks.stalled_months_changed)
        register(ClusterSource())
        register(ClinicSource())
        register(FinanceSource())
        register(ConsortiumSource())  # reads the consortia's small tables directly

        # The facts follow every change of the registry in the change's own transaction:
        # the unit's contribution before and after, applied once it commits.
        subscribe(EnterpriseEvent, facts.registry_changed, in_transaction=True)
        # Units registered in bulk (an import's batch): their summed contribution at once.
        # New units have no cases, so the cases' facts have nothing to follow.
        subscribe(UnitsCreated, facts.registry_batch_created, in_transaction=True)
        # Known units updated in bulk: the batch's difference at once, and their cases'.
        subscribe(UnitsUpdated, facts.registry_batch_updated, in_transaction=True)
        subscribe(UnitsUpdated, casefacts.units_changed, in_transaction=True)
        # The cases' facts likewise follow every case event, and the registry changes of a
        # unit with cases (its park; whether a revival held), in the change's transaction.
        casefacts.register_flows(CLINIC, case_flows)
        casefacts.register_flows(referral.TYPE, finance_figures.referral_flows)
        casefacts.register_flows(market.TYPE, finance_figures.listing_flows)
        # The referral list's ledgers and the pipeline's figures are read from those facts.
        finance_selectors.provide("ledgers", ledgers_from_facts)
        finance_selectors.provide("pipeline", pipeline_from_facts)
        # The directory states its exact number from the registry's facts where they carry
        # its filters (``enterprises.selectors._counted_in_figures``).
        enterprise_selectors.provide_counter(rows.units_there)
        # A buyer's chain of suppliers is kept per figures version (``sources.memo``).
        finance_selectors.provide("keep", sources.memo)
        subscribe(CaseEvent, casefacts.case_changed, in_transaction=True)
        subscribe(EnterpriseEvent, casefacts.unit_changed, in_transaction=True)
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
            "certificate.",  # a buyer's chain of suppliers (``finance.selectors.kept``)
            ParkSaved,
            "reference.",
            TargetSaved,
            TargetDeleted,
            CatalogueLoaded,
        ):
            subscribe(topic, sources.figures_changed)
