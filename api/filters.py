"""Filters every list reads alike: a province named by its ISO code, the words of a name
searched the directory's way (``persian.text.search_terms``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

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


def province_codes() -> dict[int, str]:
    """Every province's ISO code by its id (a list's rows name their province by code)."""
    return dict(Province.objects.values_list("id", "code"))


def province_id_by_code(code: str, codes: dict[int, str]) -> int:
    """The id of the province ``code`` names (any case) among ``codes``
    (``province_codes``, read once for the page's rows too); 422 ``invalid_filter`` if
    none, as ``province_by_code``."""
    wanted = code.upper()
    found = next((pk for pk, known in codes.items() if known == wanted), None)
    if found is None:
        raise invalid("invalid_filter", "province", _("No province has this code."), code)
    return found


def searched(qs: QuerySet[Any], field: str, q: str | None) -> QuerySet[Any]:
    """``qs`` narrowed to the rows whose stored search key ``field`` holds every word of
    ``q`` (Arabic ي/ك, ZWNJ, spaces or none, آ/ا all one)."""
    for term in search_terms((q or "").replace("\x00", "")):
        qs = qs.filter(**{f"{field}__contains": term})
    return qs
