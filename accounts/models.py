import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from persian.text import search_key, sort_key

from .roles import NATION, Role, place_label, role_label

__all__ = ["Grant", "Role", "User"]


class User(AbstractUser):
    """A person. What they may see and do comes from their grants (``Grant``), never from
    a field here: a person holds any number of roles, each over its own place."""

    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Derived from the names (``refresh_derived``), for the people pages: the search keys
    # of first name, last name and username, and the Persian alphabetical sort key.
    search_text = models.TextField(editable=False, default="")
    sort_key = models.CharField(max_length=120, editable=False, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.refresh_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(NAME_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text", "sort_key"}
        super().save(*args, **kwargs)

    def refresh_derived(self) -> None:
        """Recompute the search and sort keys from the names (never typed themselves)."""
        self.search_text = person_search_text(self.first_name, self.last_name, self.username)
        self.sort_key = sort_key(f"{self.last_name} {self.first_name}".strip() or self.username)

    @property
    def display_name(self) -> str:
        """Full name and username, as people and the audit trail name a person. The
        username is isolated (U+2068 … U+2069) so that its parentheses stay in place in a
        right-to-left sentence: «نرگس پارسا (narges) اکنون…», not «(narges اکنون…»."""
        full = self.get_full_name().strip()
        return f"{full} (\u2068{self.username}\u2069)" if full else self.username


NAME_FIELDS = ("first_name", "last_name", "username")


def person_search_text(first_name: str, last_name: str, username: str) -> str:
    """The stored search column: each name as a search key, kept apart by '|' so that a
    search term never spans two of them."""
    return "|".join(search_key(part) for part in (first_name, last_name, username))


class GrantQuerySet(models.QuerySet["Grant"]):
    def live(self, on: dt.date | None = None) -> "GrantQuerySet":
        """Grants in force on ``on`` (today in Iran by default): started, not withdrawn."""
        if on is None:
            from persian.jalali import today

            on = today()
        return self.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on), starts_on__lte=on)


class Grant(models.Model):
    """A role a person holds over a place, dated: given from ``starts_on``, in force until
    it is withdrawn (``withdrawn_on``; a withdrawn grant is kept as history).

    ``place_kind`` names the kind of place (``accounts.roles.register_place``: ``province``,
    ``park``, ``enterprise``…; empty for the nation) and ``place_id`` the row. Written only
    through ``accounts.services`` (audited)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    role = models.CharField(_("role"), max_length=40)
    place_kind = models.CharField(_("kind of place"), max_length=30, blank=True)
    place_id = models.PositiveBigIntegerField(_("place"), null=True, blank=True)
    starts_on = models.DateField(_("from"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["user_id", "role", "id"]
        indexes = [
            models.Index(fields=["role", "place_kind", "place_id"], name="grant_place"),
            models.Index(fields=["user", "withdrawn_on"], name="grant_user"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(place_kind="", place_id__isnull=True)
                | (~Q(place_kind="") & Q(place_id__isnull=False)),
                name="grant_place_given_with_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role_label} — {self.place_label}"

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    @property
    def place_label(self) -> str:
        return place_label(self.place_kind or NATION, self.place_id)

    def is_live(self, on: dt.date | None = None) -> bool:
        from persian.jalali import today

        on = on or today()
        return self.starts_on <= on and (self.withdrawn_on is None or self.withdrawn_on > on)
