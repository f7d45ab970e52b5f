"""Glue between services and forms, shared by every app's views."""

from __future__ import annotations

from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop

# Django's own label for a choice left empty (``BLANK_CHOICE_LABEL``), which its Persian
# catalogue does not translate: named here so that ours does.
gettext_noop("- Select an option -")


class StyledFormMixin:
    """Gives every widget its Bootstrap class, so templates render fields uniformly."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, django_forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, django_forms.Select | django_forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class VersionedFormMixin:
    """A model form that edits a row with a ``version`` (raised by its edit service): a
    hidden ``version`` field carries the version the form was opened at, which the service
    compares with the row's (``audit.services.check_version``). A form that creates a row
    has no such field."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.fields["version"] = django_forms.IntegerField(  # type: ignore[attr-defined]
                widget=django_forms.HiddenInput, min_value=1, initial=instance.version
            )

    def edited_fields(self) -> tuple[str, ...]:
        """The fields the service writes (everything but the version)."""
        return tuple(name for name in self.fields if name != "version")  # type: ignore[attr-defined]

    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")  # type: ignore[attr-defined,no-any-return]

    def refused_as_stale(self, exc: ValidationError, version: int) -> None:
        """Show the refusal and carry the row's current version, so that saving again
        (after reading what changed) is a deliberate choice."""
        self.add_error(None, exc)  # type: ignore[attr-defined]
        data = self.data.copy()  # type: ignore[attr-defined,has-type]
        data["version"] = str(version)
        self.data = data


def apply_errors(exc: ValidationError, *forms: django_forms.BaseForm) -> None:
    """Show a service's ValidationError on the form that has the field (else on the
    first form, as a general error), so each message sits beside its field."""
    if not hasattr(exc, "error_dict"):
        forms[0].add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        target = next((f for f in forms if name in f.fields), None)
        if target is None:
            forms[0].add_error(None, errors)
        else:
            target.add_error(name, errors)


def submit(request, form, action, success, to):  # type: ignore[no-untyped-def]
    """On a valid POST, run ``action(cleaned_data)`` (a service call) and go to ``to`` with
    the ``success`` message; a service's ValidationError goes back beside the fields and
    nothing is saved. Returns None when the form is to be shown (again)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    if request.method != "POST" or not form.is_valid():
        return None
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(exc, form)
        return None
    messages.success(request, success)
    return redirect(to)
