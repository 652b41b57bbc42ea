# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint format install install-test chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the project definition changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres,test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: install, migrate the SQLite database in instance/, load the demo, serve on :5000
run: install
	$(BIN)/careobs db upgrade
	$(BIN)/careobs demo
	$(BIN)/careobs run --host 127.0.0.1 --port 5000

## The browser tests drive Debian's Chromium; install it when it is missing (needs root).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Chromium for the browser tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make test: lint, then the whole suite (set CAREOBS_TEST_DATABASE_URL for PostgreSQL)
test: install-test chromium lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
