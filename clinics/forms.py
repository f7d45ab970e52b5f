"""Forms of the clinic pages: the diagnosis and the remedy plan."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from persian.forms import JalaliDateField
from persian.jalali import today
from pishran.forms import StyledFormMixin

from .models import Cause, RemedyAction


class DiagnosisForm(StyledFormMixin, forms.Form):
    causes = forms.MultipleChoiceField(
        label=_("causes"), choices=Cause.choices, widget=forms.CheckboxSelectMultiple
    )
    primary = forms.ChoiceField(label=_("primary cause"), choices=[("", "—"), *Cause.choices])
    finding = forms.CharField(
        label=_("finding"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    date = JalaliDateField(label=_("diagnosed on"), initial=today)


class ActionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=RemedyAction.Kind.choices)
    description = forms.CharField(label=_("action"), max_length=300)
    owner = forms.CharField(label=_("who does it"), max_length=120)
    due_on = JalaliDateField(label=_("due on"))


class ActionUpdateForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=RemedyAction.Status.choices)
    outcome = forms.CharField(label=_("outcome"), required=False, max_length=300)
    done_on = JalaliDateField(label=_("done on"), required=False)
