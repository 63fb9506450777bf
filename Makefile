# wwc-analysis: every target documents itself with a '## ' comment; `make` alone prints them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test
# Report year: empty means the latest announcement year with a round (wwc report decides).
YEAR ?=
PYTEST_ARGS ?=

.PHONY: help venv report test test-fast nbval lint strip simulate benchmark clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (wwc-analysis)" >/dev/null
	@touch $@

venv: $(STAMP) ## Create .venv and install the project with its test extra

report: $(STAMP) ## Build the annual report into reports/YEAR/ (YEAR=YYYY, default: latest year with a round)
	$(BIN)/wwc report $(if $(YEAR),--year $(YEAR))

test: $(STAMP) ## Run the whole test suite (unit, property, bad-input, notebooks with nbval)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) ## Run the tests without the notebook runs
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(STAMP) ## Lint the package and tests with ruff (installs ruff into .venv)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check ruff
	$(BIN)/ruff check wwc_analysis tests benchmarks

strip: $(STAMP) ## Strip notebook outputs (keeps counts and the nbval-checked outputs)
	$(BIN)/nbstripout --keep-count notebooks/*.ipynb

simulate: $(STAMP) ## Regenerate data/simulated/ (seeded: same bytes every time)
	$(BIN)/wwc simulate --out data/simulated

benchmark: $(STAMP) ## Run the benchmark scripts in benchmarks/ and print their figures
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean: ## Remove the virtual environment, caches and generated reports
	rm -rf $(VENV) reports build *.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
