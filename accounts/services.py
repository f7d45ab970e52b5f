"""Every change to people: creating a person, giving and withdrawing grants, (de)activating,
superuser status and a password set by someone else. Each validates, saves and writes its
audit record in one transaction; the people pages and the Django admin call these.

Who may change whom:
- a national administrator (or a superuser): anyone, any role;
- a provincial officer: within their own provinces, the roles a province hands out
  (``RoleSpec.provincial``), and the people whose grants in force all lie there;
- nobody else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from persian.jalali import today

from . import roles
from .models import Grant, User
from .roles import NATION, Role
from .scope import Scope

# ``actor=None`` is the system itself (a management command, a migration, a test
# factory): trusted like a national administrator, and recorded with no person.
SYSTEM = Scope(authenticated=True, national=True)


def _scope_of(actor: Any) -> Scope:
    return SYSTEM if actor is None else Scope.of(actor)


def _forget_scope(person: Any) -> None:
    person.__dict__.pop("_pishran_scope", None)


def province_of_place(kind: str, place_id: int | None) -> int | None:
    spec = roles.place_kind(kind)
    if kind == NATION or place_id is None or spec is None:
        return None
    return spec.province_of(place_id)


def may_give(actor_scope: Scope, spec: roles.RoleSpec, province_id: int | None) -> bool:
    """Whether the person with ``actor_scope`` may give or withdraw ``spec`` over a place
    in ``province_id``."""
    if actor_scope.national:
        return True
    return (
        spec.provincial
        and province_id is not None
        and province_id in actor_scope.places(Role.PROVINCIAL_OFFICER)
    )


def may_manage_person(actor_scope: Scope, person: User) -> bool:
    """Whether the actor may (de)activate ``person`` or set their password: national staff
    anyone; an officer people whose grants in force all lie in their provinces and are
    roles a province hands out (and who hold at least one)."""
    if actor_scope.national:
        return True
    if not actor_scope.holds(Role.PROVINCIAL_OFFICER) or person.is_superuser:
        return False
    live = list(Grant.objects.live().filter(user=person))
    return bool(live) and all(
        (spec := roles.role(g.role)) is not None
        and may_give(actor_scope, spec, province_of_place(g.place_kind, g.place_id))
        for g in live
    )


def _national_people_left(excluding: User) -> int:
    """Active national administrators and superusers other than ``excluding``."""
    holders = set(
        Grant.objects.live()
        .filter(role=Role.NATIONAL_ADMIN, user__is_active=True)
        .exclude(user=excluding)
        .values_list("user_id", flat=True)
    )
    supers = set(
        User.objects.filter(is_superuser=True, is_active=True)
        .exclude(pk=excluding.pk)
        .values_list("pk", flat=True)
    )
    return len(holders | supers)


@transaction.atomic
def grant_give(
    *,
    actor: Any,
    person: User,
    role: str,
    place_id: int | None = None,
    starts_on: dt.date | None = None,
    note: str = "",
) -> Grant:
    """Give ``person`` the role ``role`` over the place ``place_id`` (of the role's kind;
    none for a nation-wide role), from ``starts_on`` (today by default)."""
    spec = roles.role(role)
    if spec is None:
        raise ValidationError({"role": _("Choose a valid role.")})
    kind = roles.place_kind(spec.place)
    if spec.place == NATION:
        if place_id is not None:
            raise ValidationError(
                {"place": _("The role %(role)s applies to the whole country: it takes no place.")
                 % {"role": spec.label}}
            )  # fmt: skip
    elif place_id is None:
        raise ValidationError(
            {"place": _("The role %(role)s is given over a %(kind)s: choose one.")
             % {"role": spec.label, "kind": kind.label if kind else spec.place}}
        )  # fmt: skip
    elif kind is None or kind.get(place_id) is None:
        raise ValidationError({"place": _("That place does not exist.")})
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise ValidationError(
            {"person": _("%(person)s is deactivated: reactivate them before giving a role.")
             % {"person": person.display_name}}
        )  # fmt: skip
    actor_scope = _scope_of(actor)
    province_id = province_of_place(spec.place, place_id)
    if not may_give(actor_scope, spec, province_id):
        if not spec.provincial:
            message = _("Only a national administrator can give the role %(role)s.")
        else:
            message = _("You can give the role %(role)s only within your own province.")
        raise ValidationError({"role": message % {"role": spec.label}})
    start = starts_on or today()
    if start > today() + dt.timedelta(days=366):
        raise ValidationError({"starts_on": _("A grant can start at most a year from now.")})
    existing = Grant.objects.live(start).filter(
        user=person, role=role, place_kind=spec.place, place_id=place_id
    )
    if existing.exists():
        raise ValidationError(
            {"role": _("%(person)s already holds this role there.")
             % {"person": person.display_name}}
        )  # fmt: skip
    grant = Grant(
        user=person,
        role=role,
        place_kind=spec.place,
        place_id=place_id,
        starts_on=start,
        given_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=(note or "").strip()[:300],
    )
    grant.full_clean()
    grant.save()
    audit_record(
        actor=actor,
        action="grant",
        target=grant,
        subject=person,
        changes={"role": [None, role], "place": [None, grant.place_label],
                 "starts_on": [None, start.isoformat()]},
        note=grant.note,
    )  # fmt: skip
    _forget_scope(person)
    return grant


@transaction.atomic
def grant_withdraw(*, actor: Any, grant: Grant, note: str = "") -> Grant:
    """Withdraw a grant from today (kept as history)."""
    grant = Grant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    spec = roles.role(grant.role)
    if grant.withdrawn_on is not None and grant.withdrawn_on <= today():
        raise ValidationError({"grant": _("This role was already withdrawn.")})
    if spec is None or not may_give(
        _scope_of(actor), spec, province_of_place(grant.place_kind, grant.place_id)
    ):
        raise ValidationError({"grant": _("You may not withdraw this role.")})
    if (
        grant.role == Role.NATIONAL_ADMIN
        and grant.is_live()
        and _national_people_left(grant.user) == 0
    ):
        raise ValidationError(
            {"grant": _("This would leave nobody as national administrator: give the role "
                        "to someone else first.")}
        )  # fmt: skip
    grant.withdrawn_on = today()
    grant.withdrawn_by = actor if getattr(actor, "is_authenticated", False) else None
    grant.save(update_fields=["withdrawn_on", "withdrawn_by"])
    audit_record(
        actor=actor,
        action="grant_withdraw",
        target=grant,
        subject=grant.user,
        changes={"role": [grant.role, None], "place": [grant.place_label, None]},
        note=(note or "").strip(),
    )
    _forget_scope(grant.user)
    return grant


PERSON_FIELDS = ("username", "first_name", "last_name", "email", "phone")


def _validate_password(password: str, person: User) -> None:
    """Django's password validators, their messages under the password field."""
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def person_create(
    *,
    actor: Any,
    data: dict[str, Any],
    role: str = "",
    place_id: int | None = None,
    password: str | None = None,
) -> User:
    """A new person with their first grant (both or neither): a provincial officer can only
    create people they can give a role to. Without ``role`` (national staff only, the Django
    admin) the person holds nothing until given a grant."""
    if not role and not _scope_of(actor).national:
        raise ValidationError({"role": _("Choose a valid role.")})
    person = User(**{k: (data.get(k) or "").strip() for k in PERSON_FIELDS})
    if password:
        _validate_password(password, person)
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    audit_record(
        actor=actor,
        action="person_create",
        target=person,
        changes={k: [None, getattr(person, k)] for k in PERSON_FIELDS if getattr(person, k)},
    )
    if role:
        grant_give(actor=actor, person=person, role=role, place_id=place_id)
    return person


def check_last_national(person: User, *, active: bool, superuser: bool) -> None:
    """Refuse a change that would leave nobody national: ``person`` is national now, would
    not be with ``active``/``superuser``, and no other active person is."""
    if not Scope.of(person).national:
        return
    holds_grant = Grant.objects.live().filter(user=person, role=Role.NATIONAL_ADMIN).exists()
    stays = active and (superuser or holds_grant)
    if not stays and _national_people_left(person) == 0:
        raise ValidationError({"person": _("This would leave nobody as national administrator.")})


@transaction.atomic
def person_set_active(*, actor: Any, person: User, active: bool, note: str = "") -> User:
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.is_active == active:
        return person
    if not may_manage_person(_scope_of(actor), person):
        raise ValidationError({"person": _("You may not change this person.")})
    if not active:
        if getattr(actor, "pk", None) == person.pk:
            raise ValidationError({"person": _("You cannot deactivate yourself.")})
        check_last_national(person, active=False, superuser=person.is_superuser)
    person.is_active = active
    person.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="activate" if active else "deactivate",
        target=person,
        changes={"is_active": [not active, active]},
        note=(note or "").strip(),
    )
    _forget_scope(person)
    return person


@transaction.atomic
def person_set_superuser(*, actor: Any, person: User, superuser: bool, staff: bool) -> User:
    """Superuser and Django-admin (staff) status: national administrators only."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if not _scope_of(actor).national:
        raise ValidationError({"person": _("Only a national administrator can change this.")})
    before = {"is_superuser": person.is_superuser, "is_staff": person.is_staff}
    check_last_national(person, active=person.is_active, superuser=superuser)
    person.is_superuser, person.is_staff = superuser, staff
    after = {"is_superuser": superuser, "is_staff": staff}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        person.save(update_fields=list(changes))
        audit_record(actor=actor, action="superuser", target=person, changes=changes)
        _forget_scope(person)
    return person


@transaction.atomic
def person_set_password(*, actor: Any, person: User, password: str | None) -> User:
    """A password set by someone else (a national administrator, or an officer for the
    people they manage); ``None`` turns password log-in off. The audit record says it was
    set, never what it is."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if not may_manage_person(_scope_of(actor), person):
        raise ValidationError({"person": _("You may not change this person.")})
    if password is None:
        person.set_unusable_password()
    else:
        _validate_password(password, person)
        person.set_password(password)
    person.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action="password",
        target=person,
        changes={"password": ["", "***" if password is not None else ""]},
    )
    return person


@transaction.atomic
def password_change_own(*, person: User, password: str) -> User:
    """A person changing their own password (the form has checked the old one and the
    validators). The audit record says it was changed, never what it is."""
    person.set_password(password)
    person.save(update_fields=["password"])
    audit_record(
        actor=person,
        action="password",
        target=person,
        changes={"password": ["", "***"]},
    )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: User, data: dict[str, Any]) -> User:
    """Name, e-mail and phone (not the username)."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if not may_manage_person(_scope_of(actor), person):
        raise ValidationError({"person": _("You may not change this person.")})
    fields = ("first_name", "last_name", "email", "phone")
    before = {k: getattr(person, k) for k in fields}
    for k in fields:
        if k in data:
            setattr(person, k, (data[k] or "").strip())
    person.full_clean(exclude=["password"])
    changes = {
        k: [before[k], getattr(person, k)] for k in fields if before[k] != getattr(person, k)
    }
    if changes:
        person.save(update_fields=list(changes))
        audit_record(actor=actor, action="person_update", target=person, changes=changes)
    return person
