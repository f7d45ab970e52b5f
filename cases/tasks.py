"""Background work of the cases (Django's tasks API, ``django-tasks-db``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from accounts.scope import Scope
from accounts.selectors import people_holding
from persian import jalali

from . import types
from .models import Case
from .selectors import overdue_q


def overdue_cases_for(person: User, day: dt.date | None = None) -> list[Case]:
    """The open cases a person answers for that are late on ``day``: the cases assigned to
    them and, for a provincial officer, their offices' cases."""
    day = day or jalali.today()
    scope = Scope.of(person)
    if not scope.can("cases.follow_cases"):
        return []
    mine = Q(assignee=person)
    if places := scope.places(Role.PROVINCIAL_OFFICER):
        mine |= Q(province_id__in=places)
    cases = Case.objects.filter(scope.full_q(Case)).filter(mine).filter(overdue_q(day))
    return list(cases.select_related("enterprise", "province").order_by("due_on", "pk")[:200])


@task()
def daily_case_work() -> dict[str, int]:
    """Each case type's daily work (a clinic's checks of its revivals), then the digests."""
    day = jalali.today()
    done = {}
    for case_type in types.all_types():
        if case_type.daily is not None:
            done[case_type.code] = int(case_type.daily(day) or 0)
    done["digests"] = send_case_digests.call()
    return done


@task()
def send_case_digests() -> int:
    """E-mail every person who answers for cases (an assignee, a provincial officer) the list
    of their late cases; returns how many were sent. Enqueued daily by
    ``manage.py enqueue_case_digests`` (cron or a systemd timer, docs/deploy.md)."""
    sent = 0
    roles = {Role.PROVINCIAL_OFFICER, *(t.assignee_role for t in types.all_types())}
    people = people_holding(*roles).exclude(email="")
    with translation.override(settings.LANGUAGE_CODE):
        for person in people.order_by("pk"):
            late = overdue_cases_for(person)
            if not late:
                continue
            body = render_to_string("cases/email/digest.txt", {"person": person, "late": late})
            subject = translation.gettext("Pishran: %(n)s cases are late") % {"n": len(late)}
            send_mail(subject, body, None, [person.email])
            sent += 1
    return sent
