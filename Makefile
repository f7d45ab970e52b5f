# Pishran — the two commands a new machine needs:
#   make demo   set up and serve the embedded demo (SQLite under var/, demo data, demo accounts)
#   make test   install and run the whole suite (SQLite; PostgreSQL when DATABASE_URL is set)
PORT ?= 8000
UNITS ?= 60000
SEED ?= 1404
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: auto (one per CPU), a number, or 0 to run serially.
JOBS ?= auto

.PHONY: demo serve test install install-dev install-bench lint typecheck messages bench clean-demo

$(VENV)/.created:
	@PYTHON_BIN=$$(scripts/find-python.sh) && "$$PYTHON_BIN" -m venv $(VENV)
	@$(PIP) install --quiet --upgrade pip
	@touch $@

# Runtime dependencies, pinned (pyproject.toml) with every transitive version locked.
$(VENV)/.installed: $(VENV)/.created pyproject.toml requirements.lock
	$(PIP) install --quiet -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml requirements.lock
	$(PIP) install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Load tests only (locust): bench/README.md
install-bench: $(VENV)/.installed
	$(PIP) install --quiet -c requirements.lock -e ".[bench]"

# The demo app (seed_demo, seed_clusters, seed_clinics, demo_accounts, seed_targets) exists only when the
# demo is configured: every manage.py call below, the server too, runs with PISHRAN_DEMO=1.
DEMO_PY := PISHRAN_DEMO=1 $(PY)
demo: install
	@mkdir -p var
	$(DEMO_PY) manage.py migrate --noinput -v0
	$(DEMO_PY) manage.py load_reference
	$(DEMO_PY) manage.py seed_demo --units $(UNITS) --seed $(SEED) --until "$$($(PY) -c 'from persian.jalali import today, format_date; print(format_date(today(), persian_digits=False))')"
	$(DEMO_PY) manage.py seed_clusters --seed $(SEED) --until "$$($(PY) -c 'from persian.jalali import today, format_date; print(format_date(today(), persian_digits=False))')"
	$(DEMO_PY) manage.py seed_clinics --seed $(SEED) --until "$$($(PY) -c 'from persian.jalali import today, format_date; print(format_date(today(), persian_digits=False))')"
	$(DEMO_PY) manage.py seed_finance --seed $(SEED) --until "$$($(PY) -c 'from persian.jalali import today, format_date; print(format_date(today(), persian_digits=False))')"
	$(DEMO_PY) manage.py seed_consortia --seed $(SEED) --until "$$($(PY) -c 'from persian.jalali import today, format_date; print(format_date(today(), persian_digits=False))')"
	$(DEMO_PY) manage.py demo_accounts
	$(DEMO_PY) manage.py rebuild_facts
	$(DEMO_PY) manage.py seed_targets --past 2
	@echo "Pishran is starting on http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	$(DEMO_PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

# chromium, gettext and the PostgreSQL client: installed when root, else named (and stop).
.PHONY: system-packages
system-packages:
	@scripts/system-packages.sh

test: system-packages install-dev
	$(PY) -m pytest -n $(JOBS) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy  # the whole project; excludes in pyproject.toml [tool.mypy]
	$(VENV)/bin/lint-imports  # layers, no import circles: pyproject.toml [tool.importlinter]

typecheck: install-dev
	$(VENV)/bin/mypy

messages: install-dev
	$(PY) manage.py makemessages -l fa --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=static/vendor --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages -l fa --ignore=.venv

clean-demo:
	rm -rf var
