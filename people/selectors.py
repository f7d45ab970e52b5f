"""Reads of the people pages: each starts from the asker's ``Scope`` (``people.access``),
so a person outside it answers 404."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts import roles
from accounts.models import Grant, GrantQuerySet, User
from accounts.roles import NATION, Role
from accounts.scope import Scope
from accounts.selectors import grants_in_provinces_q, national_grants_q
from accounts.services import may_give
from audit.models import AuditRecord
from audit.services import history_of
from persian.jalali import today
from persian.text import search_terms
from places.models import Province

from .access import RULES

# --- the people pages: reads that depend on who asks --------------------------------------


def people_visible_to(user: Any) -> QuerySet[User]:
    """The people ``user`` may open on the people pages (``people.access.PeopleRules``)."""
    return User.objects.filter(Scope.of(user).full_q(User))


def grants_visible_to(user: Any) -> GrantQuerySet:
    """The grants (given or withdrawn) ``user`` sees on those pages."""
    return Grant.objects.filter(RULES.grants_q(Scope.of(user)))


def person_get_visible(user: Any, pk: int) -> User:
    """The person if ``user`` may open them; otherwise 404 (no hint that they exist)."""
    person = people_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def grant_get_visible(user: Any, pk: int) -> Grant:
    grant = grants_visible_to(user).select_related("user").filter(pk=pk).first()
    if grant is None:
        raise Http404
    return grant


def province_get_managed(user: Any, code: str) -> Province:
    """The province whose people ``user`` manages (national staff, its officers); else 404."""
    province = None if "\x00" in code else Province.objects.filter(code=code).first()
    if province is None or not Scope.of(user).can("people.manage_province", province.pk):
        raise Http404
    return province


def first_managed_province(user: Any) -> Province | None:
    """The (first) province of a provincial officer, for ``/people/``."""
    return provinces_managed_by(user).order_by("code").first()


def province_people(user: Any, province: Province, q: str = "") -> QuerySet[User]:
    """The people who hold or held a grant over a place in ``province``, found by ``q``
    (every word somewhere in a first name, last name or username, however it is typed),
    in Persian alphabetical order."""
    holders = Grant.objects.filter(grants_in_provinces_q({province.pk})).values("user_id")
    people = people_visible_to(user).filter(pk__in=holders)
    for term in search_terms(q):
        people = people.filter(search_text__contains=term)
    return people.order_by("sort_key", "id")


@dataclass(frozen=True)
class ShownGrant:
    """A grant as the pages show it: its place named, whether it is in force today, and
    whether the person looking may withdraw it."""

    grant: Grant
    place: str
    live: bool
    can_withdraw: bool = False


def _shown(scope: Scope, grants: Any, province_id: int | None = None) -> list[ShownGrant]:
    """``province_id``: the province all of ``grants`` lie in, when the caller knows it."""
    cache: dict[tuple[str, int], str] = {}
    on = today()
    rows = []
    for grant in grants:
        live = grant.is_live(on)
        if not live:
            may = False
        elif province_id is None:
            may = scope.can("people.give", grant)
        else:
            spec = roles.role(grant.role)
            may = spec is not None and may_give(scope, spec, province_id)
        place = roles.place_label(grant.place_kind or NATION, grant.place_id, cache=cache)
        rows.append(ShownGrant(grant, place, live, may))
    return rows


def live_grants_in_province(
    user: Any, people: Any, province: Province
) -> dict[int, list[ShownGrant]]:
    """The grants in force over places in ``province`` of each of ``people`` (by user id)."""
    return _live_grants(user, people, grants_in_provinces_q({province.pk}), province.pk)


def live_national_grants(user: Any, people: Any) -> dict[int, list[ShownGrant]]:
    return _live_grants(user, people, national_grants_q())


def _live_grants(
    user: Any, people: Any, where: Q, province_id: int | None = None
) -> dict[int, list[ShownGrant]]:
    ids = [p.pk for p in people]
    grants = Grant.objects.live().filter(where, user_id__in=ids).order_by("starts_on", "id")
    found: dict[int, list[ShownGrant]] = {pk: [] for pk in ids}
    for shown in _shown(Scope.of(user), grants, province_id):
        found[shown.grant.user_id].append(shown)
    return found


def person_grants(user: Any, person: User) -> tuple[list[ShownGrant], int]:
    """The grants of ``person`` that ``user`` sees (in force first, then newest first) with
    who gave and withdrew them, and how many more in force lie out of ``user``'s sight."""
    mine = grants_visible_to(user).filter(user=person)
    hidden = Grant.objects.live().filter(user=person).exclude(pk__in=mine.values("pk")).count()
    rows = _shown(
        Scope.of(user),
        mine.select_related("given_by", "withdrawn_by").order_by("-starts_on", "-id"),
    )
    rows.sort(key=lambda row: not row.live)  # stable: in force first, newest first
    return rows, hidden


def person_history(user: Any, person: User) -> QuerySet[AuditRecord]:
    """The audit history of ``person`` that ``user`` sees: everything about the person
    themself, and the records of the grants ``user`` sees (a grant elsewhere would name a
    place outside their scope)."""
    grants = grants_visible_to(user).filter(user=person).values_list("pk", flat=True)
    about_grants = Q(target_type=ContentType.objects.get_for_model(Grant))
    return (
        history_of(person)
        .filter(~about_grants | Q(about_grants, target_id__in=[str(pk) for pk in grants]))
        .select_related("target_type", "subject_type")
    )


def provinces_managed_by(user: Any) -> QuerySet[Province]:
    """The provinces whose people ``user`` manages."""
    scope = Scope.of(user)
    if scope.national:
        return Province.objects.all()
    return Province.objects.filter(pk__in=scope.places(Role.PROVINCIAL_OFFICER))


def people_counts_by_province() -> dict[int, int]:
    """How many people hold or held a grant over a place in each province (by id)."""
    pairs: set[tuple[int, int]] = set()
    for kind in roles.registered_places():
        if not kind.province_field:
            continue  # places in no province (banks)
        field = "place_id" if kind.province_field == "pk" else "province"
        grants = Grant.objects.filter(place_kind=kind.code)
        if kind.province_field != "pk":
            grants = grants.annotate(
                province=Subquery(
                    kind.model_class()
                    ._default_manager.filter(pk=OuterRef("place_id"))
                    .values(kind.province_field)[:1]
                )
            )
        pairs.update(
            (province, user_id)
            for province, user_id in grants.values_list(field, "user_id").distinct()
            if province is not None
        )
    return dict(Counter(province for province, _user in pairs))


def national_people() -> QuerySet[User]:
    """People who hold or held a nation-wide grant, and superusers."""
    nation = Grant.objects.filter(national_grants_q()).values("user_id")
    return User.objects.filter(Q(pk__in=nation) | Q(is_superuser=True)).order_by("sort_key", "id")
