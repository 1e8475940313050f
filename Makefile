# Two commands: `make run` (set up and start on the embedded SQLite database) and
# `make test` (set up with the dev extras and run every check and test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck layers unit venv clean bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

# Local development start: accepts unknown stations and id tokens (so csms-sim works at
# once) and says so loudly in its banner. `csms serve` alone keeps the secure defaults.
run: $(STAMP)
	CSMS_UNKNOWN_STATIONS=$${CSMS_UNKNOWN_STATIONS:-accept} \
	CSMS_UNKNOWN_ID_TOKENS=$${CSMS_UNKNOWN_ID_TOKENS:-accept} $(BIN)/csms serve

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck layers unit

bench: $(STAMP)
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
