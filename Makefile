# Chorus: `make run` serves the app on SQLite; `make test` runs every test (SQLite and PostgreSQL).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
INSTALL_STAMP := $(VENV)/.installed

.PHONY: install run worker test lint bench browser-deps clean

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(INSTALL_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(INSTALL_STAMP)

install: $(INSTALL_STAMP)

run: install
	@mkdir -p var
	$(PY) -m app migrate
	$(PY) -m app demo-data --if-empty
	@scripts/run-app "$(PY)" "$(HOST)" "$(PORT)"

worker: install
	$(PY) -m app worker

browser-deps:
	@scripts/ensure-browser

test: install browser-deps
	$(PY) -m ruff check .
	scripts/security-checks $(PY)
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	scripts/security-checks $(PY)

bench: install
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) -m bench all

clean:
	rm -rf var .pytest_cache
