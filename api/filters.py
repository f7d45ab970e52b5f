"""Filters every list reads alike: a province named by its ISO code, the words of a name
searched the directory's way (``persian.text.search_terms``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from enterprises.selectors import directory_choices, forget_directory_choices
from persian.text import search_terms
from places.models import Province

from .errors import invalid

PROVINCE_PATTERN = r"^[A-Za-z]{2}-[0-9]{2}$"
MAX_ID = 2**63 - 1


def province_by_code(code: str) -> Province:
    """The province ``code`` names (``IR-25``, any case); 422 ``invalid_filter`` if none."""
    province = Province.objects.filter(code=code.upper()).first()
    if province is None:
        raise invalid("invalid_filter", "province", _("No province has this code."), code)
    return province


class Reference:
    """The provinces' ISO codes and the industry groups' keys by id, for a list's filter
    and its rows: the same for every request, so made from the registry's reference lists
    kept in memory (``enterprises.selectors.directory_choices``: no query once read, read
    again when a province or group is saved in this process, or after a minute). An id or
    a code not among them (added meanwhile by another process) has them read again once."""

    def __init__(self, lists: Any) -> None:
        provinces, groups, _divisions = lists
        self.lists = lists
        self.codes: dict[int, str] = {p.pk: p.code for p in provinces}
        self.groups: dict[int, str] = {g.pk: g.key for g in groups}
        self.by_code: dict[str, int] = {code: pk for pk, code in self.codes.items()}

    def code(self, province_id: int | None) -> str:
        """The province's ISO code ("" for none)."""
        if province_id is None:
            return ""
        known = self if province_id in self.codes else reference(fresh=True)
        return known.codes.get(province_id, "")

    def group(self, group_id: int) -> str:
        """The industry group's key."""
        known = self if group_id in self.groups else reference(fresh=True)
        return known.groups.get(group_id, "")

    def province_id(self, code: str) -> int:
        """The id of the province ``code`` names (any case); 422 ``invalid_filter`` if
        none, as ``province_by_code``."""
        wanted = code.upper()
        known = self if wanted in self.by_code else reference(fresh=True)
        found = known.by_code.get(wanted)
        if found is None:
            raise invalid("invalid_filter", "province", _("No province has this code."), code)
        return found


_KEPT: dict[str, Reference] = {}


def reference(*, fresh: bool = False) -> Reference:
    """The reference lookups (``Reference``) of the lists kept now; ``fresh``: read the
    lists again first."""
    if fresh:
        forget_directory_choices()
    lists = directory_choices()
    kept = _KEPT.get("now")
    if kept is None or kept.lists is not lists:
        kept = _KEPT["now"] = Reference(lists)
    return kept


def searched(qs: QuerySet[Any], field: str, q: str | None) -> QuerySet[Any]:
    """``qs`` narrowed to the rows whose stored search key ``field`` holds every word of
    ``q`` (Arabic ي/ك, ZWNJ, spaces or none, آ/ا all one)."""
    for term in search_terms((q or "").replace("\x00", "")):
        qs = qs.filter(**{f"{field}__contains": term})
    return qs
