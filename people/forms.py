"""Forms of the people pages. They only parse — a role, its place chosen or typed (a unit by
its number or national ID, in Persian or Latin digits), Jalali dates — and show the
services' errors beside their fields; who may give what is decided by
``accounts.services``.

The choices *offered* are the ones the person may use (an officer: the roles a province
hands out, their own provinces and parks); the choices *accepted* are every role and place,
so that a request made by hand reaches the service and is refused there with its own
message, never passed by a form that forgot a rule."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.roles import NATION
from accounts.scope import Scope
from persian.forms import DigitsCharField, JalaliDateField
from persian.jalali import today
from pishran.forms import StyledFormMixin, apply_errors
from places.models import Park, Province

# The kinds of place a role can be given over on these pages, and the field that names it;
# a kind of place that lies in no province (a bank, an adviser firm…) is chosen from a list
# of its own (``placeless_kinds``).
PLACE_FIELDS = {
    NATION: "", "province": "province", "park": "park", "enterprise": "enterprise",
    "consortium": "consortium",
}  # fmt: skip


def placeless_kinds() -> list[roles.PlaceKind]:
    """The registered kinds of place that lie in no province: only national staff give
    roles over them, choosing the place from a list."""
    return [k for k in roles.registered_places() if k.code != NATION and not k.province_field]


def place_fields() -> dict[str, str]:
    """Each kind of place a role can be given over here, and the form field that names it."""
    return PLACE_FIELDS | {kind.code: f"place_{kind.code}" for kind in placeless_kinds()}


def offered_roles(scope: Scope) -> list[roles.RoleSpec]:
    """The roles ``scope`` may hand out here: all for national staff, the roles a province
    hands out for an officer."""
    fields = place_fields()
    return [
        spec
        for spec in roles.all_roles()
        if spec.place in fields and (scope.national or spec.provincial)
    ]


class GrantFields(StyledFormMixin, forms.Form):
    """A role and its place. ``place_id`` is set by ``clean``: None when the role takes no
    place or none was given (the service then says which place it needs)."""

    role = forms.ChoiceField(label=_("role"))
    province = forms.ModelChoiceField(
        label=_("province"),
        queryset=Province.objects.all(),
        to_field_name="code",
        required=False,
        help_text=_("For a role over a province, and to find a unit."),
    )
    park = forms.ModelChoiceField(
        label=_("park or zone"), queryset=Park.objects.all(), required=False
    )
    enterprise = DigitsCharField(
        label=_("enterprise"),
        required=False,
        max_length=20,
        help_text=_("Its number in Pishran or its national ID."),
    )
    consortium = DigitsCharField(
        label=_("export consortium"),
        required=False,
        max_length=18,
        help_text=_("Its number in Pishran (in its page's address)."),
    )

    def __init__(
        self,
        *args: Any,
        scope: Scope,
        provinces: QuerySet[Province],
        parks: QuerySet[Park],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.provinces = provinces
        self.place_id: int | None = None
        offered = offered_roles(scope)
        fields = place_fields()
        # A list per kind of place outside the provinces; accepted from anyone (the service
        # refuses an officer), shown to those who may give its roles.
        self.placeless: list[str] = []
        for kind in placeless_kinds():
            name = fields[kind.code]
            self.fields[name] = forms.ModelChoiceField(
                label=str(kind.label),
                queryset=kind.model_class()._default_manager.all(),
                required=False,
            )
            if any(spec.place == kind.code for spec in offered):
                self.placeless.append(name)
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = [(spec.code, spec.label) for spec in roles.all_roles()]
        role.widget.choices = [("", "---------"), *((s.code, s.label) for s in offered)]
        # Which field names the place of each role, for the page's script (app.js).
        role.widget.attrs["data-place-fields"] = " ".join(
            f"{s.code}:{fields[s.place] or '-'}" for s in offered
        )
        self.fields["province"].widget.choices = [
            ("", "---------"),
            *((p.code, str(p)) for p in provinces),
        ]
        by_province: dict[str, list[tuple[int, str]]] = {}
        for park in parks.select_related("province").order_by("province__code", "sort_key"):
            by_province.setdefault(str(park.province), []).append((park.pk, park.name))
        grouped = list(by_province.items())
        self.fields["park"].widget.choices = [
            ("", "---------"),
            *(grouped if len(grouped) > 1 else grouped[0][1] if grouped else []),
        ]
        self.fields["enterprise"].widget.attrs.update({"dir": "ltr", "inputmode": "numeric"})
        self.fields["consortium"].widget.attrs.update({"dir": "ltr", "inputmode": "numeric"})

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        spec = roles.role(data.get("role") or "")
        if spec is None:
            return data
        if spec.place == "province" and data.get("province"):
            self.place_id = data["province"].pk
        elif spec.place == "park" and data.get("park"):
            self.place_id = data["park"].pk
        elif spec.place == "enterprise" and data.get("enterprise"):
            self.place_id = self._find_unit(data["enterprise"], data.get("province"))
        elif spec.place == "consortium" and data.get("consortium"):
            self.place_id = self._find_consortium(data["consortium"], data.get("province"))
        elif (name := place_fields().get(spec.place)) in self.fields and data.get(name):
            self.place_id = data[name].pk
        return data

    def placeless_fields(self) -> list[forms.BoundField]:
        """The lists of places outside the provinces offered on this form."""
        return [self[name] for name in self.placeless]

    def _find_unit(self, typed: str, province: Province | None) -> int | None:
        kind = roles.place_kind("enterprise")
        within = [province.pk] if province else list(self.provinces.values_list("pk", flat=True))
        found = kind.find(typed, within) if kind else None
        if found is None:
            where = str(province) if province else _("your provinces")
            self.add_error(
                "enterprise",
                _("No unit in %(where)s has the number or national ID %(typed)s.")
                % {"where": where, "typed": typed},
            )
            return None
        return found.pk

    def _find_consortium(self, typed: str, province: Province | None) -> int | None:
        kind = roles.place_kind("consortium")
        within = [province.pk] if province else list(self.provinces.values_list("pk", flat=True))
        found = kind.find(typed, within) if kind else None
        if found is None:
            self.add_error(
                "consortium",
                _("No export consortium numbered %(typed)s in %(where)s.")
                % {"typed": typed, "where": str(province) if province else _("your provinces")},
            )
            return None
        return found.pk

    def place_field(self) -> str:
        """The field that names the place of the chosen role ("role" if it takes none)."""
        spec = roles.role(self.cleaned_data.get("role") or "")
        return (place_fields().get(spec.place) if spec else "") or "role"

    def show_errors(self, exc: ValidationError, *others: forms.BaseForm) -> None:
        """A service's refusal beside the field it is about: its "place" is the field the
        role's place was chosen in."""
        if hasattr(exc, "error_dict") and "place" in exc.error_dict:
            errors = dict(exc.error_dict)
            errors.setdefault(self.place_field(), []).extend(errors.pop("place"))
            exc = ValidationError(errors)
        apply_errors(exc, *others, self)


class GrantForm(GrantFields):
    starts_on = JalaliDateField(
        label=_("from"), required=False, initial=today, help_text=_("Today if left empty.")
    )
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class PersonForm(StyledFormMixin, forms.Form):
    """A new person; their first role is a ``GrantFields`` beside it."""

    username = forms.CharField(label=_("username"), max_length=150)
    first_name = forms.CharField(label=_("first name"), max_length=150)
    last_name = forms.CharField(label=_("last name"), max_length=150)
    email = forms.EmailField(label=_("e-mail"), required=False)
    phone = DigitsCharField(label=_("phone"), required=False, max_length=20)
    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to set one later."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("username", "email", "phone"):
            self.fields[name].widget.attrs["dir"] = "ltr"
        self.fields["username"].widget.attrs["autocomplete"] = "off"


class PasswordForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}),
    )
    password_again = forms.CharField(
        label=_("the new password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password") and data.get("password_again") != data["password"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class NoteForm(StyledFormMixin, forms.Form):
    """Withdrawing a role: why (optional), kept in the change history."""

    note = forms.CharField(label=_("note"), required=False, max_length=300)
