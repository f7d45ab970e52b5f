"""The lifecycle guards: stages in order, skips only by a national administrator with a
reason, completion only with an approved plan, an evaluation and a licence, suspension and
resumption, implementation years; every refusal leaves nothing half-saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.services import history_of
from clusters import services, stages
from clusters.models import StageEvent
from tests.factories import advance_cluster, days_ago, make_cluster, reload, row_counts


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def test_the_next_stage_is_recorded_with_its_date_author_and_reason(reference, officer_a) -> None:
    cluster = make_cluster(province=reference.qom, stage="identified", start=days_ago(30))

    event = services.cluster_advance(
        actor=officer_a,
        cluster=cluster,
        to_stage="feasibility",
        date=days_ago(10),
        reason="مطالعه آغاز شد",
    )

    fresh = reload(cluster)
    assert (fresh.stage, fresh.stage_since) == ("feasibility", days_ago(10))
    assert (event.author, event.reason, event.kind) == (officer_a, "مطالعه آغاز شد", "advance")
    assert history_of(fresh).filter(action="stage", actor=officer_a).count() == 1


def test_a_stage_cannot_be_skipped_by_an_officer(reference, officer_a) -> None:
    cluster = make_cluster(province=reference.qom, stage="identified")
    before = row_counts()

    with pytest.raises(ValidationError) as exc:
        services.cluster_advance(
            actor=officer_a, cluster=cluster, to_stage="diagnosis", date=days_ago(1), reason="فوری"
        )

    assert "feasibility study" in _messages(exc) or "امکان" in _messages(exc)
    assert row_counts() == before
    assert reload(cluster).stage == "identified"


def test_a_national_administrator_skips_a_stage_only_with_a_reason(
    reference, national_admin
) -> None:
    cluster = make_cluster(province=reference.qom, stage="identified")
    with pytest.raises(ValidationError) as exc:
        services.cluster_advance(
            actor=national_admin,
            cluster=cluster,
            to_stage="agent_selected",
            date=days_ago(1),
            reason="  ",
        )
    assert "reason" in exc.value.message_dict

    event = services.cluster_advance(
        actor=national_admin,
        cluster=cluster,
        to_stage="agent_selected",
        date=days_ago(1),
        reason="امکان‌سنجی پیشین معتبر است",
    )

    assert event.kind == StageEvent.Kind.SKIP
    assert reload(cluster).stage == "agent_selected"


def test_no_stage_goes_backwards(reference, national_admin) -> None:
    cluster = make_cluster(province=reference.qom, stage="diagnosis")
    with pytest.raises(ValidationError):
        services.cluster_advance(
            actor=national_admin,
            cluster=cluster,
            to_stage="feasibility",
            date=days_ago(1),
            reason="بازگشت",
        )


def test_a_stage_cannot_be_dated_before_the_previous_one_or_in_the_future(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="identified", start=days_ago(20))
    with pytest.raises(ValidationError) as exc:
        services.cluster_advance(
            actor=None, cluster=cluster, to_stage="feasibility", date=days_ago(21)
        )
    assert "date" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.cluster_advance(
            actor=None, cluster=cluster, to_stage="feasibility", date=days_ago(-1)
        )


def test_completion_needs_an_approved_plan_an_evaluation_and_a_licence(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="evaluation", start=days_ago(100))
    day = cluster.stage_since

    with pytest.raises(ValidationError) as exc:
        services.cluster_advance(
            actor=None, cluster=cluster, to_stage="completed", date=day, licence_number="۱۲"
        )
    assert "approved action plan" in _messages(exc)

    services.action_add(
        actor=None,
        cluster=cluster,
        data={"title": "برند مشترک", "kind": "common_brand", "due_date": day},
    )
    services.plan_approve(actor=None, cluster=cluster, date=day)
    with pytest.raises(ValidationError) as exc:
        services.cluster_advance(
            actor=None, cluster=reload(cluster), to_stage="completed", date=day, licence_number="۱۲"
        )
    assert "evaluation" in _messages(exc)

    services.evaluation_record(actor=None, cluster=cluster, date=day, summary="موفق")
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        services.cluster_advance(
            actor=None, cluster=reload(cluster), to_stage="completed", date=day, licence_number=""
        )
    assert "licence_number" in exc.value.message_dict
    assert row_counts() == before

    services.cluster_advance(
        actor=None,
        cluster=reload(cluster),
        to_stage="completed",
        date=day,
        licence_number="۱۴۰۳/۸۸",
    )
    fresh = reload(cluster)
    assert (fresh.stage, fresh.licence_number, fresh.licence_date) == ("completed", "۱۴۰۳/۸۸", day)


def test_a_completed_cluster_takes_no_more_steps(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="completed")
    with pytest.raises(ValidationError) as exc:
        services.cluster_suspend(actor=None, cluster=cluster, date=days_ago(1), reason="x")
    assert "completed" in _messages(exc)


def test_a_suspended_cluster_resumes_before_it_moves_on(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="diagnosis", start=days_ago(60))
    with pytest.raises(ValidationError):
        services.cluster_suspend(actor=None, cluster=cluster, date=days_ago(5), reason="")

    services.cluster_suspend(actor=None, cluster=cluster, date=days_ago(5), reason="بودجه")
    with pytest.raises(ValidationError) as exc:
        services.cluster_advance(
            actor=None, cluster=reload(cluster), to_stage="trust_building", date=days_ago(2)
        )
    assert "suspended" in _messages(exc)

    services.cluster_resume(actor=None, cluster=reload(cluster), date=days_ago(3))
    services.cluster_advance(
        actor=None, cluster=reload(cluster), to_stage="trust_building", date=days_ago(2)
    )
    fresh = reload(cluster)
    assert (fresh.suspended, fresh.stage) == (False, "trust_building")
    assert list(fresh.events.values_list("kind", flat=True))[-3:] == [
        "suspend",
        "resume",
        "advance",
    ]


def test_implementation_runs_three_years(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="implementation", start=days_ago(900))
    assert reload(cluster).implementation_year == 1

    services.cluster_start_year(actor=None, cluster=cluster, date=days_ago(500))
    services.cluster_start_year(actor=None, cluster=reload(cluster), date=days_ago(100))
    with pytest.raises(ValidationError) as exc:
        services.cluster_start_year(actor=None, cluster=reload(cluster), date=days_ago(1))

    assert "three years" in _messages(exc)
    assert reload(cluster).implementation_year == 3


def test_years_are_counted_during_implementation_only(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="diagnosis")
    with pytest.raises(ValidationError):
        services.cluster_start_year(actor=None, cluster=cluster, date=days_ago(1))


def test_a_failed_upload_with_a_stage_change_saves_neither(reference, settings, tmp_path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    cluster = make_cluster(province=reference.qom, stage="identified")
    before = row_counts()

    with pytest.raises(ValidationError):
        services.cluster_advance(
            actor=None,
            cluster=cluster,
            to_stage="feasibility",
            date=days_ago(1),
            upload=SimpleUploadedFile("study.pdf", b"not a pdf"),
        )

    assert row_counts() == before
    assert reload(cluster).stage == "identified"


def test_a_stage_list_entry_added_in_the_middle_is_taken_in_order() -> None:
    codes = [s.code for s in stages.STAGES]
    assert codes[0] == "committee" and codes[-1] == "completed" and len(codes) == 10
    assert all(stages.next_stage(a) == b for a, b in zip(codes, codes[1:], strict=False))
    assert stages.next_stage("completed") is None


def test_advance_cluster_helper_reaches_completion(reference) -> None:
    cluster = make_cluster(province=reference.qom, stage="identified", start=days_ago(40))
    cluster = advance_cluster(cluster, "completed", start=cluster.stage_since)
    assert cluster.is_completed
