"""The demo registry ``make demo`` builds: every invariant of the registry holds, it is the
same for a seed, running it again changes nothing, and its text is Persian throughout."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from demo.registry.checks import check_registry
from enterprises.models import Enterprise, StatusEvent

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
