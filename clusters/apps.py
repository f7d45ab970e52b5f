from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clusters"
    verbose_name = _("Cluster development programme")

    def ready(self) -> None:
        # The audit presenter reads action names through this table; the cluster services'
        # actions are registered here, beside the app that writes them. (The programme's
        # figures are the indicators' business: ``indicators.clusters``, refreshed on the
        # events of ``clusters.events``.)
        from accounts import access, roles
        from audit.presenters import ACTION_LABELS

        from .access import RULES

        roles.register_place(
            roles.PlaceKind("cluster", _("cluster"), "clusters.Cluster", "province")
        )
        access.register(RULES)

        ACTION_LABELS.update(
            {
                "stage": _("stage recorded"),
                "year": _("implementation year started"),
                "suspend": _("suspended"),
                "resume": _("resumed"),
                "plan_approve": _("action plan approved"),
                "evaluate": _("evaluation recorded"),
                "member_add": _("member added"),
                "document": _("document uploaded"),
                "action_add": _("joint action added"),
                "action_update": _("joint action updated"),
                "visit": _("visit or report recorded"),
            }
        )
