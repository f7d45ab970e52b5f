"""Configure the demo for the test suite (``PISHRAN_DEMO=1``): its seeders and commands are
tested here, and the settings install the ``demo`` app only when the flag is set.

Loaded as a plugin (``-p tests.demo_flag`` in ``[tool.pytest.ini_options] addopts``)
because it must run before the settings are read: pytest-django reads them and sets
Django up before any conftest.py is imported, so a flag set in a conftest comes too late.
xdist workers are started after this, and inherit the environment. Subprocesses the tests
start inherit it too; ``tests/demo/test_settings_flag.py`` removes it to see production."""

from __future__ import annotations

import os

os.environ["PISHRAN_DEMO"] = "1"
