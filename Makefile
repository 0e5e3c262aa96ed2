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

.PHONY: install lock run worker test lint bench browser-deps deploy-deps translations clean

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# torch first, on its own (a CPU build; see README "Dependencies"), then everything else exactly as
# locked, with hashes; the project itself last, without touching the locked set.
$(INSTALL_STAMP): pyproject.toml requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $(INSTALL_STAMP)

install: $(INSTALL_STAMP)

# Re-pin requirements/{web,worker,dev}.txt from pyproject.toml (UPGRADE=1 to take newer releases).
lock:
	scripts/lock

run: install
	@mkdir -p var
	$(PY) -m app migrate
	$(PY) -m app demo-data --if-empty
	@scripts/run-app "$(PY)" "$(HOST)" "$(PORT)"

worker: install
	$(PY) -m app worker

browser-deps:
	@scripts/ensure-browser

deploy-deps:
	@scripts/ensure-compose

test: install browser-deps deploy-deps
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	scripts/security-checks $(PY)
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	scripts/security-checks $(PY)

bench: install
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) -m bench all

# After changing strings people read: add new msgids to the Welsh catalogue (translations kept),
# then `python -m tests.i18n_audit` lists what still needs Welsh (decision 0107).
translations: install
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output -o var/messages.pot app
	$(VENV)/bin/pybabel update -i var/messages.pot -d app/locale -l cy --no-fuzzy-matching --width 100

clean:
	rm -rf var .pytest_cache
