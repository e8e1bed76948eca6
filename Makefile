# Two commands: `make demo` and `make test`. Each creates or refreshes .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Re-install whenever pyproject.toml changes.
STAMP_CORE := $(VENV)/.stamp-core
STAMP_ALL := $(VENV)/.stamp-all

.PHONY: demo test lint typecheck test-sqlite test-postgres bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_CORE): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP_ALL): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,airflow,bench]"
	touch $@ $(STAMP_CORE)

demo: $(STAMP_CORE)
	$(BIN)/hub demo $(DEMO_ARGS)

lint: $(STAMP_ALL)
	$(BIN)/ruff check hub adapters standards simulators dags tests benchmarks
	$(BIN)/ruff format --check hub adapters standards simulators dags tests benchmarks

typecheck: $(STAMP_ALL)
	$(BIN)/mypy

# The suite: lint and types, then every tier; store and pipeline tests run on SQLite and on
# PostgreSQL (HUB_TEST_POSTGRES_URL), the rest once. Tier time budgets live in tests/conftest.py.
HUB_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export HUB_TEST_POSTGRES_URL

test: lint typecheck
	$(BIN)/pytest -p no:cacheprovider --timeout=600

bench: $(STAMP_ALL)
	$(PY) benchmarks/ingest.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
