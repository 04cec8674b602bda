# yongxi-learn tasks. Everything runs from .venv; `make run` and `make test` create it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app yongxi_learn
PYTEST := $(BIN)/pytest -p no:cacheprovider
# The browser tier: the flows, and the accessibility audit (a live-tier world, in Chromium).
E2E := tests/e2e tests/live/test_accessibility_live.py
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

.PHONY: run test test-sqlite test-pg test-e2e lint bench

# Beside the server, the sweeper finalizes attempts left open past their deadline once a
# minute (pages only count them as finalized; docs/deploy.md schedules it in
# production). A background job of this shell, killed when gunicorn exits: a background
# job of a non-interactive shell ignores Ctrl-C.
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	( while sleep 60; do $(FLASK) exams finalize-overdue >/dev/null; done ) & \
	trap "kill $$! 2>/dev/null" EXIT INT TERM; \
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The whole suite on SQLite and on a throwaway PostgreSQL side by side (each keeps
# one core busy; their logs are printed whole as each finishes); the browser tier
# (tests/e2e, and the accessibility audit of every page the demo logins reach: once, on
# SQLite) takes the core the SQLite run frees, while PostgreSQL's run goes on.
test: $(VENV)/.installed-dev
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-pg test-e2e

test-sqlite: $(VENV)/.installed-dev
	$(PYTEST) -m "not e2e"

test-pg: $(VENV)/.installed-dev
	$(BIN)/python tests/pgserver.py -- $(PYTEST) -m "not e2e"

test-e2e: $(VENV)/.installed-dev
	@if [ -x "$(CHROMIUM)" ]; then \
		echo '$(PYTEST) -m e2e $(E2E)'; $(PYTEST) -m e2e $(E2E); \
	elif [ "$$CI" = true ]; then \
		echo "*** Chromium not found at $(CHROMIUM): browser tests cannot run in CI ***" >&2; \
		exit 1; \
	else \
		echo; echo "*** Chromium not found: browser tests SKIPPED ***"; echo; \
	fi

# Style, and the dependency contracts of pyproject.toml ([tool.importlinter]).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Not run by CI: a benchmark on this machine (~20-25 min), figures in bench/last.json.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when pyproject.toml changes. The dev install
# covers the plain one, so it refreshes both stamps.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@
