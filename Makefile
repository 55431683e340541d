# Pomoc: one command per job. `make run` and `make test` work on a fresh machine with Python 3.11
# and Node.js; everything else they need is installed into .venv and node_modules.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.pomoc-installed
ASSETS_STAMP := node_modules/.pomoc-installed

# HOST is taken from the command line (make run HOST=0.0.0.0) or POMOC_HOST, never from a stray
# HOST in the environment (some shells set it to the machine's name).
HOST := $(or $(POMOC_HOST),127.0.0.1)
PORT ?= 8000
DEMO ?=
DEMO_TICKETS ?=
DEMO_PASSWORD ?=
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
BENCH_ARGS ?=
LANGUAGES := cs pl et
# Sources that are not ours, and test-only strings, stay out of the translation catalogues.
MESSAGES_IGNORE := --ignore '*/tests/*' --ignore 'static/vendor/*' --ignore '*/testing/*'

.PHONY: help venv assets run test test-fast lint bench bench-quick bench-pages bench-mail bench-sla messages clean distclean

help:
	@echo "make run          start Pomoc on http://$(HOST):$(PORT)/ (DEMO=1 adds demo data)"
	@echo "make test         ruff, migration check and the whole test suite (PYTEST_ARGS=... for more)"
	@echo "make test-fast    the same without the slow and browser tests (for the day; make test before you stop)"
	@echo "make lint         ruff check"
	@echo "make bench        the benchmark suite at 1M tickets, beside ceilings and django-helpdesk (bench-quick: 5k)"
	@echo "make bench-pages  pages, API and search only (BENCH_ARGS=--quick|--tickets N)"
	@echo "make bench-mail   e-mail ingestion benchmark, SQLite and PostgreSQL (BENCH_ARGS=--quick)"
	@echo "make bench-sla    the SLA sweep over 100k open tickets beside a plain SQL scan (BENCH_ARGS=--quick)"
	@echo "make messages     update and compile translation catalogues ($(LANGUAGES))"
	@echo "make clean        remove caches and build files (distclean: also .venv and node_modules)"

# --- environments -----------------------------------------------------------------------------
venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --quiet -e '.[test]'
	@touch $@

assets: $(ASSETS_STAMP)

$(ASSETS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# --- running ----------------------------------------------------------------------------------
# The URL `pomoc init` prints; set POMOC_BASE_URL yourself when HOST is not a name browsers reach.
run: export POMOC_BASE_URL ?= http://$(HOST):$(PORT)
# init's sign-in notice (a new administrator's password) is shown last, under the demo's summary and
# the server's and worker's start-up lines: serve prints it once they are up. It stays in memory.
run: venv assets
	@notice="$$($(BIN)/pomoc init)" || exit 1; \
	$(if $(filter 1 yes true,$(DEMO)),$(BIN)/pomoc demo $(if $(DEMO_TICKETS),--tickets $(DEMO_TICKETS)) $(if $(DEMO_PASSWORD),--password '$(DEMO_PASSWORD)') || exit 1;) \
	POMOC_SIGN_IN_NOTICE="$$notice" exec $(BIN)/pomoc serve --host $(HOST) --port $(PORT)

# --- checks -----------------------------------------------------------------------------------
test: venv assets
	$(BIN)/ruff check .
	$(BIN)/pomoc makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test-fast: venv assets
	$(BIN)/ruff check .
	$(BIN)/pomoc makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal -m 'not slow and not browser' $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

# Benchmarks fill databases of their own (never the one you work in): BENCH_DATABASE_URL (PostgreSQL),
# plus BENCH_DATABASE_URL_peer for django-helpdesk and the mail benchmark's own. The suite creates them.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pomoc_bench
export BENCH_DATABASE_URL

bench: venv assets
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

bench-quick: venv assets
	$(BIN)/python benchmarks/run.py --quick $(BENCH_ARGS)

bench-pages: venv assets
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/inbox.py $(BENCH_ARGS)

bench-mail: venv
	$(BIN)/python benchmarks/mail_ingest.py $(BENCH_ARGS)

bench-search: venv
	$(BIN)/python benchmarks/portal_search.py $(BENCH_ARGS)

bench-sla: venv
	DATABASE_URL=$(BENCH_DATABASE_URL)_sla $(BIN)/python benchmarks/sla_sweep.py $(BENCH_ARGS)

# --- translations -----------------------------------------------------------------------------
messages: venv
	cd pomoc && ../$(BIN)/pomoc makemessages $(addprefix -l ,$(LANGUAGES)) --no-obsolete --add-location file $(MESSAGES_IGNORE)
	cd pomoc && ../$(BIN)/pomoc makemessages -d djangojs $(addprefix -l ,$(LANGUAGES)) --no-obsolete --add-location file $(MESSAGES_IGNORE)
	cd pomoc && ../$(BIN)/pomoc compilemessages $(addprefix -l ,$(LANGUAGES))

# --- tidying (never touches the data directory) -------------------------------------------------
clean:
	find . -path ./$(VENV) -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf .ruff_cache .pytest_cache build staticfiles *.egg-info

distclean: clean
	rm -rf $(VENV) node_modules
