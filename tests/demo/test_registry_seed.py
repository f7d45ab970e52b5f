"""The demo registry ``make demo`` builds: every invariant of the registry holds, it is the
same for a seed, running it again changes nothing, and its text is Persian throughout. It
records what it made, and its --force deletes nothing when the registry holds anything
else."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Grant, Role
from demo.models import Seeded
from demo.registry.build import reference_park_keys
from demo.registry.checks import check_registry
from enterprises.models import Enterprise, StatusEvent
from places.models import Park
from tests.factories import make_enterprise, make_officer, make_user, row_counts

LATIN_DIGIT = re.compile(r"[0-9]")


def _seed(*args: str) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        "--units",
        "400",
        "--seed",
        "7",
        "--until",
        "1404/06/31",
        *args,
        stdout=out,
        stderr=StringIO(),
        verbosity=0,
    )
    return out.getvalue()


def _fingerprint() -> list[tuple]:
    return list(
        StatusEvent.objects.order_by("enterprise__legal_id", "date", "id").values_list(
            "enterprise__legal_id", "date", "to_status"
        )
    )


# Committed (a transactional test): on PostgreSQL the seed rebuilds its indexes on a second
# connection, which would wait for ever on the locks of a test's open transaction.
@pytest.mark.django_db(transaction=True)
def test_the_demo_registry_keeps_every_invariant_and_is_the_same_for_a_seed(reference) -> None:
    _seed()

    problems, figures = check_registry()
    assert problems == []
    assert figures["enterprises"] == Enterprise.objects.count() == 400
    assert 2 <= figures["status_events_per_enterprise"] <= 4  # the scale the issue names
    first = _fingerprint()

    _seed()  # again: nothing changes, nothing is duplicated
    assert Enterprise.objects.count() == 400 and _fingerprint() == first
    _seed("--force")  # afresh: the same registry
    assert _fingerprint() == first


@pytest.mark.django_db(transaction=True)
def test_the_demo_registrys_names_and_addresses_are_written_in_persian(reference) -> None:
    _seed()

    texts = Enterprise.objects.values_list("name", "address", "products")
    latin = [t for row in texts for t in row if t and LATIN_DIGIT.search(t)]
    assert latin == []


def _everything() -> dict[str, int]:
    return {
        **row_counts(),
        "grants": Grant.objects.count(),
        "seeded": Seeded.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_the_demo_records_the_rows_it_made(reference) -> None:
    _seed()

    made = {s.model: s.rows for s in Seeded.objects.filter(command="seed_demo")}
    assert made["enterprises.enterprise"] == 400
    assert made["enterprises.statusevent"] == StatusEvent.objects.count()
    assert made["places.park"] == Park.objects.count() - len(reference_park_keys())

    _seed("--force")  # the old ranges are forgotten with their rows, the new ones recorded
    again = {s.model: s.rows for s in Seeded.objects.filter(command="seed_demo")}
    assert again == made


@pytest.mark.django_db(transaction=True)
def test_force_refuses_a_registry_holding_a_unit_an_officer_registered(reference) -> None:
    _seed()
    officer = make_officer("IR-25")
    owner = make_user(Role.ENTERPRISE_OWNER)
    # Through enterprise_create, and its owner through an owner grant.
    make_enterprise(actor=officer, province=reference.qom, owners=[owner])
    before = _everything()
    first = _fingerprint()

    with pytest.raises(CommandError) as refused:
        _seed("--force")

    message = str(refused.value)
    assert "seed_demo --force refused" in message and "nothing was deleted" in message
    assert "(1 row of enterprises_enterprise, 1 row of enterprises_statusevent" in message
    assert refused.value.__cause__.foreign == {  # the unit, its first events, its owner grant
        "enterprises_enterprise": 1,
        "enterprises_statusevent": 1,
        "enterprises_locationevent": 1,
        "enterprises_measureevent": 1,
        "accounts_grant": 1,
    }
    assert _everything() == before  # not one row deleted (nor added)
    assert _fingerprint() == first  # every history as it was


@pytest.mark.django_db(transaction=True)
def test_force_accepts_the_demo_accounts_owner_grant_as_demo_data(reference) -> None:
    _seed()
    call_command("demo_accounts", "--insecure", stdout=StringIO())
    owner_grant = Grant.objects.live().get(user__username="owner", role=Role.ENTERPRISE_OWNER)

    _seed("--force")  # not refused: demo_accounts recorded the grant it gave

    assert not Grant.objects.filter(pk=owner_grant.pk).exists()  # it went with the units
    assert Enterprise.objects.count() == 400


@pytest.mark.django_db(transaction=True)
def test_the_demo_histories_of_employees_and_progress_agree_in_the_sql_and_unit_by_unit_facts(
    reference,
) -> None:
    """Headcounts that changed over the years, progress that rose, projects that stalled:
    the rebuild in SQL and the sum unit by unit count them alike."""
    from django.db.models import Count

    from enterprises.models import MeasureEvent
    from indicators import facts

    _seed()
    several = (
        MeasureEvent.objects.values("enterprise_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    assert several > 100  # of 400 units
    assert MeasureEvent.objects.filter(employees__isnull=True).exists()  # progress alone
    facts.rebuild()

    assert facts.all_facts() == facts.python_facts()
    assert any(key[5] == "semi" for key in facts.all_facts())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's visibility map")
@pytest.mark.django_db(transaction=True)
def test_the_built_registry_is_vacuumed_so_index_only_scans_read_no_table_row(reference) -> None:
    # The build closes location events after its frozen COPY; without a VACUUM their new
    # versions were not all-visible and every index-only scan of them fetched table rows.
    _seed()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relpages, relallvisible FROM pg_class WHERE relname IN "
            "('enterprises_enterprise', 'enterprises_statusevent', "
            "'enterprises_locationevent', 'enterprises_measureevent') ORDER BY relname"
        )
        tables = cursor.fetchall()
    assert len(tables) == 4
    assert all(pages > 0 and visible == pages for _name, pages, visible in tables), tables
