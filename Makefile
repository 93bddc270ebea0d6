# `make demo` and `make test` (see README.md); `make lint` runs the test's first step alone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/shopsense demo --serve

test: $(STAMP)
	scripts/test.sh

lint: $(STAMP)
	scripts/lint.sh

clean:
	rm -rf $(VENV) .shopsense .pytest_cache .mypy_cache .ruff_cache
