from django.contrib import admin

from audit.admin import AuditedModelAdmin

from .forms import IndicatorAdminForm
from .models import Indicator, RefreshRun, Target


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    form = IndicatorAdminForm
    list_display = ("position", "key", "name", "kind", "source", "measure", "is_public")
    list_display_links = ("key", "name")
    list_filter = ("kind", "source", "is_public")
    search_fields = ("key", "name")


@admin.register(Target)
class TargetAdmin(AuditedModelAdmin):
    list_display = ("indicator", "province", "year", "value")
    list_filter = ("year", "indicator")


@admin.register(RefreshRun)
class RefreshRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "kind",
        "state",
        "step",
        "steps_done",
        "steps_total",
        "rows",
        "finished_at",
    )
    readonly_fields = [f.name for f in RefreshRun._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
