# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
# Everything lives in .venv; the stamp files inside it record which requirements file was
# installed, so pip runs again only when that file changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra pytest arguments: make test ARGS="-k booking -x"
ARGS ?=
# Test processes (pytest-xdist): one per CPU core by default; make test PROCESSES=0 runs the
# suite in this one process. Each process has its own test database (test_clinic_gw0, ...).
PROCESSES ?= auto

RUNTIME_STAMP := $(VENV)/.installed-requirements
# axe-core for the browser tests (package.json, package-lock.json): `npm ci` when npm is there.
# npm writes node_modules/.package-lock.json on each install (the packages' own files keep old dates).
AXE := node_modules/.package-lock.json
DEV_STAMP := $(VENV)/.installed-requirements-dev

.DEFAULT_GOAL := help
.PHONY: help run migrate seed reset-demo test lint migrations-check messages clean

help:
	@echo "make run               install, migrate, load demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make reset-demo        seed the demo again as of now (make run moves it to today by itself)"
	@echo "make test              run the whole test suite (extra pytest args: ARGS=\"-k foo\")"
	@echo "make lint              ruff check and the import contract (.importlinter)"
	@echo "make migrations-check  fail if a model change has no migration"
	@echo "make messages          extract marked strings into locale/ (de, ru) and compile them (GNU gettext)"
	@echo "make clean             remove .venv and collected static files (keeps db.sqlite3)"
	@echo "scripts/with-postgres make test   the same suite on a throwaway PostgreSQL 15"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Settings refuse to start without DJANGO_SECRET_KEY unless DJANGO_DEBUG=1, which is what
# local development wants anyway.
migrate: $(RUNTIME_STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate

# The demo lives in the present: on a later day seed_demo moves it to today (make reset-demo
# forces it). It refuses a database that holds anything but the demo.
seed: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo --address $(HOST):$(PORT)

reset-demo: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo --reset --address $(HOST):$(PORT)

run: seed
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# tests/settings.py (from pytest.ini) supplies the secret key; DATABASE_URL picks the database.
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; \
	else echo "npm not found: the browser tests will skip (they check every page with axe-core)"; fi

# --dist loadgroup: the tests marked xdist_group("name") share one process (the translation
# tests, which rewrite the catalogues for a moment).
test: $(DEV_STAMP) $(AXE)
	$(BIN)/pytest --numprocesses $(PROCESSES) --dist loadgroup $(ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The German and Russian catalogues: new strings arrive untranslated, and the test suite fails
# until they are translated (tests/test_translations.py). The compiled .mo files are committed,
# so running the app needs no gettext.
messages: $(RUNTIME_STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py update_translations

migrations-check: $(RUNTIME_STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles
