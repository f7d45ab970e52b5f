"""The audit mechanism: records are written only inside the transaction of the change, and
an enterprise's history lists what happened to it, newest first, by whom, from what to what.
A record keeps who acted by name, so deleting their account does not erase it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditRecord
from audit.services import audit_record, diff, history_of, snapshot
from enterprises.models import Status
from enterprises.services import (
    enterprise_change_status,
    enterprise_move,
    enterprise_update,
    status_event_correct,
)
from tests.factories import days_ago, make_enterprise, make_user
from tests.views_helpers import page


@pytest.mark.django_db(transaction=True)
def test_an_audit_record_outside_a_transaction_is_refused(reference) -> None:
    enterprise = make_enterprise()

    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="update", target=enterprise)

    assert list(history_of(enterprise).values_list("action", flat=True)) == ["create"]


@pytest.mark.django_db(transaction=True)
def test_outside_the_tests_transaction_a_service_commits_the_change_and_its_record(reference):
    enterprise = make_enterprise(status=Status.ACTIVE, status_date=days_ago(30))

    enterprise_change_status(
        actor=None, enterprise=enterprise, to_status=Status.IDLE, date=days_ago(3), reason="رکود"
    )

    assert [r.action for r in history_of(enterprise)] == ["status", "create"]


@pytest.fixture
def story(reference, officer_a, national_admin):
    """A unit registered by the admin, then kept by officer A: idle, moved, corrected."""
    enterprise = make_enterprise(
        actor=national_admin, park=reference.park_p, status_date=days_ago(300), employees=8
    )
    enterprise_change_status(
        actor=officer_a,
        enterprise=enterprise,
        to_status=Status.IDLE,
        date=days_ago(200),
        reason="کمبود سرمایه در گردش",
    )
    enterprise_move(
        actor=officer_a,
        enterprise=enterprise,
        province=reference.qom,
        park=reference.park_p2,
        date=days_ago(150),
        reason="واگذاری زمین جدید",
    )
    idle = enterprise.status_events.get(to_status=Status.IDLE)
    status_event_correct(
        actor=officer_a, event=idle, date=days_ago(210), reason="", note="تاریخ نامه اصلاح شد"
    )
    enterprise_update(
        actor=officer_a, enterprise=enterprise, data={"employees": 12}, fields=("employees",)
    )
    return enterprise


def test_history_lists_what_happened_to_the_unit_newest_first(story) -> None:
    assert [r.action for r in history_of(story)] == [
        "update",
        "correct",
        "move",
        "status",
        "create",
    ]


def test_history_names_who_did_each_thing(story, officer_a, national_admin) -> None:
    actors = [r.actor for r in history_of(story)]

    assert actors == [officer_a, officer_a, officer_a, officer_a, national_admin]


def test_history_shows_before_and_after_values(story, reference) -> None:
    update, correct, move, status, create = history_of(story)

    assert update.changes["employees"] == [8, 12]
    assert update.changes["size_band"] == ["micro", "small"]
    assert correct.changes["date"] == [days_ago(200).isoformat(), days_ago(210).isoformat()]
    assert correct.note == "تاریخ نامه اصلاح شد"
    assert [p and p["id"] for p in move.changes["park"]] == [
        reference.park_p.pk,
        reference.park_p2.pk,
    ]
    assert status.changes["status"] == [Status.ACTIVE, Status.IDLE]
    assert status.note == "کمبود سرمایه در گردش"
    assert create.changes["employees"] == [None, 8]


def test_status_and_move_records_belong_to_the_unit_and_point_at_the_event(story) -> None:
    move = history_of(story).get(action="move")
    status = history_of(story).get(action="status")

    assert move.target_id == str(story.location_events.order_by("-date", "-id")[0].pk)
    assert status.target_id == str(story.status_events.get(to_status=Status.IDLE).pk)
    assert move.subject_id == status.subject_id == str(story.pk)


def test_history_of_a_unit_holds_nothing_about_another(story, reference) -> None:
    other = make_enterprise(park=reference.park_p)
    enterprise_change_status(
        actor=None, enterprise=other, to_status=Status.CLOSED, date=days_ago(1), reason="انحلال"
    )

    assert [r.action for r in history_of(other)] == ["status", "create"]
    assert len(history_of(story)) == 5


def test_an_audit_record_keeps_the_name_of_what_it_changed(story) -> None:
    create = history_of(story).get(action="create")

    assert create.target_repr == story.name


# --- who acted, after their account is gone ---------------------------------------------------


@pytest.fixture
def sara(reference):
    return make_user(
        Role.PROVINCIAL_OFFICER,
        username="sara",
        province=reference.qom,
        first_name="سارا",
        last_name="رحیمی",
    )


@pytest.fixture
def idled_by_sara(reference, sara):
    """A unit made idle by Sara, whose account is then deleted."""
    enterprise = make_enterprise(park=reference.park_p, status_date=days_ago(300))
    enterprise_change_status(
        actor=sara, enterprise=enterprise, to_status=Status.IDLE, date=days_ago(5), reason="رکود"
    )
    sara.delete()
    return enterprise


def test_a_record_keeps_the_actors_name_after_their_account_is_deleted(idled_by_sara) -> None:
    record = history_of(idled_by_sara).get(action="status")

    assert (record.actor, record.actor_name) == (None, "سارا رحیمی (sara)")


def test_a_record_names_an_account_without_a_name_by_its_username_and_the_system_not_at_all(
    story, officer_a
) -> None:
    enterprise_change_status(
        actor=None, enterprise=story, to_status=Status.CLOSED, date=days_ago(1), reason="انحلال"
    )

    by_officer = history_of(story).get(action="move")
    by_system = history_of(story).get(action="status", changes__status__1=Status.CLOSED)
    assert (by_officer.actor, by_officer.actor_name) == (officer_a, "officer_a")
    assert (by_system.actor, by_system.actor_name) == (None, "")


def test_the_history_page_still_names_who_acted_after_their_account_is_deleted(
    idled_by_sara, national_admin, client_for
) -> None:
    html = page(client_for(national_admin).get(idled_by_sara.get_absolute_url()))

    history = html.split('data-testid="audit-history"')[1]
    status_item = next(item for item in history.split("<li") if "رکود" in item)
    assert "سارا رحیمی (sara)" in status_item


def test_the_audit_admin_finds_records_by_the_name_of_a_deleted_account(
    idled_by_sara, story, client_for
) -> None:
    superuser = make_user(username="root", is_staff=True, is_superuser=True)

    html = page(
        client_for(superuser).get(reverse("admin:audit_auditrecord_changelist"), {"q": "رحیمی"})
    )

    assert "سارا رحیمی (sara)" in html
    assert html.count('class="field-actor_name"') == 1  # not the story's records


def test_the_migration_names_the_actors_of_existing_records(
    story, officer_a, national_admin
) -> None:
    migration = importlib.import_module("audit.migrations.0002_actor_name")
    enterprise_change_status(
        actor=None, enterprise=story, to_status=Status.CLOSED, date=days_ago(1), reason="انحلال"
    )
    officer_a.first_name, officer_a.last_name = "علی", "کریمی"
    officer_a.save()
    AuditRecord.objects.update(actor_name="")

    migration.name_the_actors(apps, None)

    names = {(r.actor_id, r.actor_name) for r in history_of(story)}
    assert names == {
        (officer_a.pk, "علی کریمی (officer_a)"),
        (national_admin.pk, "national_admin"),
        (None, ""),  # the system's
    }


# --- helpers used by every service --------------------------------------------------------------


def test_diff_lists_only_the_fields_that_changed() -> None:
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


def test_snapshot_keeps_dates_and_related_rows_as_plain_json(reference) -> None:
    enterprise = make_enterprise(park=reference.park_p, status_date=days_ago(7))

    values = snapshot(enterprise, ("status_since", "park", "employees"))

    assert values == {
        "status_since": days_ago(7).isoformat(),
        "park": {"id": reference.park_p.pk, "repr": reference.park_p.name},
        "employees": enterprise.employees,
    }
