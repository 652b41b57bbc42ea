# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium

.PHONY: run test test-clock lint format install install-test chromium clean

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

## make test: lint, then the whole suite (set CAREOBS_TEST_DATABASE_URL for PostgreSQL), in one
## worker per core (TEST_WORKERS=1 for one process); each test file runs whole in one worker, and
## each worker has its own database (tests/support/database.py).
TEST_WORKERS ?= auto
test: install-test chromium lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

## make test-clock DATE="2027-03-28 00:30": the suite with the clock moved (not part of `make test`).
## DATE is UTC unless it names its zone ("2027-07-15 23:30 +0100", 'TZ="Europe/London" 2027-07-15
## 23:30'); the clock then runs on from there. libfaketime moves it for every process the suite
## starts, Chromium included, so the app's and the browser's "today" agree. ARGS go to pytest.
test-clock: install-test chromium
	@command -v faketime >/dev/null || { \
		echo "faketime is missing: apt-get install faketime"; exit 2; }
	@test -n "$(DATE)" || { echo 'usage: make test-clock DATE="2027-03-28 00:30" [ARGS=...]'; exit 2; }
	@at=$$(date -u -d '$(DATE)' +%s) || exit 2; \
	offset=$$(( at - $$(date -u +%s) )); \
	case $$offset in -*) ;; *) offset=+$$offset ;; esac; \
	echo "Clock moved to $$(date -u -d @$$at '+%F %T UTC') ($$(TZ=Europe/London date -d @$$at \
		'+%F %T %Z') in London), offset $${offset}s"; \
	faketime -f "$${offset}s" $(BIN)/pytest -p no:cacheprovider $(ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
