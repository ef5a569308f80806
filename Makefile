# Set-up is automatic: `make run` and `make test` create .venv and install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test bench lint clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null || (apt-get update && apt-get install -y python3 python3-venv)
	@$(PY) -c "import venv, ensurepip" 2>/dev/null || (apt-get update && apt-get install -y python3-venv)
	@fc-list :lang=zh 2>/dev/null | grep -q . || (apt-get update && apt-get install -y fonts-noto-cjk)
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update && apt-get install -y postgresql)
	@command -v java >/dev/null || (apt-get update && apt-get install -y default-jre-headless)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/yigai demo

test: lint
	$(BIN)/python -m pytest -q

# ruff (lint and formatting) and mypy, configured in pyproject.toml; a few seconds, mypy's cache in .mypy_cache
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/parse.py
	$(BIN)/python benchmarks/cli_start.py
	$(BIN)/python benchmarks/corpus.py
	$(BIN)/python benchmarks/evaluation.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/payment.py
	$(BIN)/python benchmarks/analytics.py
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) var build *.egg-info .mypy_cache .ruff_cache
