# The README's two set-up commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= auto

.PHONY: run test install migrate demo worker scheduler schema schema-check bench-scope bench-roster bench-data bench bench-report clean

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
	$(BIN)/python manage.py migrate --noinput -v 0

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@echo "GraphQL API and GraphiQL: http://$(HOST):$(PORT)/graphql   admin: http://$(HOST):$(PORT)/admin/"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# With REDIS_URL (or RABBITMQ_URL) set: job workers and the scheduler as separate processes. Without a broker
# server, `make run` runs both inside the web process and these are not needed.
worker: migrate
	@test -n "$$REDIS_URL$$RABBITMQ_URL" || { echo "Set REDIS_URL or RABBITMQ_URL; without them make run runs jobs in the web process."; exit 1; }
	$(BIN)/python manage.py rundramatiq --processes $${WORKER_PROCESSES:-1} --threads $${WORKER_THREADS:-4}

scheduler: migrate
	@test -n "$$REDIS_URL$$RABBITMQ_URL" || { echo "Set REDIS_URL or RABBITMQ_URL; without them make run runs the scheduler in the web process."; exit 1; }
	$(BIN)/python manage.py runscheduler

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

schema: install
	$(BIN)/python manage.py export_schema graphql_api.schema --path frontend_schema/schema.graphql
	@echo "frontend_schema/schema.graphql regenerated"

schema-check: install
	$(BIN)/python manage.py schema_check

bench-scope: install
	$(BIN)/python -m bench.scope

bench-roster: install
	$(BIN)/python -m bench.roster

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

clean:
	rm -rf $(VENV)
