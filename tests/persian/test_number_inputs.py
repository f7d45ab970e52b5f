"""Every number a person types is read in Persian, Arabic-Indic or Latin digits (issue 20,
item 8): no form of any app renders an ``<input type=number>`` (the browser drops Persian
digits from it before the form is sent), and the number fields read all three scripts on the
server and refuse anything else with their own message."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.utils import translation

from persian.forms import (
    AmountField,
    LocalizedDecimalField,
    LocalizedIntegerField,
    RialsField,
)

NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)


def _project_forms() -> list[type[forms.BaseForm]]:
    found = []
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def test_the_scan_sees_the_forms_with_numbers() -> None:
    names = {form.__name__ for form in _project_forms()}
    assert {"EnterpriseForm", "CertificateForm", "ClusterForm", "ExportsForm"} <= names


@pytest.mark.parametrize("form", _project_forms(), ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_no_form_shows_a_number_field_the_browser_would_empty(form) -> None:  # type: ignore[no-untyped-def]
    for name, field in form.base_fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        assert getattr(field.widget, "input_type", None) != "number", f"{name}: type=number"
        if isinstance(field, NUMBER_FIELDS):
            assert isinstance(field, LocalizedIntegerField | LocalizedDecimalField), (
                f"{form.__name__}.{name} does not read Persian digits"
            )
            assert field.widget.attrs.get("inputmode") in ("numeric", "decimal"), name
        if isinstance(field, forms.ModelChoiceField) and isinstance(field.widget, forms.TextInput):
            assert field.widget.attrs.get("inputmode") == "numeric", name


@pytest.mark.parametrize(
    ("typed", "read"),
    [("۲۲", 22), ("٢٢", 22), ("22", 22), (" ۱٬۲۰۰ ", 1200), ("1,200", 1200), ("۰", 0)],
    ids=["persian", "arabic-indic", "latin", "persian-separators", "latin-separators", "zero"],
)
def test_a_whole_number_is_read_in_any_of_the_three_scripts(typed: str, read: int) -> None:
    assert LocalizedIntegerField(min_value=0).clean(typed) == read


@pytest.mark.parametrize(
    "typed",
    ["۲۲ نفر", "22.5", "۲۲٫۵", "２２", "२२", "¹²", "twenty", "--2"],
    ids=[
        "word",
        "decimal",
        "persian-decimal",
        "fullwidth",
        "devanagari",
        "superscript",
        "english-word",
        "double-sign",
    ],
)
def test_anything_but_a_whole_number_in_digits_is_refused_with_its_message(typed: str) -> None:
    with translation.override("fa"), pytest.raises(forms.ValidationError) as refused:
        LocalizedIntegerField().clean(typed)
    assert refused.value.code == "invalid"
    assert "با رقم فارسی یا لاتین" in str(refused.value.messages[0])


def test_the_bounds_still_apply_to_persian_digits() -> None:
    field = LocalizedIntegerField(min_value=0, max_value=100)
    with pytest.raises(forms.ValidationError) as refused:
        field.clean("۱۰۱")
    assert refused.value.error_list[0].code == "max_value"


def test_the_number_input_is_a_text_input_that_admits_the_three_scripts() -> None:
    html = LocalizedIntegerField().widget.render("employees", "22")
    assert 'type="text"' in html and 'inputmode="numeric"' in html
    assert 'pattern=" *-?[0-9۰-۹٠-٩٬, ]+"' in html


def test_rials_are_read_with_separators_and_shown_in_tomans_beside() -> None:
    field = RialsField()
    assert field.clean("۲۵٬۰۰۰٬۰۰۰") == 25_000_000
    assert field.clean("٢٥ ٠٠٠ ٠٠٠") == 25_000_000
    html = field.widget.render("amount", "")
    assert "data-rials" in html and 'type="text"' in html
    for typed in ("-5", "۲۵ میلیون", "2.5"):
        with translation.override("fa"), pytest.raises(forms.ValidationError) as refused:
            field.clean(typed)
        assert "به ریال" in str(refused.value.messages[0])


def test_an_amount_in_dollars_is_not_shown_in_tomans() -> None:
    field = AmountField(min_value=0)
    assert field.clean("۲۵۰٬۰۰۰") == 250_000
    assert "data-rials" not in field.widget.render("amount_usd", "")


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("۳۵٫۶۸۹۲", Decimal("35.6892")),
        ("٣٥.٦٨٩٢", Decimal("35.6892")),
        ("51.389", Decimal("51.389")),
        ("۳۵/۷", Decimal("35.7")),
        ("-۱۲", Decimal("-12")),
    ],
)
def test_a_coordinate_is_read_in_any_script(typed: str, read: Decimal) -> None:
    assert LocalizedDecimalField(max_digits=8, decimal_places=5).clean(typed) == read


@pytest.mark.parametrize("typed", ["۳۵٫۶٫۸", "35,6.8e", "N35"])
def test_a_coordinate_that_is_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(forms.ValidationError) as refused:
        LocalizedDecimalField(max_digits=8, decimal_places=5).clean(typed)
    assert refused.value.code == "invalid"
