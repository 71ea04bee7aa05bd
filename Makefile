# bustrack: `make run` installs everything and starts the server; `make test` installs
# everything (Python packages, Leaflet from npm, Debian's chromium) and runs the suite.
# Both are idempotent: steps whose inputs did not change are skipped.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMPS := .make
ARGS   ?=
LINTED := bustrack tests scripts $(wildcard bench)
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint typecheck pytest install install-test frontend browser services clean settings-table bench lock

run: install frontend
	$(BIN)/python -m bustrack.web $(ARGS)

test: install-test frontend browser services
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -m "not serial" $(ARGS) || [ $$? -eq 5 ]  # 5: ARGS chose none of them
	$(BIN)/python -m pytest -m serial $(ARGS) || [ $$? -eq 5 ]

lint: install-test
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(STAMPS)/install
$(STAMPS)/install: setup.cfg pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	@mkdir -p $(STAMPS) && touch $@

install-test: $(STAMPS)/install-test
$(STAMPS)/install-test: setup.cfg pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@ $(STAMPS)/install

# requirements.lock pins every Python package (as package-lock.json pins the npm ones), so a
# fresh clone installs what was tested, not whatever was released since. `make lock` resolves
# setup.cfg again in a scratch venv and rewrites it; review the diff, then run `make test`.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[test]'
	{ sed -n '1,3p' requirements.lock; .lock-venv/bin/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

# Leaflet (and any other JS library) comes from npm, pinned by the lock file.
frontend: frontend/node_modules/.package-lock.json
frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	npm ci --prefix frontend --no-audit --no-fund

# The browser tests drive Debian's chromium through Playwright (Playwright cannot
# download its own browsers here), with a Devanagari font (Lohit, 80 KB) so that the page
# in Marathi and Hindi is measured and screenshotted as phones show it, not as boxes.
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/truetype/lohit-devanagari ]; } || { \
		echo "installing Debian's chromium and fonts-lohit-deva for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-lohit-deva; }

# The store's tests start their own PostgreSQL server (tests/services.py, on a free port;
# Debian's cluster on 5432, if the package starts one, is not used) and the broker's
# tests their own redis-server: Debian's packages give the binaries.
services:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1 || { \
		echo "installing Debian's postgresql and redis-server for the store and broker tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql redis-server; }

settings-table: install
	$(BIN)/python -m bustrack.settings

# Load time and peak memory of growing synthetic feeds next to the Mumbai feed's (a few minutes).
bench: install
	$(BIN)/python -m bench.load_feed $(ARGS)

clean:
	rm -rf $(VENV) $(STAMPS) frontend/node_modules .mypy_cache .ruff_cache .pytest_cache
