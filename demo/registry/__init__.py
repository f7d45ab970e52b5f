"""Synthetic demo data for the registry: ``generator`` (the one source of rows), ``words``
(Persian word lists), ``writers`` (PostgreSQL COPY / executemany), ``build`` (the database
side of ``manage.py seed_demo``) and ``checks`` (invariants and shares)."""
