# Two commands for a fresh machine: `make run` and `make test`.
# Both create .venv from uv.lock first; uv itself is bootstrapped with pip when it is missing.

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
export UV_PYTHON_DOWNLOADS := never
BIN := .venv/bin

.PHONY: run test lint format bundle bench clean

run: .venv/.synced
	$(BIN)/deepdive serve --open

# A full run also measures the Bookstore API's line coverage and fails below 90 %; a narrowed
# run (PYTEST_ARGS="tests/xyz") skips the measurement.
COVERAGE_ARGS := $(if $(PYTEST_ARGS),,--cov --cov-report=term:skip-covered --cov-fail-under=90)

test: .venv/.synced
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(COVERAGE_ARGS) $(PYTEST_ARGS)

lint: .venv/.synced
	$(BIN)/ruff check .

format: .venv/.synced
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: .venv/.synced
	$(BIN)/python bench/pages.py

# Rebuilds the committed editor bundle (needs Node.js; users of the course never do).
bundle:
	cd frontend && npm ci && npm run build

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python "$$(command -v $(PYTHON))"
	@touch $@

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

clean:
	rm -rf .venv .tools
