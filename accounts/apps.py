from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The names of the people services' actions in the change history
        # (``audit.presenters``).
        from audit.presenters import ACTION_LABELS, CHANGE_FIELDS

        from .roles import role_label

        CHANGE_FIELDS.update(
            {
                ("accounts.grant", "role"): (_("role"), role_label),
                ("accounts.grant", "place"): (_("place"), None),
            }
        )
        ACTION_LABELS.update(
            {
                "grant": _("role given"),
                "grant_withdraw": _("role withdrawn"),
                "person_create": _("person added"),
                "person_update": _("details edited"),
                "activate": _("reactivated"),
                "deactivate": _("deactivated"),
                "password": _("password set"),
                "superuser": _("superuser status changed"),
            }
        )
