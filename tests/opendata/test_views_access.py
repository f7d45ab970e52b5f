"""Who may open the open data's routes: everyone, and everyone gets the same (the
snapshots hold only what the public sees). ``page`` is 200 with the page or the manifest,
``file`` a download of the snapshot's file, ``404`` an unknown dataset."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from opendata import datasets, snapshots
from tests.access_tables import PEOPLE, cases, with_two_grants

EVERYONE = {who: {"-": "page"} for who in PEOPLE}
DOWNLOAD = {who: {"enterprises.csv": "file", "people.csv": "404"} for who in PEOPLE}

ACCESS = with_two_grants(
    {
        "open_data": {"GET": EVERYONE},
        "open_manifest": {"GET": EVERYONE},
        "open_download": {"GET": DOWNLOAD},
    }
)
PATHS = {"open_data": "/open/", "open_manifest": "/open/manifest.json"}


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), cases(ACCESS, pytest))
def test_every_person_gets_what_the_table_says(
    route, method, who, target, outcome, user_of, client_for, registry, catalogue, monkeypatch
) -> None:
    # Who may open what does not depend on the figures: the access cases build without
    # them (their contents are tested in test_snapshots.py).
    figures = datasets.DATASETS["figures"]
    monkeypatch.setitem(datasets.DATASETS, "figures", replace(figures, rows=lambda as_of: iter(())))
    manifest = snapshots.build() if route != "open_data" else None
    client = client_for(user_of(who))
    path = f"/open/{target}" if route == "open_download" else PATHS[route]

    response = client.get(path)

    if outcome == "404":
        assert response.status_code == 404
    elif outcome == "file":
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert manifest is not None
        want = manifest["datasets"]["enterprises"]["files"]["csv"]["sha256"]
        assert hashlib.sha256(body).hexdigest() == want
    else:
        assert response.status_code == 200
