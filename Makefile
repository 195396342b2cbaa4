# The two commands of the README. Both make a virtual environment in .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test schemas

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Install site_builder and build the site from the shipped content into _site/.
site: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/site-builder build
	@echo "The site is in _site/. Serve it with: $(BIN)/python -m http.server -d _site 8000  and open http://localhost:8000/"

# Install what the tests need and run every test, plus the linter.
test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/ruff check site_builder tests
	$(BIN)/ruff format --check site_builder tests
	$(BIN)/mypy
	$(BIN)/python -m pytest

# Regenerate the JSON Schemas in schemas/ after changing a model.
schemas: $(BIN)/python
	$(BIN)/site-builder schemas
