from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class IndustryGroup(models.Model):
    """One of the organisation's eight industry groups (رشته‌های صنعتی), the coarse sector."""

    key = models.SlugField(_("key"), max_length=20, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("industry group")
        verbose_name_plural = _("industry groups")

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" else self.name_fa


class IsicDivision(models.Model):
    """An ISIC Rev.4 division (two digits, 10–33 for manufacturing)."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name_fa = models.CharField(_("Persian name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    group = models.ForeignKey(
        IndustryGroup,
        verbose_name=_("industry group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="divisions",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("ISIC division")
        verbose_name_plural = _("ISIC divisions")

    def __str__(self) -> str:
        name = self.name_en if get_language() == "en" else self.name_fa
        return f"{self.code} — {name}"
