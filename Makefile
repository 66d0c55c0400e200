# The README's two set-up commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= auto
# The embedded default runs with DEBUG on (development secrets generated into var/); settings fail closed
# otherwise. An explicit DEBUG=0 in the environment is respected.
DEV := DEBUG=$${DEBUG:-1}

.PHONY: run demo-county test test-web screenshots web web-if-node install migrate demo worker scheduler schema schema-check bench-scope bench-roster bench-data bench bench-report clean cluster cluster-down cluster-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(DEV) $(BIN)/python manage.py migrate --noinput -v 0

demo: migrate
	$(DEV) $(BIN)/python manage.py load_demo

# `make run DEMO=county`: the county-scale world of bench.generate (10,000 children) on PostgreSQL
# (127.0.0.1:5432, database bench_prov_county_demo) beside the demo, under the same demo accounts; built once
# (`make demo-county` builds it again), then reused with the generator's keys from var/demo_county.env.
DEMO ?=
ifeq ($(DEMO),county)
run: install web-if-node
	@test -f var/demo_county.env || $(MAKE) --no-print-directory demo-county
	@echo "Web client: http://$(HOST):$(PORT)/ (county-scale demo)"
	set -a && . ./var/demo_county.env && set +a && $(DEV) $(BIN)/python manage.py migrate --noinput -v 0 && \
		$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)
else
run: demo web-if-node
	@echo "Web client: http://$(HOST):$(PORT)/   GraphQL API and GraphiQL: http://$(HOST):$(PORT)/graphql   admin: http://$(HOST):$(PORT)/admin/"
	$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)
endif

demo-county: install
	$(DEV) $(BIN)/python -m demo.county

# With REDIS_URL (or RABBITMQ_URL) set: job workers and the scheduler as separate processes. Without a broker
# server, `make run` runs both inside the web process and these are not needed.
worker: migrate
	@test -n "$$REDIS_URL$$RABBITMQ_URL" || { echo "Set REDIS_URL or RABBITMQ_URL; without them make run runs jobs in the web process."; exit 1; }
	$(DEV) $(BIN)/python manage.py rundramatiq --processes $${WORKER_PROCESSES:-1} --threads $${WORKER_THREADS:-4}

scheduler: migrate
	@test -n "$$REDIS_URL$$RABBITMQ_URL" || { echo "Set REDIS_URL or RABBITMQ_URL; without them make run runs the scheduler in the web process."; exit 1; }
	$(DEV) $(BIN)/python manage.py runscheduler

# ruff (a small rule set) and the layer contracts (import-linter), then the suite.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(DEV) $(BIN)/lint-imports --no-cache
	$(DEV) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

# The web client (web/, Node 20 + npm). npm ci runs again only when package-lock.json changed; the build runs
# again only when a source (web/ or the frontend_schema contract it is generated from) is newer than the stamp.
NPM := $(shell command -v npm 2>/dev/null)
WEB_SOURCES := $(shell find web/src web/codegen frontend_schema -type f -not -path 'web/src/gql/*' 2>/dev/null) \
	web/index.html web/vite.config.ts web/codegen.ts web/tsconfig.json web/package.json

web/node_modules/.npm-stamp: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/.build-stamp: web/node_modules/.npm-stamp $(WEB_SOURCES)
	cd web && npm run build
	touch $@

web: web/dist/.build-stamp

web-if-node:
ifeq ($(NPM),)
	@echo "npm not found: the web client was NOT built (install Node 20 and npm, then make web). Serving the API only."
else
	@$(MAKE) --no-print-directory web
endif

$(VENV)/.installed-e2e: pyproject.toml $(VENV)/.installed-test
	$(BIN)/pip install -q -e '.[test,e2e]'
	touch $@

# Vitest, then the browser tests (web/e2e: pytest + Playwright driving the system chromium against a real
# server with the demo data; skipped with the reason when no chromium is installed).
test-web: web $(VENV)/.installed-e2e
	cd web && npx vitest run
	$(BIN)/python -m pytest web/e2e -q -p no:xdist -p no:django

# Refresh the README's screenshots (docs/screenshots/) from a browser-test run.
screenshots: web $(VENV)/.installed-e2e
	WEB_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest web/e2e -q -p no:xdist -p no:django

schema: install
	$(DEV) $(BIN)/python manage.py export_schema graphql_api.schema --path frontend_schema/schema.graphql
	@echo "frontend_schema/schema.graphql regenerated"

schema-check: install
	$(DEV) $(BIN)/python manage.py schema_check

bench-scope: install
	$(DEV) $(BIN)/python -m bench.scope

bench-roster: install
	$(DEV) $(BIN)/python -m bench.roster

# Province-scale benchmark (issue 9): SCALE=county|city|province (default province), SEED=1.
SCALE ?= province
SEED ?= 1
bench-data: install
	$(BIN)/python -m bench.generate --scale $(SCALE) --seed $(SEED)

bench: install
	$(BIN)/python -m bench.run --scale $(SCALE) --seed $(SEED)

# rewrite this scale's block of docs/benchmarks.md from the last run's results (var/bench/results-<scale>.json)
bench-report: install
	$(BIN)/python -m bench.run --scale $(SCALE) --report-only

# The production topology on this machine (issue 21, platform/cluster/; needs root and the Debian packages
# postgresql-15, pgbouncer, nginx-light, redis-server, rabbitmq-server): everything under var/cluster/.
CLUSTER_PY := $(BIN)/python platform/cluster/cluster.py
cluster: install
	$(CLUSTER_PY) up

cluster-down:
	@test ! -x $(BIN)/python || $(CLUSTER_PY) down

# Tests against the running topology (brought up if it is not): tests/cluster/live, collected only with CLUSTER=1.
cluster-test: $(VENV)/.installed-test cluster
	CLUSTER=1 $(DEV) $(BIN)/python -m pytest -q -p no:xdist tests/cluster/live

clean:
	rm -rf $(VENV) web/node_modules web/dist web/src/gql
