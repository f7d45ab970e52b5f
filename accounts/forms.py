"""Django's own password forms, saving through the audited service: a person changing their
password (knowing the old one) and one setting it from a reset link."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm

from . import services


class AuditedSetPasswordForm(SetPasswordForm):
    def save(self, commit: bool = True) -> Any:
        return services.password_change_own(
            person=self.user, password=self.cleaned_data["new_password1"]
        )


class AuditedPasswordChangeForm(PasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        return services.password_change_own(
            person=self.user, password=self.cleaned_data["new_password1"]
        )
