# Two commands set up a fresh machine:
#   make serve   the vault on embedded defaults (SQLite, local encrypted blobs, no services)
#   make test    lint, type checks and the whole test suite (starts PostgreSQL and Redis if down)

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: setup serve test lint typecheck pytest services bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

serve: setup
	$(BIN)/vault serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy .

services:
	scripts/services.sh
	scripts/system-deps.sh

pytest: setup services
	$(BIN)/pytest

test: lint typecheck pytest

bench: setup
	$(BIN)/python bench/bench_storage.py
	$(BIN)/python bench/bench_upload.py
	$(BIN)/python bench/bench_transcribe.py
	$(BIN)/python bench/bench_redaction.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_export.py
	$(BIN)/python bench/redaction_challenge.py --out .bench/redaction-challenge.jsonl
	$(BIN)/vault eval redaction .bench/redaction-challenge.jsonl

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
