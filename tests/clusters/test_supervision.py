"""The supervision cadence by stage and the overdue items people are told about."""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.core.management import call_command

from clusters import services
from clusters.selectors import cluster_overdue, overdue_for
from clusters.tasks import send_overdue_digests
from tests.factories import days_ago, make_cluster


def test_diagnosis_expects_a_visit_every_month(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="diagnosis", start=days_ago(100))
    since = cluster.stage_since

    assert cluster_overdue(cluster, since + dt.timedelta(days=31)) is None
    late = cluster_overdue(cluster, since + dt.timedelta(days=32))
    assert late is not None and late.visit_due == since + dt.timedelta(days=31)

    services.visit_add(
        actor=None,
        cluster=cluster,
        kind="visit",
        date=since + dt.timedelta(days=20),
        by="ناظر",
        summary="بازدید",
    )
    services.visit_add(
        actor=None,
        cluster=cluster,
        kind="report",
        date=since + dt.timedelta(days=20),
        by="عامل",
        summary="گزارش",
    )
    assert cluster_overdue(cluster, since + dt.timedelta(days=40)) is None


def test_implementation_expects_a_visit_every_two_months(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="implementation", start=days_ago(300))
    since = cluster.stage_since
    services.visit_add(actor=None, cluster=cluster, kind="report", date=since, by="", summary="گ")

    assert cluster_overdue(cluster, since + dt.timedelta(days=50)) is None
    late = cluster_overdue(cluster, since + dt.timedelta(days=63))
    assert late is not None and late.visit_due == since + dt.timedelta(days=62)


def test_early_stages_and_suspended_clusters_owe_no_visits(reference) -> None:
    early = make_cluster(province=reference.qom, stage="feasibility", start=days_ago(300))
    paused = make_cluster(province=reference.qom, stage="diagnosis", start=days_ago(300))
    services.cluster_suspend(actor=None, cluster=paused, date=days_ago(10), reason="بودجه")

    assert cluster_overdue(early) is None
    assert cluster_overdue(paused) is None


def test_a_late_joint_action_is_overdue_until_done(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="feasibility", start=days_ago(300))
    item = services.action_add(
        actor=None,
        cluster=cluster,
        data={"title": "خرید مشترک", "kind": "joint_purchasing", "due_date": days_ago(3)},
    )

    late = cluster_overdue(cluster)
    assert late is not None and late.actions == [item]

    services.action_update(actor=None, item=item, data={"status": "done", "progress": 100})
    assert cluster_overdue(cluster) is None


def test_each_person_is_told_about_the_clusters_they_answer_for(
    clusters, cluster_agent, officer_a, officer_b, national_admin
) -> None:
    mine_and_qom = {o.cluster.pk for o in overdue_for(officer_a)}

    assert {o.cluster.pk for o in overdue_for(cluster_agent)} == {clusters.mine.pk}
    assert clusters.mine.pk in mine_and_qom and clusters.tehran.pk not in mine_and_qom
    assert overdue_for(officer_b) == []  # Tehran's cluster is at feasibility: nothing due
    assert overdue_for(national_admin) == []


def test_the_digest_task_mails_agents_and_officers_their_overdue_items(
    clusters, cluster_agent, officer_a, officer_b
) -> None:
    sent = send_overdue_digests.call()

    recipients = sorted(m.to[0] for m in mail.outbox)
    assert sent == 2
    assert recipients == sorted([cluster_agent.email, officer_a.email])
    agent_mail = next(m for m in mail.outbox if m.to == [cluster_agent.email])
    assert clusters.mine.name in agent_mail.body
    assert clusters.qom_other.name not in agent_mail.body


def test_the_command_enqueues_the_digest(clusters, officer_a, settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    from io import StringIO

    out = StringIO()
    call_command("enqueue_cluster_digests", stdout=out)

    assert "enqueued" in out.getvalue()
    assert len(mail.outbox) == 2


def test_the_home_alerts_and_province_blocks_render_for_their_people(
    rf, clusters, cluster_agent, officer_a, reference
) -> None:
    from django.template.loader import render_to_string

    alerts = render_to_string("clusters/includes/home_alerts.html", {"user": cluster_agent})
    block = render_to_string(
        "indicators/_province_clusters.html", {"province": reference.qom, "user": officer_a}
    )
    public = render_to_string(
        "indicators/_province_clusters.html",
        {"province": reference.qom, "user": cluster_agent},
    )

    assert clusters.mine.name in alerts
    # both dues, separated the Persian way, nothing dangling after the last
    from django.utils import translation

    with translation.override("fa"):
        persian = render_to_string("clusters/includes/home_alerts.html", {"user": cluster_agent})
    line = re.search(r"<li[^>]*>(.*?)</li>", persian, re.S).group(1)
    assert "موعد بازدید" in line and "؛ موعد گزارش" in line and ";" not in line
    assert not re.search(r"[؛;]\s*$", line)
    assert clusters.mine.name in block and 'data-testid="overdue-badge"' in block
    assert clusters.qom_other.name in public


def test_the_province_block_drops_the_overdue_mark_as_soon_as_the_visit_is_recorded(
    clusters, officer_a, reference, django_capture_on_commit_callbacks
) -> None:
    """The block is kept in memory per figures version; a visit starts a new version, so
    the officer does not see a stale "overdue" for the cluster just visited."""
    from django.template.loader import render_to_string

    def block() -> str:
        return render_to_string(
            "indicators/_province_clusters.html",
            {"province": reference.qom, "user": officer_a},
        )

    assert 'data-testid="overdue-badge"' in block()
    with django_capture_on_commit_callbacks(execute=True):
        for kind in ("visit", "report"):  # both were due
            services.visit_add(
                actor=officer_a,
                cluster=clusters.mine,
                kind=kind,
                date=days_ago(0),
                by="کارشناس استان",
                summary="بازدید ماهانه",
            )

    assert 'data-testid="overdue-badge"' not in block()
