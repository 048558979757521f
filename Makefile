# The two commands: `make run` (serve everything) and `make test` (every check and test).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export DJANGO_SETTINGS_MODULE ?= icmec.settings.dev

.PHONY: help install run test lint format check pytest pytest-reuse bench-tools bench bench-newsletter requirements stop clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP) ## Create or update the virtualenv (.venv) with every dependency

run: install ## Migrate, load demo content and serve web + worker + beat at http://localhost:8000
	$(PY) scripts/dev.py

lint: install ## ruff, template indentation, the import contract and the type check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	git ls-files -z '*/templates/*.html' | xargs -0 $(VENV)/bin/djhtml --check
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=icmec.settings.test $(VENV)/bin/mypy

format: install ## Format and fix what ruff can fix, indent the templates
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	git ls-files -z '*/templates/*.html' | xargs -0 $(VENV)/bin/djhtml

check: install ## Django system checks and the migrations check
	DJANGO_SETTINGS_MODULE=icmec.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=icmec.settings.test $(PY) manage.py makemigrations --check --dry-run

# The suite runs in parallel processes, each on its own test database and Redis database number:
# much of it waits (browsers, worker processes, servers starting), so one more process than CPUs.
PYTEST_PROCESSES ?= 3

pytest: install ## Run the test suite on fresh test databases (ARGS="-k name" to select)
	DJANGO_SETTINGS_MODULE=icmec.settings.test $(PY) -m pytest --create-db \
	  -n $(PYTEST_PROCESSES) --dist loadscope $(ARGS)

pytest-reuse: install ## Run tests on the test databases of the last run (no migrations unless new ones)
	DJANGO_SETTINGS_MODULE=icmec.settings.test $(PY) -m pytest \
	  -n $(PYTEST_PROCESSES) --dist loadscope $(ARGS)

test: lint check pytest ## Every check and test (what CI runs)

bench-tools: ## Install what the benchmarks use (Debian's wrk, nginx and its cache-purge module), if missing
	@missing=""; command -v wrk >/dev/null || missing="$$missing wrk"; \
	  [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	  [ -e /usr/lib/nginx/modules/ngx_http_cache_purge_module.so ] || \
	    missing="$$missing libnginx-mod-http-cache-purge"; \
	  if [ -n "$$missing" ]; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  fi

bench: install bench-tools ## Benchmark the public site (N posts, default 200) and the member portal (5,000 members)
	@# The site's script exits 1 when a target is missed; the portal's figures are still wanted.
	$(PY) bench/site.py $(ARGS); site=$$?; $(PY) bench/portal.py $(PORTAL_ARGS) && exit $$site

bench-newsletter: install ## Benchmark newsletter sending against an SMTP sink
	$(PY) bench/newsletter.py $(ARGS)

requirements: install ## Re-compile requirements*.txt from requirements*.in (exact pins)
	$(VENV)/bin/uv pip compile --quiet requirements.in -o requirements.txt --python-version 3.11
	$(VENV)/bin/uv pip compile --quiet requirements-dev.in -o requirements-dev.txt --python-version 3.11

stop: ## Stop the embedded PostgreSQL if it is still running
	-$(PY) -c "from icmec import embedded; embedded.stop()"

clean: stop ## Remove the virtualenv and all local data (.data/, media/)
	rm -rf $(VENV) .data media static_collected .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
