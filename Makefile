# hedgerow — the commands that do everything on a fresh machine:
#   make install   .venv with hedgerow (then `source .venv/bin/activate` puts `hedgerow` on PATH)
#   make demo      build the demo workspace and run the main job on it
#   make test      lint, type-check and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-workspace
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PG_DIR := $(CURDIR)/.pg-test

.PHONY: install demo test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/hedgerow demo $(DEMO_DIR) --force

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/lint-imports

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

# With HEDGEROW_TEST_PG_URL set (.ci/run, a shared server), pytest uses it. Without, make starts a private
# PostgreSQL for this checkout (folder $(PG_DIR), a free port) and stops it when pytest ends, whatever the result.
pytest: $(TEST_STAMP)
	@if [ -n "$${HEDGEROW_TEST_PG_URL:-}" ]; then \
	  $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS); \
	else \
	  export HEDGEROW_PG_DIR="$(PG_DIR)"; \
	  export HEDGEROW_PG_PORT="$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"; \
	  trap 'scripts/pg-test-server stop' EXIT; \
	  HEDGEROW_TEST_PG_URL="$$(scripts/pg-test-server start)" $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS); \
	fi

test: lint typecheck pytest

bench: $(TEST_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DEMO_DIR) $(PG_DIR) .pytest_cache .mypy_cache .ruff_cache
