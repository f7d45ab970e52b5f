from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who a person is in the programme; decides their scope (see ``accounts.scope``).

    Later modules add roles here (clinic consultant, buyer)."""

    NATIONAL_ADMIN = "national_admin", _("national administrator")
    PROVINCIAL_OFFICER = "provincial_officer", _("provincial officer")
    PARK_MANAGER = "park_manager", _("park manager")
    ENTERPRISE_OWNER = "enterprise_owner", _("enterprise owner")
    CLUSTER_AGENT = "cluster_agent", _("cluster development agent")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        help_text=_("For provincial officers: the province they keep."),
    )
    parks = models.ManyToManyField(
        "places.Park",
        verbose_name=_("parks"),
        blank=True,
        related_name="managers",
        help_text=_("For park managers: the parks they manage."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        if self.role == Role.PROVINCIAL_OFFICER and not self.province_id:
            raise ValidationError({"province": _("A provincial officer needs a province.")})

    @property
    def is_national(self) -> bool:
        return self.is_superuser or self.role == Role.NATIONAL_ADMIN
