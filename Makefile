# Two commands for a fresh machine: `make run` and `make test`.
# Both create .venv from uv.lock first; uv itself is bootstrapped with pip when it is missing.

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))

.PHONY: run test lint format bundle bench clean

run: .venv/.synced
	$(UV) run --frozen --no-sync deepdive serve --open

test: .venv/.synced
	$(UV) run --frozen --no-sync ruff check .
	$(UV) run --frozen --no-sync ruff format --check .
	$(UV) run --frozen --no-sync pytest $(PYTEST_ARGS)

lint: .venv/.synced
	$(UV) run --frozen --no-sync ruff check .

format: .venv/.synced
	$(UV) run --frozen --no-sync ruff format .
	$(UV) run --frozen --no-sync ruff check --fix .

bench: .venv/.synced
	$(UV) run --frozen --no-sync python bench/pages.py

# Rebuilds the committed editor bundle (needs Node.js; users of the course never do).
bundle:
	cd frontend && npm ci && npm run build

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

clean:
	rm -rf .venv .tools
