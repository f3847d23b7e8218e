# Two entry points for a fresh machine with Python 3.11: `make run` and `make test`.
# Both create the virtual environment and install the pinned dependencies (constraints.txt) themselves.
# Python 3.11 by its versioned name, else a plain python3 that is 3.11 (checked before the venv is made).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REPORT_DIR ?= report
# Test workers (pytest-xdist): one per core, at most 4 (each worker holds its own copy of the bundled store).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)

.PHONY: run test lint typecheck pytest bench lock clean

# pip and setuptools come from the lock too; --build-constraint pins the build backend (setuptools) that pip
# installs in its isolated build environment to the same lock (plain -c does not reach that environment).
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
	  || { echo "marketpower needs Python 3.11: set PYTHON=/path/to/python3.11 (found $(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==$$(grep '^pip==' constraints.txt | cut -d= -f3)"
	$(BIN)/python -m pip install --quiet -c constraints.txt --upgrade setuptools
	$(BIN)/python -m pip install --quiet -c constraints.txt --build-constraint constraints.txt -e '.[dev,pdf,spark]'
	touch $(STAMP)

## Build the AI market-power report from the bundled data, then serve the dashboard on http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/marketpower report --out $(REPORT_DIR)
	$(BIN)/marketpower serve --host 127.0.0.1 --port 8000

## Lint, type-check and run the whole test suite
test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src

pytest: $(STAMP)
	bash scripts/ensure-test-deps.sh
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

## Benchmarks (each prints its time, its baseline's time in the same run and the ratio)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt --build-constraint constraints.txt -e '.[bench]'
	for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## Re-pin every dependency after changing pyproject.toml
lock:
	rm -rf /tmp/mp-lock && $(PYTHON) -m venv /tmp/mp-lock
	/tmp/mp-lock/bin/pip install --quiet --upgrade pip setuptools && /tmp/mp-lock/bin/pip install --quiet -e '.[dev,pdf,spark]'
	(/tmp/mp-lock/bin/pip freeze --exclude-editable --all | grep -v '^marketpower' | sort) > constraints.txt

clean:
	rm -rf $(VENV) $(REPORT_DIR) .pytest_cache .mypy_cache .ruff_cache
