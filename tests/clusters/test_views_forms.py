"""The lifecycle through the pages: what each person is offered and the messages they get."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from persian.text import to_persian_digits
from tests.clusters.files import PDF
from tests.factories import days_ago, make_cluster, reload, row_counts
from tests.views_helpers import field_errors, jalali_text, page


def test_an_agent_is_offered_only_the_next_stage_and_cannot_skip(
    client_for, clusters, cluster_agent
) -> None:
    url = reverse("cluster_stage", args=[clusters.mine.pk])
    html = page(client_for(cluster_agent).get(url))
    offered = re.findall(
        r'<option value="(\w+)"', html.split('name="to_stage"')[1].split("</select>")[0]
    )
    assert offered == ["trust_building"]
    before = row_counts()

    response = client_for(cluster_agent).post(
        url, {"to_stage": "action_plan", "date": jalali_text(days_ago(1)), "reason": "عجله"}
    )

    assert response.status_code == 200
    assert "to_stage" in field_errors(response)
    assert row_counts() == before


def test_a_national_administrator_skips_only_with_a_reason(
    client_for, clusters, national_admin
) -> None:
    url = reverse("cluster_stage", args=[clusters.mine.pk])
    client = client_for(national_admin)

    refused = client.post(url, {"to_stage": "action_plan", "date": jalali_text(days_ago(1))})
    done = client.post(
        url,
        {
            "to_stage": "action_plan",
            "date": jalali_text(days_ago(1)),
            "reason": "اعتمادسازی پیش‌تر انجام شده بود",
        },
    )

    assert "reason" in field_errors(refused)
    assert done.status_code == 302
    assert reload(clusters.mine).stage == "action_plan"


def test_a_stage_recorded_with_its_document(
    client_for, clusters, cluster_agent, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    response = client_for(cluster_agent).post(
        reverse("cluster_stage", args=[clusters.mine.pk]),
        {
            "to_stage": "trust_building",
            "date": jalali_text(days_ago(1)),
            "document_kind": "minutes",
            "file": SimpleUploadedFile("minutes.pdf", PDF),
        },
    )

    assert response.status_code == 302
    event = reload(clusters.mine).events.order_by("-id")[0]
    assert [d.kind for d in event.documents.all()] == ["minutes"]


def test_completion_without_a_licence_is_refused_on_the_page(
    client_for, reference, national_admin
) -> None:
    from clusters import services

    cluster = make_cluster(province=reference.qom, stage="evaluation")
    day = cluster.stage_since
    services.action_add(
        actor=None, cluster=cluster, data={"title": "آموزش", "kind": "training", "due_date": day}
    )
    services.plan_approve(actor=None, cluster=cluster, date=day)
    services.evaluation_record(actor=None, cluster=cluster, date=day, summary="موفق")

    response = client_for(national_admin).post(
        reverse("cluster_stage", args=[cluster.pk]),
        {"to_stage": "completed", "date": jalali_text(days_ago(1))},
    )

    assert response.status_code == 200
    assert "licence_number" in field_errors(response)
    assert reload(cluster).stage == "evaluation"


def test_a_member_from_another_province_is_refused_on_the_page_without_a_reason(
    client_for, clusters, registry, cluster_agent
) -> None:
    url = reverse("cluster_member_add", args=[clusters.mine.pk])
    data = {"enterprise": str(registry.tehran_published.pk), "joined_on": jalali_text(days_ago(1))}

    refused = client_for(cluster_agent).post(url, data)
    accepted = client_for(cluster_agent).post(url, {**data, "reason": "تأمین‌کننده چرم"})

    assert "reason" in field_errors(refused)
    assert accepted.status_code == 302
    assert clusters.mine.memberships.count() == 1


def test_a_visit_dated_before_the_cluster_existed_is_refused_on_the_page(
    client_for, clusters, cluster_agent
) -> None:
    first = clusters.mine.events.order_by("date")[0].date
    response = client_for(cluster_agent).post(
        reverse("cluster_visit_add", args=[clusters.mine.pk]),
        {
            "kind": "visit",
            "date": jalali_text(first.replace(year=first.year - 1)),
            "summary": "بازدید",
        },
    )

    assert "date" in field_errors(response)
    assert clusters.mine.visits.count() == 0


def test_a_stale_cluster_form_is_refused_and_shows_the_other_persons_change(
    client_for, clusters, cluster_agent, national_admin
) -> None:
    cluster = clusters.mine
    url = reverse("cluster_edit", args=[cluster.pk])
    opened = {"name": cluster.name, "unregistered_members": "0", "version": str(cluster.version)}
    saved = client_for(cluster_agent).post(url, {**opened, "unregistered_members": "۱۲"})
    assert saved.status_code == 302
    before = row_counts()

    response = client_for(national_admin).post(
        url, {**opened, "name": "خوشه کفش نو", "agent": str(cluster_agent.pk)}
    )

    assert response.status_code == 200
    fresh = reload(cluster)
    assert (fresh.name, fresh.unregistered_members) == (cluster.name, 12)
    assert row_counts() == before
    html = page(response)
    assert "پس از باز کردن این فرم" in html
    assert to_persian_digits("12") in html.split('data-testid="stale-edit"')[1]
    assert f'name="version" value="{fresh.version}"' in html
