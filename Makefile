# The two commands of the README: `make run` and `make test`. Everything else serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL

.PHONY: run test lint test-sqlite test-postgresql test-fechas postgresql venv limpiar bench bench-auditoria bench-en-proceso

venv: $(VENV)/.instalado

$(VENV)/.instalado: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## Serve the demo (SQLite in instance/, generated keys, demo accounts) on 127.0.0.1:$(PORT).
run: venv
	$(BIN)/flask --app wsgi init
	$(BIN)/flask --app wsgi demo --casos 1200
	$(BIN)/flask --app wsgi estadisticas publicar
	$(BIN)/flask --app wsgi auditoria verificar
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

# Each test starts at a pinned instant (tests/reloj.py). The tests marked `reloj` (their data
# or expectations depend on today) run again at these: 1 January, 31 December, a quarter's
# last day, 29 February, and 23:30 in Mexico City (already the next day in UTC).
FECHAS_DE_PRUEBA := 2027-01-01T09:00:00-06:00 2026-12-31T12:00:00-06:00 \
  2027-03-31T17:00:00-06:00 2028-02-29T12:00:00-06:00 2027-06-30T23:30:00-06:00

## The whole suite, on SQLite and then on PostgreSQL, after the linter; then, on each engine,
## the date-dependent tests at every date of FECHAS_DE_PRUEBA.
test: lint test-sqlite test-postgresql test-fechas

lint: venv
	$(BIN)/ruff check .

test-sqlite: venv
	$(BIN)/python -m pytest

test-postgresql: venv postgresql
	$(BIN)/python -m pytest --bd=postgresql

test-fechas: venv postgresql
	@set -e; for bd in sqlite postgresql; do for fecha in $(FECHAS_DE_PRUEBA); do \
	  echo "== pruebas con fecha: $$bd, $$fecha"; \
	  $(BIN)/python -m pytest -q -m reloj --bd=$$bd --fecha=$$fecha; \
	done; done

## The benchmark of BENCHMARKS.md (PostgreSQL and Redis on 127.0.0.1; about an hour).
## ESCENARIOS=sqlite-10k,pg-10k picks scenarios (dos-anfitriones: two app processes sharing
## PostgreSQL and Redis against one); DURACION=S the seconds of each test.
bench: venv postgresql
	@$(BIN)/python -m tests.rendimiento $(if $(ESCENARIOS),--escenarios $(ESCENARIOS)) \
	  $(if $(DURACION),--duracion $(DURACION))

## Audited events per second on PostgreSQL, one chain head against eight, 1–16 writers.
bench-auditoria: venv postgresql
	@$(BIN)/python -m tests.rendimiento.auditoria

## The hot pages' CPU per request in one process, app against a lean reference of the same
## page (tests/rendimiento/en_proceso.py), on a database of its own: CASOS=N, BD=postgresql.
bench-en-proceso: venv postgresql
	@$(BIN)/python -m tests.rendimiento.en_proceso --casos $(or $(CASOS),10000) --bd $(or $(BD),sqlite)

## Start the local PostgreSQL cluster if it is installed and down (no-op otherwise).
postgresql:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
	  command -v pg_ctlcluster >/dev/null 2>&1 && \
	  pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -1)" main start && \
	  sleep 2; } || true

limpiar:
	rm -rf $(VENV) instance .pytest_cache
