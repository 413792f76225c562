# Two commands matter: `make demo` and `make test`. Both create the virtual environment first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: venv demo test lint browser bench constraints clean

venv: $(INSTALLED)

# A new package (its __init__.py) must be added to the editable install.
$(INSTALLED): pyproject.toml constraints.txt $(wildcard */__init__.py)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m orchestration.dbt_manifest
	@touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/almaty demo

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The dashboards' browser test drives Debian's chromium (Playwright cannot download one here).
browser:
	@command -v chromium >/dev/null || { test "$$(id -u)" = 0 || { \
	  echo "make browser: chromium is missing and installing it needs root (apt-get install -y chromium)" >&2; \
	  exit 1; }; apt-get update && apt-get install -y chromium; }

test: $(INSTALLED) lint browser
	$(BIN)/python -m pytest

bench: $(INSTALLED)
	$(BIN)/almaty bench generate
	$(BIN)/almaty bench ingest
	$(BIN)/almaty bench ingest --events 250000 --days 8
	$(BIN)/almaty bench models
	$(BIN)/almaty bench daily
	$(BIN)/almaty bench purge
	$(BIN)/almaty bench serve
	$(BIN)/almaty bench recommender
	$(BIN)/almaty bench dashboards

constraints: $(INSTALLED)
	@{ echo "# Exact versions for every install (make venv): regenerate with 'make constraints' after changing pyproject.toml."; \
	  $(BIN)/python -m pip freeze --exclude-editable | sort -f; } > constraints.txt

clean:
	rm -rf $(VENV) data test-output
