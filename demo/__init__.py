"""The demo: synthetic data for trying Pishran, never part of a production deployment.

Installed only when the demo is configured (``PISHRAN_DEMO=1``: ``make demo`` and the test
suite set it; see ``pishran/settings.py``); without it Django knows none of its commands.

- ``registry``: the registry's parks, enterprises and their histories (``seed_demo``);
- ``clusters``: the cluster development programme (``seed_clusters``);
- ``targets``: this year's indicator targets (``seed_targets``);
- ``management/commands/demo_accounts.py``: one account per role with a known password;
- ``seeded``: what the seeders made (``models.Seeded``), so that their ``--force`` deletes
  demo data only.
"""
