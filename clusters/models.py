"""The cluster development programme: clusters, their dated stage history, members,
documents, action plans and supervision.

``Cluster.stage``, ``stage_since``, ``implementation_year`` and ``suspended`` are the
*current* values; they change only through ``clusters.services``, in the same transaction
as the ``StageEvent`` that records the change, so figures "as of" a past date are read from
the events (``clusters.selectors.programme_counts``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from persian.text import normalize, search_key, sort_key

from . import stages


class Cluster(models.Model):
    name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="clusters",
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    isic_division = models.ForeignKey(
        "sectors.IsicDivision",
        verbose_name=_("ISIC division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    industry_group = models.ForeignKey(
        "sectors.IndustryGroup",
        verbose_name=_("industry group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    year_identified = models.PositiveSmallIntegerField(
        _("year identified (Jalali)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1370), MaxValueValidator(1500)],
    )
    unregistered_members = models.PositiveIntegerField(
        _("members not yet in the registry"), default=0
    )
    # The development agent's team: the agent is a user (they log in and keep the cluster);
    # the assistant and the secretary are named people.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("development agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agent_clusters",
    )
    assistant = models.CharField(_("agent's assistant"), max_length=120, blank=True)
    secretary = models.CharField(_("cluster secretary"), max_length=120, blank=True)
    team_phone = models.CharField(
        _("team's mobile"),
        max_length=20,
        blank=True,
        help_text=_("Personal; never shown on the public profile."),
    )
    contracted_body = models.CharField(_("body contracted to run it"), max_length=200, blank=True)
    technical_supervisor = models.CharField(_("technical supervisor"), max_length=120, blank=True)
    provincial_committee = models.TextField(_("provincial committee"), blank=True)
    common_brand = models.CharField(_("common brand"), max_length=120, blank=True)
    export_consortium = models.BooleanField(_("formed an export consortium"), default=False)
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("published profile"), default=True)

    stage = models.CharField(_("stage"), max_length=30, choices=stages.CHOICES, editable=False)
    stage_since = models.DateField(_("in this stage since"), editable=False)
    implementation_year = models.PositiveSmallIntegerField(
        _("implementation year"), null=True, blank=True, editable=False
    )
    suspended = models.BooleanField(_("suspended"), default=False, editable=False)
    suspension_reason = models.CharField(
        _("suspension reason"), max_length=300, blank=True, editable=False
    )
    plan_approved_on = models.DateField(
        _("action plan approved on"), null=True, blank=True, editable=False
    )
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True, editable=False)
    evaluation_summary = models.TextField(_("evaluation"), blank=True, editable=False)
    licence_number = models.CharField(
        _("completion licence number"), max_length=60, blank=True, editable=False
    )
    licence_date = models.DateField(
        _("completion licence date"), null=True, blank=True, editable=False
    )

    search_text = models.TextField(editable=False, default="")
    sort_key = models.CharField(max_length=120, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by one at each profile edit (``cluster_update``): see ``Enterprise.version``
    # (a database default too, so rows written in bulk outside Django start at 1).
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        indexes = [
            models.Index(fields=["province", "sort_key", "id"], name="cluster_province"),
            models.Index(fields=["stage", "sort_key", "id"], name="cluster_stage"),
            models.Index(fields=["agent", "sort_key", "id"], name="cluster_agent"),
            models.Index(fields=["industry_group", "sort_key", "id"], name="cluster_group"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cluster_detail", args=[self.pk])

    def refresh_derived(self) -> None:
        self.name = normalize(self.name)
        self.search_text = search_key(" ".join([self.name, self.city, self.common_brand]))
        self.sort_key = sort_key(self.name)

    @property
    def stage_order(self) -> int:
        return stages.order(self.stage)

    @property
    def stage_label(self) -> str:
        return stages.label(self.stage)

    @property
    def is_completed(self) -> bool:
        return self.stage == stages.COMPLETED


DERIVED_FIELDS = ("name", "search_text", "sort_key")


class StageEvent(models.Model):
    """One dated step of a cluster's life: a stage reached (in order, or skipped by a
    national administrator with a reason), a suspension or resumption, or the start of an
    implementation year."""

    class Kind(models.TextChoices):
        START = "start", _("recorded")
        ADVANCE = "advance", _("stage reached")
        SKIP = "skip", _("stage reached, skipping")
        SUSPEND = "suspend", _("suspended")
        RESUME = "resume", _("resumed")
        YEAR = "year", _("implementation year")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    from_stage = models.CharField(max_length=30, choices=stages.CHOICES, blank=True)
    to_stage = models.CharField(max_length=30, choices=stages.CHOICES)
    to_order = models.PositiveSmallIntegerField(editable=False)
    implementation_year = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["to_order", "date"], name="cluster_event_order_date")]

    def __str__(self) -> str:
        return f"{self.cluster} · {self.date} · {self.to_stage}"

    @property
    def to_label(self) -> str:
        return stages.label(self.to_stage)

    @property
    def from_label(self) -> str:
        return stages.label(self.from_stage) if self.from_stage else ""


class Membership(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="cluster_memberships",
    )
    joined_on = models.DateField(_("joined on"))
    reason = models.CharField(
        _("reason"),
        max_length=300,
        blank=True,
        help_text=_("Required when the enterprise is in another province."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cluster", "enterprise"], name="cluster_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.cluster} · {self.enterprise}"


def document_path(instance: Document, filename: str) -> str:
    return f"clusters/{instance.cluster_id}/{filename}"


class Document(models.Model):
    class Kind(models.TextChoices):
        DIAGNOSTIC = "diagnostic", _("diagnostic study")
        ACTION_PLAN = "action_plan", _("action plan")
        EVALUATION = "evaluation", _("evaluation")
        REPORT = "report", _("progress report")
        MINUTES = "minutes", _("committee minutes")
        CONTRACT = "contract", _("contract")
        OTHER = "other", _("other")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=document_path, max_length=300)
    original_name = models.CharField(max_length=200)
    file_type = models.CharField(max_length=10)  # pdf, docx, xlsx (checked from content)
    size = models.PositiveIntegerField()
    event = models.ForeignKey(
        StageEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ActionKind(models.TextChoices):
    """Kinds of joint action. To add one: a value here, a migration, a translation
    (docs/clusters.md, "Add an action kind")."""

    TRAINING = "training", _("training")
    JOINT_MARKETING = "joint_marketing", _("joint marketing")
    COMMON_BRAND = "common_brand", _("common brand")
    JOINT_PURCHASING = "joint_purchasing", _("joint purchasing")
    EXHIBITION = "exhibition", _("exhibition")
    SHARED_FACILITY = "shared_facility", _("shared facility")
    EXPORT_CONSORTIUM = "export_consortium", _("export consortium")
    OTHER = "other", _("other")


class ActionItem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=ActionKind.choices)
    budget_rials = models.PositiveBigIntegerField(_("budget (rials)"), default=0)
    funding_source = models.CharField(_("funding source"), max_length=120, blank=True)
    owner = models.CharField(_("responsible"), max_length=120, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="cluster_action_due")]

    def __str__(self) -> str:
        return self.title


class Visit(models.Model):
    """A technical supervisor's visit or a progress report."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("supervisor's visit")
        REPORT = "report", _("progress report")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    by = models.CharField(_("by"), max_length=120, blank=True)
    summary = models.TextField(_("summary"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["cluster", "kind", "date"], name="cluster_visit_last")]

    def __str__(self) -> str:
        return f"{self.cluster} · {self.date}"
