"""Who may open and submit every cluster page: the policy as a table.

Read like ``tests/enterprises/test_views_access.py``. Targets are the clusters of
``tests/conftest.py``: ``mine`` (Qom, the ``cluster_agent``'s, unpublished), ``qom_other``
(Qom, another agent's, published) and ``tehran`` (Tehran, published); ``in_qom`` /
``in_tehran`` are the provinces a new cluster is registered in; ``-`` for pages about no cluster.

Outcomes: ``full`` (200, the whole record: team mobile, documents, supervision, change
history), ``public`` (200, the published profile only), ``page`` (200, a form), ``done``
(302 back to the cluster, the change audited under the person's name), ``created``,
``refused`` (200, the province marked wrong, nothing saved), ``file`` (the document
itself), ``404``, ``405``, ``login``. Every outcome but ``done``, ``created`` leaves the
programme exactly as it was.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.services import history_of
from clusters import services
from clusters.models import ActionItem, Cluster, Document
from tests.access_tables import ROLES, with_two_grants
from tests.clusters.files import PDF
from tests.factories import advance_cluster, days_ago, reload
from tests.views_helpers import field_errors, is_login_redirect, jalali_text, page, registry_state

TARGETS = ("mine", "qom_other", "tehran")
PROVINCES = ("in_qom", "in_tehran")
NO_CLUSTER = ("-",)


def _table(columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    assert tuple(rows) == ROLES
    return {role: dict(zip(columns, row, strict=True)) for role, row in rows.items()}


def _everyone(columns: tuple[str, ...], outcomes: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {role: dict(zip(columns, outcomes, strict=True)) for role in ROLES}


def _as_get(post: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r: {t: "page" if o == "done" else o for t, o in row.items()} for r, row in post.items()}


# fmt: off
#                     mine      qom_other  tehran
DETAIL = _table(TARGETS, {
    "national_admin": ("full",  "full",    "full"),
    "officer_a":      ("full",  "full",    "public"),
    "officer_b":      ("404",   "public",  "full"),
    "park_manager":   ("404",   "public",  "public"),
    "owner":          ("404",   "public",  "public"),
    "cluster_agent":  ("full",  "public",  "public"),
    "anonymous":      ("404",   "public",  "public"),
})

# Keeping a cluster: the nation, the cluster's province, the cluster's own agent.
WRITE = _table(TARGETS, {
    "national_admin": ("done",  "done",  "done"),
    "officer_a":      ("done",  "done",  "404"),
    "officer_b":      ("404",   "404",   "done"),
    "park_manager":   ("404",   "404",   "404"),
    "owner":          ("404",   "404",   "404"),
    "cluster_agent":  ("done",  "404",   "404"),
    "anonymous":      ("login", "login", "login"),
})

DOWNLOAD = _table(TARGETS, {
    "national_admin": ("file",  "file",  "file"),
    "officer_a":      ("file",  "file",  "404"),
    "officer_b":      ("404",   "404",   "file"),
    "park_manager":   ("404",   "404",   "404"),
    "owner":          ("404",   "404",   "404"),
    "cluster_agent":  ("file",  "404",   "404"),
    "anonymous":      ("login", "login", "login"),
})

LOGGED_IN_405 = _table(TARGETS, {
    **{role: ("405", "405", "405") for role in ROLES if role != "anonymous"},
    "anonymous": ("login", "login", "login"),
})

CREATE_FORM = _table(NO_CLUSTER, {
    "national_admin": ("page",),
    "officer_a":      ("page",),
    "officer_b":      ("page",),
    "park_manager":   ("404",),
    "owner":          ("404",),
    "cluster_agent":  ("404",),
    "anonymous":      ("login",),
})

#                     in_qom     in_tehran
CREATE = _table(PROVINCES, {
    "national_admin": ("created", "created"),
    "officer_a":      ("created", "refused"),
    "officer_b":      ("refused", "created"),
    "park_manager":   ("404",     "404"),
    "owner":          ("404",     "404"),
    "cluster_agent":  ("404",     "404"),
    "anonymous":      ("login",   "login"),
})
# fmt: on

EVERYONE = _everyone(NO_CLUSTER, ("page",))

ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "cluster_directory": {"GET": EVERYONE, "POST": EVERYONE},
        "cluster_national": {"GET": EVERYONE},
        "cluster_detail": {"GET": DETAIL, "POST": DETAIL},
        "cluster_create": {"GET": CREATE_FORM, "POST": CREATE},
        "cluster_year": {"GET": LOGGED_IN_405, "POST": WRITE},
        "cluster_document": {"GET": DOWNLOAD, "POST": LOGGED_IN_405},
        **{
            route: {"GET": _as_get(WRITE), "POST": WRITE}
            for route in (
                "cluster_edit",
                "cluster_stage",
                "cluster_suspend",
                "cluster_resume",
                "cluster_member_add",
                "cluster_document_upload",
                "cluster_action_add",
                "cluster_action_edit",
                "cluster_plan_approve",
                "cluster_evaluation",
                "cluster_visit_add",
            )
        },
    }
)

CASES = [
    pytest.param(route, method, who, target, outcome, id=f"{route}-{method}-{who}-{target}")
    for route, methods in ACCESS.items()
    for method, table in methods.items()
    for who, row in table.items()
    for target, outcome in row.items()
]

AUDIT_ACTION = {
    "cluster_edit": "update",
    "cluster_stage": "stage",
    "cluster_year": "year",
    "cluster_suspend": "suspend",
    "cluster_resume": "resume",
    "cluster_member_add": "member_add",
    "cluster_document_upload": "document",
    "cluster_action_add": "action_add",
    "cluster_action_edit": "action_update",
    "cluster_plan_approve": "plan_approve",
    "cluster_evaluation": "evaluate",
    "cluster_visit_add": "visit",
}
NEW_NAME = "خوشه بازنام‌گذاری‌شده"


def _prepare(route: str, cluster: Cluster) -> dict[str, Any]:
    """Bring the cluster to where the page's action makes sense; return what it needs."""
    extra: dict[str, Any] = {}
    start = cluster.stage_since
    if route == "cluster_year":
        advance_cluster(cluster, "implementation", start=start)
    elif route == "cluster_resume":
        services.cluster_suspend(actor=None, cluster=cluster, date=days_ago(5), reason="بودجه")
    elif route in ("cluster_plan_approve", "cluster_action_edit"):
        advance_cluster(cluster, "action_plan", start=start)
        extra["item"] = services.action_add(
            actor=None,
            cluster=cluster,
            data={"title": "بازاریابی مشترک", "kind": "joint_marketing", "due_date": days_ago(3)},
        )
    elif route == "cluster_evaluation":
        advance_cluster(cluster, "evaluation", start=start)
    elif route == "cluster_document":
        extra["document"] = services.document_upload(
            actor=None,
            cluster=cluster,
            kind="diagnostic",
            title="مطالعه شناختی",
            upload=SimpleUploadedFile("study.pdf", PDF),
        )
    return extra


def _post_data(
    route: str, cluster: Cluster | None, target: str, reference: Any, registry: Any
) -> dict[str, Any]:
    yesterday = jalali_text(days_ago(1))
    if route == "cluster_create":
        province = reference.qom if target == "in_qom" else reference.tehran
        return {
            "province": province.code,
            "stage": "identified",
            "date": yesterday,
            "name": f"خوشه تازه {target}",
            "unregistered_members": "۵",
        }
    if cluster is None:
        return {}
    if route == "cluster_edit":
        return {
            "name": NEW_NAME,
            "unregistered_members": "۱۲",
            "published": "on",
            "version": str(cluster.version),
        }
    if route == "cluster_stage":
        from clusters.stages import next_stage

        return {"to_stage": next_stage(cluster.stage), "date": yesterday, "reason": "جلسه کمیته"}
    if route == "cluster_year":
        return {"year-date": yesterday}
    if route in ("cluster_suspend", "cluster_resume"):
        return {"date": yesterday, "reason": "کمبود بودجه"}
    if route == "cluster_member_add":
        unit = (
            registry.tehran_published
            if cluster.province_id == reference.tehran.pk
            else registry.p_published
        )
        return {"enterprise": str(unit.pk), "joined_on": yesterday}
    if route == "cluster_document_upload":
        return {
            "kind": "diagnostic",
            "title": "گزارش شناخت",
            "file": SimpleUploadedFile("report.pdf", PDF),
        }
    if route in ("cluster_action_add", "cluster_action_edit"):
        return {
            "title": "نمایشگاه مشترک",
            "kind": "exhibition",
            "budget_rials": "۵۰۰٬۰۰۰",
            "due_date": jalali_text(days_ago(-30)),
            "status": "in_progress",
            "progress": "۴۰",
        }
    if route == "cluster_plan_approve":
        return {"date": yesterday}
    if route == "cluster_evaluation":
        return {"date": yesterday, "summary": "اهداف برنامه محقق شد"}
    if route == "cluster_visit_add":
        return {"kind": "visit", "date": yesterday, "by": "ناظر فنی", "summary": "بازدید دوره‌ای"}
    return {}


def _url(route: str, cluster: Cluster | None, extra: dict[str, Any]) -> str:
    if cluster is None:
        return reverse(route)
    if route == "cluster_document":
        return reverse(route, args=[cluster.pk, extra["document"].pk])
    if route == "cluster_action_edit":
        return reverse(route, args=[cluster.pk, extra["item"].pk])
    return reverse(route, args=[cluster.pk])


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_every_role_gets_what_the_policy_table_says_on_every_cluster_page(
    route,
    method,
    who,
    target,
    outcome,
    user_of,
    client_for,
    clusters,
    registry,
    reference,
    settings,
    tmp_path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    user = user_of(who)
    cluster = getattr(clusters, target) if target in TARGETS else None
    extra = _prepare(route, cluster) if cluster is not None else {}
    if cluster is not None:
        cluster = reload(cluster)
    url = _url(route, cluster, extra)
    data = _post_data(route, cluster, target, reference, registry) if method == "POST" else {}
    before = registry_state()

    client = client_for(user)
    response = client.get(url) if method == "GET" else client.post(url, data)

    html = page(response) if not getattr(response, "streaming", False) else ""
    got = f"{who} {method} {url} → {response.status_code} {response.get('Location', '')}"
    if outcome == "done":
        assert response.status_code == 302, f"expected it done, got {got}"
        assert response["Location"] == cluster.get_absolute_url()
        actions = set(history_of(cluster).filter(actor=user).values_list("action", flat=True))
        assert actions == {AUDIT_ACTION[route]}
        if route == "cluster_edit":
            assert reload(cluster).name == NEW_NAME
        return
    if outcome == "created":
        assert response.status_code == 302, f"expected it registered, got {got}"
        match = re.fullmatch(r"/clusters/(\d+)/", response["Location"])
        assert match
        created = Cluster.objects.get(pk=match.group(1))
        assert created.name == data["name"]
        assert created.events.count() == 1
        assert history_of(created).filter(action="create", actor=user).count() == 1
        assert client.get(response["Location"]).status_code == 200
        return
    if outcome == "full":
        assert response.status_code == 200, got
        assert cluster.name in html
        assert cluster.team_phone in html or "۰۹۱۲" in html
        assert 'data-testid="audit-history"' in html
        assert 'data-testid="documents"' in html
    elif outcome == "public":
        assert response.status_code == 200, got
        assert f'data-testid="cluster-name">{cluster.name}<' in html
        assert 'data-testid="team-phone"' not in html
        assert 'data-testid="documents"' not in html
        assert 'data-testid="audit-history"' not in html
        assert reverse("cluster_edit", args=[cluster.pk]) not in html
    elif outcome == "page":
        assert response.status_code == 200, got
        assert "<form" in html
        if cluster is not None:
            assert cluster.name in html
    elif outcome == "file":
        assert response.status_code == 200, got
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
    elif outcome == "refused":
        assert response.status_code == 200, got
        assert "province" in field_errors(response)
    elif outcome == "404":
        assert response.status_code == 404, got
        if cluster is not None:
            assert cluster.name not in html
    elif outcome == "405":
        assert response.status_code == 405, got
    elif outcome == "login":
        assert is_login_redirect(response, url), got
    else:  # pragma: no cover
        raise AssertionError(outcome)
    assert registry_state() == before, "a refused or read-only request changed something"


def test_no_document_is_reachable_under_the_public_media_url(
    client_for, clusters, national_admin, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    document = services.document_upload(
        actor=None,
        cluster=clusters.mine,
        kind="other",
        title="قرارداد",
        upload=SimpleUploadedFile("c.pdf", PDF),
    )

    response = client_for(national_admin).get(f"/media/{document.file.name}")

    assert response.status_code == 404


def test_an_agent_cannot_reassign_their_cluster_or_publish_it(
    client_for, clusters, cluster_agent, other_agent
) -> None:
    url = reverse("cluster_edit", args=[clusters.mine.pk])
    html = page(client_for(cluster_agent).get(url))
    assert 'name="agent"' not in html and 'name="published"' not in html

    client_for(cluster_agent).post(
        url,
        {
            "name": clusters.mine.name,
            "unregistered_members": "0",
            "agent": str(other_agent.pk),
            "published": "on",
            "version": str(clusters.mine.version),
        },
    )

    fresh = reload(clusters.mine)
    assert (fresh.agent_id, fresh.published) == (cluster_agent.pk, False)


def test_a_hidden_cluster_answers_exactly_like_one_that_does_not_exist(
    client_for, clusters, cluster_agent
) -> None:
    client = client_for(cluster_agent)
    hidden = client.get(reverse("cluster_edit", args=[clusters.qom_other.pk]))
    missing = client.get(reverse("cluster_edit", args=[10**9]))

    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_a_document_of_another_cluster_is_not_found_through_mine(
    client_for, clusters, cluster_agent, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    theirs = services.document_upload(
        actor=None,
        cluster=clusters.qom_other,
        kind="other",
        title="سند",
        upload=SimpleUploadedFile("x.pdf", PDF),
    )

    response = client_for(cluster_agent).get(
        reverse("cluster_document", args=[clusters.mine.pk, theirs.pk])
    )

    assert response.status_code == 404
    assert Document.objects.count() == 1 and ActionItem.objects.count() == 0
