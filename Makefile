# The two commands of README.md: `make run` and `make test`. Both install what they need into
# .venv first (idempotent: a stamp file records the installed requirements).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
# Offline mirror of every input, used when present (these machines have no internet).
MIRROR ?= $(firstword $(wildcard ../shared/data))
export NASMETRICS_MIRROR ?= $(if $(MIRROR),$(abspath $(MIRROR)),)

.PHONY: run test smoke lint install clean

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/snakemake --cores $(CORES) --rerun-incomplete --show-failed-logs

smoke: install
	$(BIN)/snakemake --cores $(CORES) --rerun-incomplete --configfile config/presets/smoke.yaml

lint: install
	$(BIN)/ruff check nasmetrics workflow_scripts tests benchmarks
	$(BIN)/snakefmt --check Snakefile rules
	# fail unless snakemake --lint reports a clean workflow (its findings are printed)
	$(BIN)/snakemake --lint > .lint.txt 2>&1; status=$$?; cat .lint.txt; \
	  grep -q "Congratulations, your workflow is in a good condition" .lint.txt && [ $$status -eq 0 ]

test: install lint
	$(BIN)/python -m pytest -q --durations=15

clean:
	rm -rf results logs .snakemake
