from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import services
from .models import Enterprise, LocationEvent, StatusEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusEventInline(ReadOnlyInline):
    model = StatusEvent
    fields = ("date", "from_status", "to_status", "reason", "author", "recorded_at")
    readonly_fields = fields


class LocationEventInline(ReadOnlyInline):
    model = LocationEvent
    fields = ("date", "province", "park", "reason", "author", "recorded_at")
    readonly_fields = fields


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """Profile edits go through the service (validated and audited); status and place
    change only through their dated forms on the site, so they are read-only here.

    The admin passes no ``version``: a stale admin form is not detected (the site's edit
    page is; back-office edits are rare and by national administrators)."""

    list_display = ("name", "province", "park", "status", "size_band", "employees", "published")
    list_filter = (
        "status",
        "size_band",
        "industry_group",
        "knowledge_based",
        "exporter",
        "published",
        "province",
    )
    search_fields = ("search_text", "legal_id")
    list_select_related = ("province", "park")
    readonly_fields = (
        "status",
        "status_since",
        "province",
        "park",
        "size_band",
        "created_at",
        "updated_at",
    )
    show_full_result_count = False
    inlines = (StatusEventInline, LocationEventInline)

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        from persian.text import search_terms

        for term in search_terms(search_term):
            queryset = queryset.filter(search_text__contains=term)
        return queryset, False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # registration needs a first status and place: use the site's form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Enterprise, form: Any, change: bool) -> None:
        fields = tuple(f for f in services.PROFILE_FIELDS if f in form.cleaned_data)
        services.enterprise_update(
            actor=request.user, enterprise=obj, data=form.cleaned_data, fields=fields
        )
