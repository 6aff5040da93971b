# calfcare: `make run` and `make test` set up everything they need on a fresh Debian machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint format typecheck kb-check unit browser bench clean browser-deps docs
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# `make run PORT=8080` serves on another port; HOST likewise (127.0.0.1 keeps it on this machine).
HOST ?= 127.0.0.1
PORT ?= 8000

run: $(STAMP)
	$(BIN)/calfcare serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

# Rewrite the code in the house style (CI checks it with `make lint`).
format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src/calfcare

kb-check: $(STAMP)
	$(BIN)/calfcare kb check

# Debian's Chromium for the browser tests (never a browser download), and axe-core from npm.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@command -v npm >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }
	@[ -f tests/browser/node_modules/axe-core/axe.min.js ] || \
	  npm install --no-audit --no-fund --silent --prefix tests/browser

# Every test that needs no browser, with line and branch coverage; the floor is in pyproject.toml.
# The bulk runs on every core; the few marked slow (servers in their own processes) run after,
# alone, adding to the same coverage data, and the floor is checked on the whole.
unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser and not slow" -n auto --cov --cov-report= --cov-fail-under=0
	$(BIN)/python -m pytest -q -m "slow" --cov --cov-append --cov-report=
	@echo "Line and branch coverage: $$($(BIN)/coverage report --format=total)%"

# The tests that drive a real Chromium; the browser is installed first when missing.
browser: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q -m browser

# The fast loop: lint, types, the knowledge base and the tests without the browser, on every
# core, leaving out the few marked slow (servers in their own processes), which `make test` runs.
check: lint typecheck kb-check
	$(BIN)/python -m pytest -q -m "not browser and not slow" -n auto

# The full suite, as CI runs it.
test: lint typecheck kb-check unit browser

# Rewrite the generated blocks of the docs (counts, thresholds, vignette figures).
docs: $(STAMP)
	$(BIN)/python -m tests.test_docs

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
