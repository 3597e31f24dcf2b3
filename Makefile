# linkokr — the two commands that matter: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The demo lives outside the tracked tree so the repo stays clean (and linkokr.yml untouched).
DEMO_HOME ?= $(CURDIR)/.demo
PYTEST_ARGS ?=

.PHONY: demo test check lint dev bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	LINKOKR_HOME=$(DEMO_HOME) $(BIN)/linkokr demo

lint: $(STAMP)
	$(BIN)/ruff check ingest serve demo orchestration tests
	$(BIN)/ruff format --check ingest serve demo orchestration tests
	$(BIN)/sqlfluff lint --processes 0 dbt_project/models dbt_project/macros

# Every test, one test file per worker on every core: a module's fixtures stay in one process.
# Files start in the order tests/conftest.py gives them (the longest first); the slowest 15 are listed.
test: lint
	PATH=$(BIN):$$PATH $(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder --durations=15 $(PYTEST_ARGS)

# The inner loop (under 2 minutes): lint and the `unit` tests (parsers, API clients against the
# emulators, config, values), no dbt build and no pipeline run.
check: lint
	PATH=$(BIN):$$PATH $(BIN)/python -m pytest -m unit -q $(PYTEST_ARGS)

# The Dagster UI on the demo data (http://127.0.0.1:3000), with the emulators serving every API
# source (port 8765); Ctrl-C stops both. DEV_ARGS="--ui-port 3001 --port 8766" if those are taken.
DEV_ARGS ?=
dev: $(STAMP)
	@test -f $(DEMO_HOME)/warehouse/linkokr.duckdb || $(MAKE) demo
	LINKOKR_HOME=$(DEMO_HOME) DAGSTER_HOME=$(DEMO_HOME)/.dagster \
	PATH=$(BIN):$$PATH $(BIN)/linkokr dev $(DEV_ARGS)

# Benchmarks print figures and ratios; they assert nothing. BENCH_ARGS="--rows 5000000" for 5M;
# BENCH_MARGINAL_ARGS="--sizes 20000,60000" for a quick look at the marginal cost per 1M rows.
BENCH_MARGINAL_ARGS ?=
bench: $(STAMP)
	PATH=$(BIN):$$PATH $(BIN)/python -m tests.bench.bench_marginal $(BENCH_MARGINAL_ARGS)
	PATH=$(BIN):$$PATH $(BIN)/python -m tests.bench.bench_ingest $(BENCH_ARGS)
	PATH=$(BIN):$$PATH $(BIN)/python -m tests.bench.bench_daily
	PATH=$(BIN):$$PATH $(BIN)/python -m tests.bench.bench_scale

docs: $(STAMP)
	@test -f $(DEMO_HOME)/warehouse/linkokr.duckdb || $(MAKE) demo
	cd dbt_project && LINKOKR_WAREHOUSE=$(DEMO_HOME)/warehouse/linkokr.duckdb \
	$(BIN)/dbt docs generate --static --profiles-dir . --target-path $(DEMO_HOME)/.linkokr/dbt/docs \
	  --log-path $(DEMO_HOME)/.linkokr/dbt/logs
	@echo "dbt docs (open as a file): $(DEMO_HOME)/.linkokr/dbt/docs/static_index.html"
	@echo "or serve them: cd $(CURDIR)/dbt_project && LINKOKR_WAREHOUSE=$(DEMO_HOME)/warehouse/linkokr.duckdb $(BIN)/dbt docs serve --profiles-dir . --target-path $(DEMO_HOME)/.linkokr/dbt/docs --log-path $(DEMO_HOME)/.linkokr/dbt/logs"

clean:
	rm -rf $(DEMO_HOME) .pytest_cache .ruff_cache
