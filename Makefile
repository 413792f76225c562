# Two commands matter: `make demo` and `make test`. Both create the virtual environment first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: venv demo test lint bench constraints clean

venv: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m orchestration.dbt_manifest
	@touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/almaty demo

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(INSTALLED) lint
	$(BIN)/python -m pytest

bench: $(INSTALLED)
	$(BIN)/almaty bench generate
	$(BIN)/almaty bench ingest
	$(BIN)/almaty bench ingest --events 250000 --days 8
	$(BIN)/almaty bench models
	$(BIN)/almaty bench purge
	$(BIN)/almaty bench serve
	$(BIN)/almaty bench recommender

constraints: $(INSTALLED)
	@{ echo "# Exact versions for every install (make venv): regenerate with 'make constraints' after changing pyproject.toml."; \
	  $(BIN)/python -m pip freeze --exclude-editable | sort -f; } > constraints.txt

clean:
	rm -rf $(VENV) data test-output
