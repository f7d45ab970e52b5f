from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from accounts import access
        from audit.presenters import ACTION_LABELS, CHANGE_FIELDS
        from enterprises import sections

        from .access import RULES
        from .selectors import unit_section
        from .types import any_stage_label, type_label

        access.register(RULES)
        # The unit's page lists its cases of every type (``enterprises.sections``).
        sections.register(unit_section)
        ACTION_LABELS.update(
            {
                "case_open": _("case opened"),
                "case_stage": _("case stage changed"),
                "case_assign": _("case assigned"),
                "case_transfer": _("case transferred"),
                "case_due": _("case due date set"),
                "case_follow_up": _("follow-up scheduled"),
                "case_follow_up_done": _("follow-up done"),
                "case_note": _("note added"),
                "case_document": _("document uploaded"),
            }
        )
        # A case's type and stage in its history by their names, not their codes.
        CHANGE_FIELDS.update(
            {
                ("cases.case", "type"): (_("case type"), type_label),
                ("cases.case", "stage"): (_("stage"), any_stage_label),
                ("cases.caseevent", "stage"): (_("stage"), any_stage_label),
            }
        )
