"""Each service of the cluster programme announces its write once, after the commit
(``clusters.events``); a refused write announces nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from clusters import services
from clusters.events import (
    ActionAdded,
    ActionUpdated,
    ClusterChanged,
    ClusterCreated,
    ClusterStageChanged,
    DocumentUploaded,
    EvaluationRecorded,
    MemberAdded,
    PlanApproved,
    VisitRecorded,
)
from clusters.models import StageEvent
from tests import events_helpers
from tests.clusters.files import PDF
from tests.factories import days_ago, make_cluster, make_enterprise, reload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def announced(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda write: events_helpers.announced(
        django_capture_on_commit_callbacks, write, "cluster."
    )


def _stage(event: StageEvent) -> ClusterStageChanged:
    return ClusterStageChanged(
        cluster_id=event.cluster_id,
        stage_event_id=event.pk,
        kind=event.kind,
        from_stage=event.from_stage,
        to_stage=event.to_stage,
        date=event.date,
        implementation_year=event.implementation_year,
    )


def test_a_cluster_registered_and_its_profile_changed(announced, reference) -> None:
    seen, cluster = announced(
        lambda: services.cluster_create(
            actor=None,
            data={"name": "خوشه فرش"},
            province=reference.qom,
            stage="identified",
            date=days_ago(300),
        )
    )
    start = StageEvent.objects.get(cluster=cluster)
    assert seen == [
        ClusterCreated(
            cluster_id=cluster.pk,
            stage_event_id=start.pk,
            province_id=reference.qom.pk,
            stage="identified",
            date=days_ago(300),
        )
    ]

    seen, _ = announced(
        lambda: services.cluster_update(
            actor=None, cluster=cluster, data={"city": "قم"}, fields=("city",)
        )
    )
    assert seen == [ClusterChanged(cluster_id=cluster.pk, changes={"city": ("", "قم")})]


def test_every_stage_step_members_documents_actions_visits(announced, reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="agent_selected", start=days_ago(400))

    seen, step = announced(
        lambda: services.cluster_advance(
            actor=None, cluster=cluster, to_stage="diagnosis", date=days_ago(300)
        )
    )
    assert seen == [_stage(step)] and step.kind == StageEvent.Kind.ADVANCE

    seen, step = announced(
        lambda: services.cluster_suspend(
            actor=None, cluster=reload(cluster), date=days_ago(290), reason="بودجه"
        )
    )
    assert seen == [_stage(step)] and step.kind == StageEvent.Kind.SUSPEND

    seen, step = announced(
        lambda: services.cluster_resume(actor=None, cluster=reload(cluster), date=days_ago(280))
    )
    assert seen == [_stage(step)] and step.kind == StageEvent.Kind.RESUME

    unit = make_enterprise(province=reference.qom)
    seen, member = announced(
        lambda: services.member_add(
            actor=None, cluster=cluster, enterprise=unit, joined_on=days_ago(270)
        )
    )
    assert seen == [
        MemberAdded(
            cluster_id=cluster.pk,
            membership_id=member.pk,
            enterprise_id=unit.pk,
            joined_on=days_ago(270),
        )
    ]

    seen, document = announced(
        lambda: services.document_upload(
            actor=None,
            cluster=cluster,
            kind="diagnostic",
            title="مطالعه",
            upload=SimpleUploadedFile("s.pdf", PDF),
        )
    )
    assert seen == [
        DocumentUploaded(
            cluster_id=cluster.pk, document_id=document.pk, kind="diagnostic", stage_event_id=None
        )
    ]

    seen, action = announced(
        lambda: services.action_add(
            actor=None,
            cluster=cluster,
            data={"title": "آموزش", "kind": "training", "due_date": days_ago(-30)},
        )
    )
    assert seen == [ActionAdded(cluster_id=cluster.pk, action_id=action.pk)]

    seen, _ = announced(
        lambda: services.action_update(actor=None, item=action, data={"progress": 40})
    )
    assert seen == [
        ActionUpdated(cluster_id=cluster.pk, action_id=action.pk, changes={"progress": (0, 40)})
    ]

    seen, visit = announced(
        lambda: services.visit_add(
            actor=None,
            cluster=cluster,
            kind="visit",
            date=days_ago(10),
            by="کارشناس استان",
            summary="بازدید",
        )
    )
    assert seen == [
        VisitRecorded(cluster_id=cluster.pk, visit_id=visit.pk, kind="visit", date=days_ago(10))
    ]


def test_a_plan_approved_an_evaluation_a_year_and_a_stage_with_its_document(
    announced, reference
) -> None:
    cluster = make_cluster(province=reference.qom, stage="action_plan", start=days_ago(900))
    services.action_add(
        actor=None,
        cluster=cluster,
        data={"title": "آموزش", "kind": "training", "due_date": days_ago(600)},
    )

    seen, _ = announced(
        lambda: services.plan_approve(actor=None, cluster=reload(cluster), date=days_ago(800))
    )
    assert seen == [PlanApproved(cluster_id=cluster.pk, date=days_ago(800))]

    seen, step = announced(
        lambda: services.cluster_advance(
            actor=None,
            cluster=reload(cluster),
            to_stage="implementation",
            date=days_ago(700),
            upload=SimpleUploadedFile("plan.pdf", PDF),
        )
    )
    document = step.documents.get()
    assert seen == [
        DocumentUploaded(
            cluster_id=cluster.pk, document_id=document.pk, kind="other", stage_event_id=step.pk
        ),
        _stage(step),
    ]

    seen, step = announced(
        lambda: services.cluster_start_year(actor=None, cluster=reload(cluster), date=days_ago(400))
    )
    assert seen == [_stage(step)] and step.implementation_year == 2

    services.cluster_advance(
        actor=None, cluster=reload(cluster), to_stage="evaluation", date=days_ago(100)
    )
    seen, _ = announced(
        lambda: services.evaluation_record(
            actor=None, cluster=reload(cluster), date=days_ago(50), summary="خوب"
        )
    )
    assert seen == [EvaluationRecorded(cluster_id=cluster.pk, date=days_ago(50))]


def test_a_refused_step_announces_nothing(announced, reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="identified", start=days_ago(100))

    def refused() -> None:
        with pytest.raises(ValidationError):
            services.cluster_advance(
                actor=None, cluster=cluster, to_stage="identified", date=days_ago(1)
            )

    seen, _ = announced(refused)

    assert seen == []
