# Set-up is automatic: every target installs what it needs into .venv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: dev test unit lint format run clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dev: $(STAMP) ## create .venv with runtime and dev dependencies

test: $(STAMP) ## every test: unit, property-based, integration (moto, the real state machine)
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest tests/unit

lint: $(STAMP) ## ruff (lint + format check), mypy, cfn-lint on template.yaml
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@# each function is its own "app" module, so each is checked on its own
	@for f in functions/*/app.py; do $(BIN)/mypy --no-error-summary $$f || exit 1; done
	$(BIN)/cfn-lint template.yaml

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

run: $(STAMP) ## the local stack (arrives with issue 4)
	@echo "The local stack is not built yet (issue 4): 'make run' will serve the API on 127.0.0.1." >&2
	@exit 2

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .aws-sam
