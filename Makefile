# newsdesk front door. `make demo` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-follow test reliability reliability-full lint types fix docs bench-check clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Ingest the bundled demo corpus into demo.db, print a briefing, then serve it (Ctrl-C stops).
demo: $(STAMP)
	$(BIN)/newsdesk demo --db demo.db
	$(BIN)/newsdesk serve --db demo.db

# While `make demo` serves: follow a feed served from this machine (demo/follow/feed.xml);
# its article joins the demo's Social Security story (reload /story pages to see it).
demo-follow: $(STAMP)
	test -f demo.db || $(BIN)/newsdesk demo --db demo.db
	$(BIN)/python -m http.server -b 127.0.0.1 -d demo/follow 8765 >/dev/null 2>&1 & pid=$$!; \
	sleep 1; \
	NEWSDESK_FETCH_PRIVATE_ADDRESSES=1 $(BIN)/newsdesk watch http://127.0.0.1:8765/feed.xml --once --db demo.db; \
	status=$$?; kill $$pid; exit $$status
	$(BIN)/newsdesk sources --db demo.db

# Set up and run every test.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# The reliability suite (tests/reliability: kills, crawl, bad inputs, fuzzing): quick mode in
# minutes (CI), full mode with the issue's sizes (10k articles, 50 kill points).
reliability: $(STAMP)
	NEWSDESK_RELIABILITY=quick $(BIN)/python -m pytest -q tests/reliability $(PYTEST_ARGS)

reliability-full: $(STAMP)
	NEWSDESK_RELIABILITY=full $(BIN)/python -m pytest -q tests/reliability $(PYTEST_ARGS)

# ruff (lint + format check) and mypy (strict on models, settings, registry, store, api).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

types: $(STAMP)
	$(BIN)/mypy

# Regenerate docs/settings.md, docs/cli.md and README's settings table from the code.
docs: $(STAMP)
	$(BIN)/python docs/generate.py

# Each benchmark's quick mode; fails when a figure misses its floor in benchmarks/floors.toml.
bench-check: $(STAMP)
	$(BIN)/python benchmarks/check.py

fix: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache
