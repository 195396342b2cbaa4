# The two commands of the README. Both make a virtual environment in .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test test-deps schemas

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Install site_builder and build the site from the shipped content into _site/.
site: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/site-builder build
	@echo "The site is in _site/. Serve it with: $(BIN)/python -m http.server -d _site 8000  and open http://localhost:8000/"

# Debian packages the tests need, as command:package; apt-get runs only when a command is missing
# (Chromium and java for the browser tests, Node's npm for their tools, Hugo for the benchmarks).
TEST_COMMANDS := chromium:chromium java:default-jre-headless node:nodejs npm:npm hugo:hugo

test-deps:
	@missing=""; for pair in $(TEST_COMMANDS); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "make test: missing Debian packages:$$missing. As root run: apt-get update && apt-get install -y$$missing" >&2; \
	    exit 1; fi; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; fi

# The browser tests' npm tools (axe-core, vnu-jar), from the committed lock file. No install scripts:
# vnu-jar's would download a Java runtime; Debian's is used instead.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Install what the tests need and run every test, plus the linter.
test: $(BIN)/python test-deps node_modules/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/ruff check site_builder tests
	$(BIN)/ruff format --check site_builder tests
	$(BIN)/mypy
	$(BIN)/python -m pytest

# Regenerate the JSON Schemas in schemas/ after changing a model.
schemas: $(BIN)/python
	$(BIN)/site-builder schemas
