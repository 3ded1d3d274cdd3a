# gdprkit — every target creates .venv itself: a fresh machine needs only Python >= 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.PHONY: demo test lint bench bench-sweep bench-ledger bench-smoke clean

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gdprkit needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.core: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[sql]"
	@touch $@

$(VENV)/.test: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.core

demo: $(VENV)/.core
	cd examples/crm && ../../$(PY) demo.py
	cd examples/crm && ../../$(PY) sweep_demo.py

test: $(VENV)/.test
	$(PY) -m pytest

lint: $(VENV)/.test
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src tests examples benchmarks
	$(BIN)/mypy

bench: $(VENV)/.core
	$(PY) benchmarks/bench_enforce.py --records 1000000

bench-sweep: $(VENV)/.core
	$(PY) benchmarks/bench_sweep.py --rows 1000000

bench-ledger: $(VENV)/.core
	$(PY) benchmarks/bench_ledger.py --records 1000000

bench-smoke: $(VENV)/.core
	$(PY) benchmarks/bench_enforce.py --records 20000 --memory-check 0

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
