# The two commands of the README: `make run` and `make test`. Everything else serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL

.PHONY: run test lint test-sqlite test-postgresql postgresql venv limpiar bench

venv: $(VENV)/.instalado

$(VENV)/.instalado: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## Serve the demo (SQLite in instance/, generated keys, demo accounts) on 127.0.0.1:$(PORT).
run: venv
	$(BIN)/flask --app wsgi init
	$(BIN)/flask --app wsgi demo --casos 300
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

## The whole suite, on SQLite and then on PostgreSQL, after the linter.
test: lint test-sqlite test-postgresql

lint: venv
	$(BIN)/ruff check .

test-sqlite: venv
	$(BIN)/python -m pytest

test-postgresql: venv postgresql
	$(BIN)/python -m pytest --bd=postgresql

## The benchmark of BENCHMARKS.md (PostgreSQL and Redis on 127.0.0.1; about 25 minutes).
## ESCENARIOS=sqlite-10k,pg-10k picks scenarios; DURACION=S the seconds of each test.
bench: venv postgresql
	@$(BIN)/python -m tests.rendimiento $(if $(ESCENARIOS),--escenarios $(ESCENARIOS)) \
	  $(if $(DURACION),--duracion $(DURACION))

## Start the local PostgreSQL cluster if it is installed and down (no-op otherwise).
postgresql:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
	  command -v pg_ctlcluster >/dev/null 2>&1 && \
	  pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -1)" main start && \
	  sleep 2; } || true

limpiar:
	rm -rf $(VENV) instance .pytest_cache
