from django.contrib import admin

from audit.admin import AuditedModelAdmin

from .models import IndustryGroup, IsicDivision


@admin.register(IndustryGroup)
class IndustryGroupAdmin(AuditedModelAdmin):
    list_display = ("key", "name_fa", "name_en", "position")


@admin.register(IsicDivision)
class IsicDivisionAdmin(AuditedModelAdmin):
    list_display = ("code", "name_fa", "name_en", "group")
    list_filter = ("group",)
