# calfcare: `make run` and `make test` set up everything they need on a fresh Debian machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck kb-check unit bench clean browser-deps docs
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/calfcare serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

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

unit: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q

test: lint typecheck kb-check unit

# Rewrite the generated blocks of the docs (counts, thresholds, vignette figures).
docs: $(STAMP)
	$(BIN)/python -m tests.test_docs

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
