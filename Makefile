# The README's two commands: `make run` and `make test`. Both set up what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the system and its tests use. Installed with apt when running as root.
DEB_PACKAGES := ffmpeg espeak-ng liquidsoap icecast2 postgresql chromium
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help setup system-deps run test lint format bench screenshots clean

help:
	@echo "make run    set up what is missing, then run Loa on 127.0.0.1 with demo data"
	@echo "make test   set up what is missing, then lint and run the whole test suite"
	@echo "make lint   ruff, mypy, import-linter"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make screenshots  regenerate docs/screenshots/ (the review desk in Chromium)"

setup: system-deps $(STAMP)

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then missing="$$missing python3-venv"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing (run as root, or: sudo apt-get install$$missing)"; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(BIN)/loa run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest exits 5 when it collected nothing: that is a failure here, like any non-zero exit.
test: setup lint
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/api.py
	$(BIN)/python bench/tts.py
	$(BIN)/python bench/programmes.py
	$(BIN)/python bench/programmes_db.py
	$(BIN)/python bench/onair.py
	$(BIN)/python bench/desk.py

screenshots: setup
	$(BIN)/python -m tests.desk.screenshots docs/screenshots

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
