"""People in the Django admin: every change that matters goes through ``accounts.services``
(audited in the same transaction): creating a person, (de)activating, superuser and staff
status, a password set here, names and contact. Grants are shown here and given or
withdrawn on the "people and roles" pages, through the same services."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Grant, User

_admin_actor: ContextVar[Any] = ContextVar("admin_actor", default=None)


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data.get("password1") if usable else None
        self.user = services.person_set_password(
            actor=_admin_actor.get(), person=self.user, password=password
        )
        return self.user


class GrantInline(admin.TabularInline):
    model = Grant
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ("role", "place_kind", "place_id", "starts_on", "withdrawn_on", "given_by", "note")
    readonly_fields = fields
    verbose_name_plural = _("grants (given and withdrawn on the people pages)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PersonChangeForm(UserChangeForm):
    """The admin's user form, refusing what the services would refuse (the last national
    administrator) as a form error rather than a failed save."""

    actor: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            if self.instance.pk:
                services.check_last_national(
                    self.instance,
                    active=bool(cleaned.get("is_active")),
                    superuser=bool(cleaned.get("is_superuser")),
                )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "is_active", "is_superuser")
    list_filter = ("is_active", "is_staff", "is_superuser", "grants__role")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Contact"), {"fields": ("phone",)}),
    )
    inlines = (GrantInline,)
    change_password_form = AuditedPasswordChangeForm
    form = PersonChangeForm

    @transaction.atomic
    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        token = _admin_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _admin_actor.reset(token)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = request.user
        if not change:
            data = {k: getattr(obj, k) for k in services.PERSON_FIELDS}
            person = services.person_create(actor=actor, data=data)
            # The add form's password, already hashed on ``obj``, and its flags.
            User.objects.filter(pk=person.pk).update(password=obj.password)
            obj.pk = person.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        before = User.objects.get(pk=obj.pk)
        if (obj.is_superuser, obj.is_staff) != (before.is_superuser, before.is_staff):
            services.person_set_superuser(
                actor=actor, person=before, superuser=obj.is_superuser, staff=obj.is_staff
            )
        if obj.is_active != before.is_active:
            services.person_set_active(actor=actor, person=before, active=obj.is_active)
        services.person_update(
            actor=actor, person=before, data={k: getattr(obj, k) for k in services.PERSON_FIELDS}
        )
        # What the services do not keep (groups and permissions are saved with the form's
        # related data; last login and date joined are Django's own).
        User.objects.filter(pk=obj.pk).update(
            last_login=obj.last_login, date_joined=obj.date_joined
        )
