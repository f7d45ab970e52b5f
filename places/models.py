from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from persian.text import normalize, search_key, sort_key


class Province(models.Model):
    """One of the 31 provinces, keyed by its current ISO 3166-2:IR code (renumbered 2020)."""

    code = models.CharField(_("ISO code"), max_length=5, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    capital_fa = models.CharField(_("capital"), max_length=100, blank=True)
    population = models.PositiveIntegerField(_("population (1395 census)"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" else self.name_fa

    def get_absolute_url(self) -> str:
        return reverse("province_detail", args=[self.code])


class Park(models.Model):
    """An industrial park (شهرک صنعتی) or zone (ناحیه صنعتی), state-run or private."""

    class Kind(models.TextChoices):
        PARK = "park", _("industrial park")
        ZONE = "zone", _("industrial zone")

    class Ownership(models.TextChoices):
        STATE = "state", _("state-run")
        PRIVATE = "private", _("private")

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    sort_key = models.CharField(max_length=200, editable=False)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="parks"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PARK)
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.STATE
    )
    specialty = models.CharField(_("specialty"), max_length=300, blank=True)
    area_ha = models.DecimalField(
        _("area (hectares)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    plots_total = models.PositiveIntegerField(_("land plots in total"), default=0)
    plots_allocated = models.PositiveIntegerField(_("land plots allocated"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("park or zone")
        verbose_name_plural = _("parks and zones")
        constraints = [
            models.UniqueConstraint(fields=["province", "name_key"], name="park_unique_name"),
            models.CheckConstraint(
                condition=Q(plots_allocated__lte=F("plots_total")),
                name="park_plots_allocated_lte_total",
                violation_error_message=_("Allocated plots cannot exceed the total plots."),
            ),
        ]
        indexes = [models.Index(fields=["province", "sort_key", "id"], name="park_prov_sort")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.refresh_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key", "sort_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("park_detail", args=[self.pk])

    def refresh_derived(self) -> None:
        """Normalise the name and recompute its search and sort keys."""
        self.name = normalize(self.name)
        self.name_key = search_key(self.name)
        self.sort_key = sort_key(self.name)[:200]

    def clean_fields(self, exclude=None) -> None:  # type: ignore[no-untyped-def]
        self.refresh_derived()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if self.plots_allocated > self.plots_total:
            raise ValidationError(
                {"plots_allocated": _("Allocated plots cannot exceed the total plots.")}
            )
        if (
            self.province_id
            and Park.objects.filter(province_id=self.province_id, name_key=self.name_key)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {"name": _("A park or zone of this name is already registered in this province.")}
            )
