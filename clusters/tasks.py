"""Background work of the cluster programme (Django's tasks API, ``django-tasks-db``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import Role
from accounts.selectors import people_holding

from .selectors import overdue_for


@task()
def send_overdue_digests() -> int:
    """E-mail every active agent and provincial officer with an e-mail address the list
    of their overdue visits, reports and joint actions; returns how many were sent.

    Django's tasks have no scheduler: ``manage.py enqueue_cluster_digests`` enqueues this,
    run daily by cron or a systemd timer (docs/clusters.md)."""
    sent = 0
    people = people_holding(Role.CLUSTER_AGENT, Role.PROVINCIAL_OFFICER).exclude(email="")
    with translation.override(settings.LANGUAGE_CODE):
        for person in people.order_by("pk"):
            overdue = overdue_for(person)
            if not overdue:
                continue
            body = render_to_string(
                "clusters/email/digest.txt", {"person": person, "overdue": overdue}
            )
            subject = translation.gettext("Pishran: %(n)s clusters with overdue items") % {
                "n": len(overdue)
            }
            send_mail(subject, body, None, [person.email])
            sent += 1
    return sent
