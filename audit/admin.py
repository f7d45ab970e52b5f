from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from pishran.events import publish

from .events import ReferenceRowDeleted, ReferenceRowSaved
from .models import AuditRecord
from .services import audit_record, diff, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """Back-office edits of reference data are audited like every other write: the change
    and its record in one transaction, and announced (``reference.row_saved``, delivered
    once it commits: figures shown with a province's or a group's name are refreshed).
    Registry objects with business rules use their services instead (see
    enterprises/admin.py, places/admin.py)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = [f.name for f in obj._meta.concrete_fields]
        before = snapshot(type(obj).objects.get(pk=obj.pk), fields) if change else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changes = diff(before, snapshot(obj, fields))
            audit_record(
                actor=request.user,
                action="update" if change else "create",
                target=obj,
                changes=changes,
            )
            publish(
                ReferenceRowSaved(
                    model=obj._meta.label_lower,
                    pk=obj.pk,
                    created=not change,
                    changed=tuple(changes),
                )
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action="delete", target=obj)
            pk = obj.pk
            super().delete_model(request, obj)
            publish(ReferenceRowDeleted(model=obj._meta.label_lower, pk=pk))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # reference rows are referenced by history; retire, don't delete


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    # actor_name: who acted as named then, kept when the account is deleted.
    list_display = ("at", "actor_name", "action", "target_repr", "note")
    list_filter = ("action", "target_type")
    search_fields = ("target_repr", "note", "actor_name", "actor__username")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
