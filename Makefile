# The two commands a newcomer needs:
#   make serve   set everything up (first time) and start the demo hall on SQLite
#   make test    set everything up (first time) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,redis,cluster]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/tongban serve

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Two processes (pytest-xdist): the suite is I/O- and browser-bound, and this keeps it
# well under ten minutes on a two-core machine; pytest-cov gathers both processes' coverage.
pytest: $(STAMP)
	$(BIN)/coverage erase
	$(BIN)/pytest -n 2 --cov --cov-report= $(PYTEST_ARGS)
	$(BIN)/coverage report --include='queueing/*' --fail-under=95
	$(BIN)/coverage report

test: lint typecheck pytest

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .coverage
