# Two commands: `make run` (set up and start on the embedded SQLite database) and
# `make test` (set up with the dev extras and run every check and test).
# `make run` installs only what running needs; `make test` adds the development tools. Each
# has its own stamp, renewed when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell cksum < pyproject.toml | cut -d' ' -f1)
RUN_STAMP := $(VENV)/.runtime-$(HASH)
DEV_STAMP := $(VENV)/.dev-$(HASH)
PIP    := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on

.PHONY: run test lint typecheck layers unit venv clean bench

$(BIN)/python:
	@echo "==> creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> installing csms and what it needs to run (a minute or two the first time)"
	$(PIP) -e .
	@rm -f $(VENV)/.runtime-*
	@touch $@

$(DEV_STAMP): $(RUN_STAMP)
	@echo "==> installing the development tools (pytest, ruff, mypy, import-linter)"
	$(PIP) -e '.[dev]'
	@rm -f $(VENV)/.dev-*
	@touch $@

venv: $(DEV_STAMP)

# Local development start: accepts unknown stations and id tokens (so csms-sim works at
# once) and says so loudly in its banner; so it listens on 127.0.0.1 only, unless
# CSMS_API_HOST / CSMS_OCPP_HOST say otherwise. `csms serve` alone keeps the secure defaults.
run: $(RUN_STAMP)
	@echo "==> starting csms (development mode; Ctrl-C stops it)"
	CSMS_UNKNOWN_STATIONS=$${CSMS_UNKNOWN_STATIONS:-accept} \
	CSMS_UNKNOWN_ID_TOKENS=$${CSMS_UNKNOWN_ID_TOKENS:-accept} \
	CSMS_API_HOST=$${CSMS_API_HOST:-127.0.0.1} \
	CSMS_OCPP_HOST=$${CSMS_OCPP_HOST:-127.0.0.1} $(BIN)/csms serve

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

layers: $(DEV_STAMP)
	$(BIN)/lint-imports

unit: $(DEV_STAMP)
	$(BIN)/pytest -q -n auto --dist loadscope

test: lint typecheck layers unit

bench: $(DEV_STAMP)
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
