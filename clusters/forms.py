"""Forms of the cluster pages: Jalali dates in, Persian digits accepted everywhere."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.selectors import people_holding
from enterprises.models import Enterprise
from persian.forms import (
    DigitsCharField,
    JalaliDateField,
    LocalizedIntegerField,
    NumberedChoiceField,
)
from pishran.forms import StyledFormMixin, VersionedFormMixin
from places.models import Province

from . import stages
from .models import ActionItem, Cluster, Document, Visit
from .services import PROFILE_FIELDS, TEAM_FIELDS


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class ClusterForm(StyledFormMixin, VersionedFormMixin, forms.ModelForm):
    unregistered_members = LocalizedIntegerField(
        label=_("members not yet in the registry"), min_value=0, initial=0
    )
    year_identified = LocalizedIntegerField(
        label=_("year identified (Jalali)"), required=False, min_value=1370, max_value=1500
    )
    team_phone = DigitsCharField(label=_("team's mobile"), required=False, max_length=20)
    agent = AgentChoiceField(
        queryset=User.objects.none(), required=False, label=_("development agent")
    )

    class Meta:
        model = Cluster
        fields = [*PROFILE_FIELDS, *TEAM_FIELDS]

    def __init__(self, *args: Any, team: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if team:
            self.fields["agent"].queryset = people_holding(  # type: ignore[attr-defined]
                Role.CLUSTER_AGENT
            ).order_by("last_name", "username")
        else:
            for name in TEAM_FIELDS:
                del self.fields[name]


class ClusterCreateForm(StyledFormMixin, forms.Form):
    province = forms.ModelChoiceField(
        queryset=Province.objects.none(), to_field_name="code", label=_("province")
    )
    stage = forms.ChoiceField(
        label=_("first stage"),
        choices=[(c, stages.label(c)) for c in (stages.STAGES[0].code, stages.IDENTIFIED)],
    )
    date = JalaliDateField(label=_("date"))
    reason = forms.CharField(label=_("note"), required=False, max_length=300)

    def __init__(self, *args: Any, provinces: QuerySet[Province], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces  # type: ignore[attr-defined]


class StageForm(StyledFormMixin, forms.Form):
    to_stage = forms.ChoiceField(label=_("stage reached"), choices=stages.CHOICES)
    date = JalaliDateField(label=_("date"))
    reason = forms.CharField(
        label=_("reason or note"),
        required=False,
        max_length=300,
        help_text=_("Required when a stage is skipped."),
    )
    licence_number = DigitsCharField(
        label=_("completion licence number"),
        required=False,
        max_length=60,
        help_text=_("Required for completion."),
    )
    file = forms.FileField(label=_("document (PDF, DOCX, XLSX)"), required=False)
    document_kind = forms.ChoiceField(
        label=_("kind of document"),
        choices=Document.Kind.choices,
        initial=Document.Kind.OTHER,
        required=False,
    )

    def __init__(self, *args: Any, cluster: Cluster, can_skip: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        later = [(s.code, s.label) for s in stages.STAGES[cluster.stage_order :]]
        self.fields["to_stage"].choices = later if can_skip else later[:1]  # type: ignore[attr-defined]


class DatedReasonForm(StyledFormMixin, forms.Form):
    date = JalaliDateField(label=_("date"))
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)


class MemberForm(StyledFormMixin, forms.Form):
    enterprise = NumberedChoiceField(
        queryset=Enterprise.objects.none(),
        label=_("enterprise"),
        help_text=_("The enterprise's number in the registry."),
    )
    joined_on = JalaliDateField(label=_("joined on"))
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        max_length=300,
        help_text=_("Required when the enterprise is in another province."),
    )

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]


class DocumentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Document.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    file = forms.FileField(label=_("file (PDF, DOCX, XLSX)"))


class ActionForm(StyledFormMixin, forms.ModelForm):
    budget_rials = LocalizedIntegerField(label=_("budget (rials)"), min_value=0, initial=0)
    progress = LocalizedIntegerField(label=_("progress (%)"), min_value=0, max_value=100, initial=0)
    due_date = JalaliDateField(label=_("due date"))

    class Meta:
        model = ActionItem
        fields = [
            "title",
            "kind",
            "budget_rials",
            "funding_source",
            "owner",
            "due_date",
            "status",
            "progress",
        ]


class PlanApproveForm(StyledFormMixin, forms.Form):
    date = JalaliDateField(label=_("approved on"))


class EvaluationForm(StyledFormMixin, forms.Form):
    date = JalaliDateField(label=_("evaluated on"))
    summary = forms.CharField(label=_("evaluation"), widget=forms.Textarea(attrs={"rows": 3}))


class VisitForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Visit.Kind.choices)
    date = JalaliDateField(label=_("date"))
    by = forms.CharField(label=_("by"), required=False, max_length=120)
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}))


class AsOfForm(forms.Form):
    as_of = JalaliDateField(label=_("as of"), required=False)
