# Liaison — one command to run, one to test. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FRONTEND := frontend
export LIAISON_DATABASE_URL ?= sqlite+aiosqlite:///var/liaison.db

.PHONY: run test install frontend lint pytest test-frontend i18n migrate demo bench-sync bench-push bench-import bench-checkin clean bench-notices bench-desk


## run: install what is missing, build the PWA, migrate, seed the demo, serve on http://127.0.0.1:8000
run: install frontend
	LIAISON_DEMO=1 $(BIN)/liaison serve

## test: every test — lint, API on SQLite and PostgreSQL, PWA unit and browser tests
test: install frontend lint pytest test-frontend

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# npm ci needs every platform's optional rollup binary in the lock; a registry serving only this platform's
# leaves them out, so fall back to npm install there.
install: $(STAMP)
	@if [ -f $(FRONTEND)/package.json ]; then \
	  if [ ! -d $(FRONTEND)/node_modules ] || [ $(FRONTEND)/package-lock.json -nt $(FRONTEND)/node_modules/.package-lock.json ]; then \
	    cd $(FRONTEND) && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund); \
	  fi; \
	fi

## frontend: build the PWA when its sources or the catalogs changed since the last build
frontend: install
	@if [ -f $(FRONTEND)/package.json ]; then \
	  if [ ! -f $(FRONTEND)/build/index.html ] || [ -n "$$(find $(FRONTEND)/src $(FRONTEND)/static locales $(FRONTEND)/package.json $(FRONTEND)/svelte.config.js $(FRONTEND)/vite.config.ts -newer $(FRONTEND)/build/index.html 2>/dev/null | head -1)" ]; then \
	    cd $(FRONTEND) && npm run build; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check backend tests migrations bench
	$(BIN)/ruff format --check backend tests migrations bench

pytest: install
	$(BIN)/pytest -q -p no:cacheprovider

test-frontend: install
	@if [ -f $(FRONTEND)/package.json ]; then cd $(FRONTEND) && npm run test:unit; fi

## i18n: extract every string, update the catalogs, compile (and the PWA's JSON)
# One catalog per backend package that has a template locales/<package>.pot (see backend/liaison/i18n/catalogs.py).
i18n: install
	@for pot in locales/*.pot; do \
	  domain=$$(basename $$pot .pot); [ -d backend/liaison/$$domain ] || continue; \
	  $(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k gettext:2 -k ngettext:2,3 -o $$pot --no-location --sort-output \
	    --omit-header backend/liaison/$$domain && \
	  $(BIN)/pybabel update -i $$pot -d locales -D $$domain --no-fuzzy-matching --ignore-obsolete && \
	  $(BIN)/pybabel compile -d locales -D $$domain --statistics || exit 1; \
	done
	@if [ -f $(FRONTEND)/package.json ]; then cd $(FRONTEND) && npm run i18n; fi

migrate: install
	$(BIN)/liaison migrate

demo: install
	$(BIN)/liaison migrate && $(BIN)/liaison demo

bench-sync: install
	$(BIN)/python -m bench.sync

bench-push: install
	$(BIN)/python -m bench.push

bench-import: install
	$(BIN)/python -m bench.roster_import

## bench-checkin: server time per arrival at the desk (verify + check in), SQLite and PostgreSQL
bench-checkin: install
	LIAISON_LOG_LEVEL=WARNING $(BIN)/python -m bench.checkin
bench-notices: install
	$(BIN)/python -m bench.notices_fanout

## bench-desk: time per arrival at the desk in the built PWA (photo scan → verified → checked in), online and offline
bench-desk: install frontend
	LIAISON_LOG_LEVEL=WARNING $(BIN)/python -m bench.desk_browser

clean:
	rm -rf $(VENV) $(FRONTEND)/node_modules $(FRONTEND)/build $(FRONTEND)/.svelte-kit var
