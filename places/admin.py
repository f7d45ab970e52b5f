from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.admin import AuditedModelAdmin

from . import services
from .models import Park, Province


@admin.register(Province)
class ProvinceAdmin(AuditedModelAdmin):
    list_display = ("code", "name_fa", "name_en", "capital_fa", "population")
    search_fields = ("code", "name_fa", "name_en")


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "province",
        "kind",
        "ownership",
        "is_active",
        "plots_total",
        "plots_allocated",
    )
    list_filter = ("province", "kind", "ownership", "is_active")
    search_fields = ("name", "name_key")
    list_select_related = ("province",)

    def save_model(self, request: HttpRequest, obj: Park, form: Any, change: bool) -> None:
        data = {
            name: form.cleaned_data[name]
            for name in services.PARK_FIELDS
            if name in form.cleaned_data
        }
        if change:
            services.park_update(actor=request.user, park=obj, data=data)
        else:
            obj.pk = services.park_create(actor=request.user, data=data).pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
