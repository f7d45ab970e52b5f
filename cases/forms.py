"""Forms of the case pages every case type shares: Jalali dates, Persian digits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Grant, User
from persian.forms import JalaliDateField
from persian.jalali import today
from pishran.forms import StyledFormMixin
from places.models import Province

from .models import Case


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


def assignees_for(case_type: Any, province_id: int) -> Any:
    """The people who may be given a case of the type held by ``province_id``'s office."""
    holders = Grant.objects.live().filter(role=case_type.assignee_role, place_id=province_id)
    return User.objects.filter(is_active=True, pk__in=holders.values("user_id")).order_by(
        "sort_key", "username"
    )


class StageForm(StyledFormMixin, forms.Form):
    to_stage = forms.ChoiceField(label=_("new stage"))
    date = JalaliDateField(label=_("date"), initial=today)
    reason = forms.CharField(label=_("reason or note"), required=False, max_length=500)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case_type = case.case_type
        self.fields["to_stage"].choices = [  # type: ignore[attr-defined]
            (code, case_type.stage_label(code))
            for code in (s.code for s in case_type.stages)
            if code in case_type.allowed(case.stage)
        ]


class AssignForm(StyledFormMixin, forms.Form):
    assignee = PersonChoiceField(
        queryset=User.objects.none(), label=_("assigned to"), required=False
    )
    date = JalaliDateField(label=_("date"), initial=today)
    reason = forms.CharField(label=_("reason or note"), required=False, max_length=500)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Anyone may be typed into the request: the service checks the grant and names it.
        self.fields["assignee"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["assignee"].widget.choices = [("", "—")] + [  # type: ignore[attr-defined]
            (p.pk, p.get_full_name() or p.username)
            for p in assignees_for(case.case_type, case.province_id)
        ]


class TransferForm(StyledFormMixin, forms.Form):
    province = forms.ModelChoiceField(
        queryset=Province.objects.all(), to_field_name="code", label=_("to the office of")
    )
    date = JalaliDateField(label=_("date"), initial=today)
    reason = forms.CharField(label=_("reason"), max_length=500)


class DueForm(StyledFormMixin, forms.Form):
    due_on = JalaliDateField(label=_("due on"), required=False)


class FollowUpForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("what is due"), max_length=200)
    due_on = JalaliDateField(label=_("due on"))


class FollowUpDoneForm(StyledFormMixin, forms.Form):
    date = JalaliDateField(label=_("done on"), initial=today)
    outcome = forms.CharField(label=_("outcome"), required=False, max_length=300)


class NoteForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class DocumentForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    file = forms.FileField(label=_("file (PDF, DOCX or XLSX)"))


class OpenForm(StyledFormMixin, forms.Form):
    """Open a case for a unit typed by its national ID or number, or chosen from a list."""

    unit = forms.CharField(label=_("unit (national ID or number in the registry)"), max_length=20)
    date = JalaliDateField(label=_("opened on"), initial=today)
    assignee = PersonChoiceField(
        queryset=User.objects.none(), label=_("assigned to"), required=False
    )
    due_on = JalaliDateField(label=_("due on"), required=False)
    summary = forms.CharField(label=_("summary"), required=False, max_length=300)

    def __init__(self, *args: Any, assignees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["assignee"].widget.choices = [("", "—")] + [  # type: ignore[attr-defined]
            (p.pk, p.get_full_name() or p.username) for p in assignees
        ]
