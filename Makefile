# The two commands: `make run` (set up and start the bot on the embedded data) and
# `make test` (set up, then lint, type-check and run every test).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM := .cache/npm/node_modules/@microsoft
ASSETS := .cache/schemas/adaptive-card-1.5.json $(NPM)/app-manifest/package.json \
	$(NPM)/m365agentsplayground/package.json

.PHONY: run test setup lint typecheck pytest package playground tab bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(PY) -m bot serve

$(ASSETS): tests/fetch_assets.py | $(STAMP)
	$(PY) tests/fetch_assets.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

pytest: $(STAMP) $(ASSETS)
	$(PY) -m pytest

test: lint typecheck pytest

package: $(STAMP)
	$(PY) -m manifest build

# The bot (development mode, its own SQLite in data/playground/) and Microsoft 365 Agents
# Playground pointed at it; prints the URL to open. Ctrl+C stops both.
playground: $(STAMP) $(ASSETS)
	$(PY) -m bot.playground

# The Teams tab's pages on this machine (development mode, its own SQLite in data/tab/, the
# development user picker); prints each page's address. Ctrl+C stops.
tab: $(STAMP)
	$(PY) -m bot.tab

bench: $(STAMP)
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
