# Parcours — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from the PATH, else a private copy installed from PyPI into .tools/.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000
# The 20 slowest tests are listed at the end of every run (the suite must stay well under
# 15 minutes on 2 cores: where its time goes is on every CI log).
PYTEST_ARGS ?= -n auto --durations=20
SCALE ?= school

.PHONY: help run test install demo lint format browser axe screenshots bench clean

help:
	@echo "make run    — installe, crée la base SQLite de démonstration et sert http://$(HOST):$(PORT)"
	@echo "make test   — lance toute la suite de tests (DATABASE_URL=postgres://... pour PostgreSQL)"
	@echo "make lint   — ruff check + ruff format --check"
	@echo "make screenshots — régénère les captures d'écran de docs/screenshots/ (démo, chromium)"
	@echo "make bench  — mesures de performance (SCALE=school par défaut, SCALE=network sur PostgreSQL : DATABASE_URL=postgres://...)"

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --upgrade pip uv

install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --compile-bytecode
	@bash scripts/ensure-pdf-libs.sh

run: install
	@mkdir -p var
	DJANGO_DEBUG=1 $(UV) run parcours migrate --noinput
	DJANGO_DEBUG=1 $(UV) run parcours demo
	@echo "Parcours est servi sur http://$(HOST):$(PORT)/ (Ctrl+C pour arrêter)"
	DJANGO_DEBUG=1 $(UV) run parcours runserver $(HOST):$(PORT)

demo: install
	@mkdir -p var
	DJANGO_DEBUG=1 $(UV) run parcours migrate --noinput
	DJANGO_DEBUG=1 $(UV) run parcours demo --reset

browser:
	@bash scripts/ensure-chromium.sh

# Test-only Node packages (axe-core for the accessibility audit): npm ci from package-lock.json.
axe:
	@bash scripts/ensure-axe.sh

test: install browser axe
	$(UV) run pytest $(PYTEST_ARGS)

screenshots: install browser
	$(UV) run python scripts/screenshots.py

bench: install
	$(UV) run python bench/run.py --scale $(SCALE)

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format: install
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

clean:
	rm -rf var .pytest_cache .ruff_cache
