from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from persian.forms import JalaliDateField
from pishran.forms import StyledFormMixin

from .models import TokenScope


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    scope = forms.ChoiceField(label=_("scope"), choices=TokenScope.choices, initial=TokenScope.READ)
    expires_on = JalaliDateField(label=_("expires on"))
