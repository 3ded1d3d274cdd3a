# gdprkit — every target creates .venv itself: a fresh machine needs only Python >= 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
FUZZ_RUNS ?= 200000
FUZZ_FLAGS ?=

.PHONY: demo test lint coverage docs dist bench bench-frames bench-presidio bench-sweep bench-ledger bench-smoke fuzz clean

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gdprkit needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"  # 25.1: pip install --group (PEP 735)

$(VENV)/.core: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[sql]"
	@touch $@

# The project's own tools are PEP 735 dependency groups of pyproject.toml (test, lint, docs,
# release, fuzz), never extras users install.
$(VENV)/.test: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[sql]" --group test
	@touch $@ $(VENV)/.core

$(VENV)/.lint: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[sql]" --group lint
	@touch $@ $(VENV)/.test $(VENV)/.core

$(VENV)/.docs: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[sql]" --group docs
	@touch $@ $(VENV)/.core

$(VENV)/.release: $(PY) pyproject.toml
	$(PY) -m pip install --quiet --group release
	@touch $@

demo: $(VENV)/.core
	cd examples/crm && ../../$(PY) demo.py
	cd examples/crm && ../../$(PY) sweep_demo.py

# `make test COVERAGE=1` (= `make coverage`, what CI runs): the same suite under coverage.py,
# started before pytest so that the modules the gdprkit pytest plugin imports early count too;
# the report fails below the floor, [tool.coverage.report] fail_under in pyproject.toml.
test: $(VENV)/.test
ifdef COVERAGE
	$(PY) -m coverage erase
	$(PY) -m coverage run -m pytest
	$(PY) -m coverage combine --quiet
	$(PY) -m coverage report
else
	$(PY) -m pytest
endif

# The suite under coverage.py (branch coverage of src/gdprkit), with the floor CI enforces
coverage:
	$(MAKE) test COVERAGE=1

# The documentation site (mkdocs, material theme) into site/; --strict: a warning fails the build
docs: $(VENV)/.docs
	$(BIN)/mkdocs build --strict

# sdist and wheel built and checked (twine), the wheel installed in a clean venv with core
# dependencies only: import time and the tutorial
dist: $(VENV)/.release
	.ci/wheel $(PY)

lint: $(VENV)/.lint
	$(BIN)/ruff check src tests examples benchmarks fuzz docs/_gen
	$(BIN)/ruff format --check src tests examples benchmarks fuzz docs/_gen
	$(BIN)/mypy

bench: $(VENV)/.core
	$(PY) benchmarks/bench_enforce.py --records 1000000

# The DataFrame engines against the row path, same run (pandas, polars, pyarrow: the test extra)
bench-frames: $(VENV)/.test
	$(PY) benchmarks/bench_frames.py --records 1000000

# gdprkit against Microsoft Presidio (presidio-structured, AnonymizerEngine), same records, same run.
# Presidio lives only in its own venv, .venv-bench (benchmarks/requirements-presidio.txt), never in
# .venv or pyproject.toml; not part of make test or CI.
BENCH_VENV := .venv-bench

$(BENCH_VENV)/.presidio: benchmarks/requirements-presidio.txt pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gdprkit needs Python >= 3.11")'
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -r benchmarks/requirements-presidio.txt -e ".[polars,pandas,arrow]"
	@touch $@

bench-presidio: $(BENCH_VENV)/.presidio
	$(BENCH_VENV)/bin/python benchmarks/bench_presidio.py --records 1000000

bench-sweep: $(VENV)/.core
	$(PY) benchmarks/bench_sweep.py --rows 1000000

bench-ledger: $(VENV)/.core
	$(PY) benchmarks/bench_ledger.py --records 1000000

bench-smoke: $(VENV)/.core
	$(PY) benchmarks/bench_enforce.py --records 20000 --memory-check 0

# Coverage-guided fuzzing of load_policy, validate, decide, the CLI readers and sweep_table (atheris). CI runs a short,
# seeded run: make fuzz FUZZ_RUNS=3000 FUZZ_FLAGS=-seed=1
fuzz: $(VENV)/.test
	$(PY) -m pip install --quiet --group fuzz
	mkdir -p .fuzz/corpus
	$(PY) fuzz/fuzz_gdprkit.py .fuzz/corpus fuzz/corpus -runs=$(FUZZ_RUNS) -max_len=4096 \
		-timeout=20 -rss_limit_mb=3072 -artifact_prefix=.fuzz/ $(FUZZ_FLAGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis site .coverage htmlcov
