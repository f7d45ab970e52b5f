"""How long the issue-18 data migration takes to recompute the enterprises' names and
keys (``enterprises/0006``, through ``pishran.db.recompute_in_batches``).

Run on a database with the demo registry (e.g. ``seed_demo --units 60000``):

    DATABASE_URL=sqlite:////tmp/textkeys.sqlite3 PISHRAN_DEMO=1 .venv/bin/python bench/text_keys.py

Three passes, each in a transaction rolled back afterwards: every row stale (all keys
rewritten, the worst case), a tenth of the rows stale, and nothing stale (a read-only pass:
what a migration costs where the change leaves the keys alone).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from enterprises.models import Enterprise  # noqa: E402
from pishran.db import recompute_in_batches  # noqa: E402

migration = importlib.import_module("enterprises.migrations.0006_recompute_text_keys")


class Rollback(Exception):
    pass


def timed(stale_every: int | None, batch_size: int, write_batch: int) -> float:
    rows = Enterprise.objects.only("pk", "products", "capabilities", *migration.FIELDS)
    try:
        with transaction.atomic():
            if stale_every is not None:
                ids = Enterprise.objects.order_by("pk").values_list("pk", flat=True)
                stale = list(ids)[::stale_every]
                for start in range(0, len(stale), 500):
                    Enterprise.objects.filter(pk__in=stale[start : start + 500]).update(
                        sort_key="stale"
                    )
            started = time.perf_counter()
            changed = recompute_in_batches(
                rows,
                migration.compute,
                migration.FIELDS,
                batch_size=batch_size,
                write_batch=write_batch,
            )
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    print(f"  {changed} rows rewritten", end="")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--write-batch", type=int, default=200)
    args = parser.parse_args()
    rows = Enterprise.objects.count()
    print(f"{rows} enterprises on {connection.vendor}")
    for label, every in (("all stale", 1), ("1 in 10 stale", 10), ("none stale", None)):
        print(f", {label:>14}: {timed(every, args.batch_size, args.write_batch):6.1f} s")


if __name__ == "__main__":
    main()
