"""The suite's clock: every test starts at one pinned instant, never at the day it runs.

Tests build their data relative to "today" (seeds over the last two years, orders issued
hours ago, re-assessments due next month), so a suite read off the wall clock passes on one
day and fails on another: it did, on 2026-12-04. Each test therefore starts at `--fecha`
(an ISO instant; the default below) and time moves on from there (`tick=True`: durations,
idle sessions and TOTP steps still pass as they would). `time-machine` patches the clock at
the C level, so `datetime.now`, `date.today` and `time.time` agree everywhere in the
process, the app's own `casos.bd.ahora` and `hoy_local` included. The database servers keep
their own clocks: nothing the app stores or compares is read from them.

Tests whose data or expectations depend on the date carry `@pytest.mark.reloj`; `make test`
runs them again at the instants of `FECHAS_DE_PRUEBA` in the Makefile (1 January,
31 December, a quarter's last day, 29 February, and 23:30 in Mexico City, which is already
the next day in UTC).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

MEXICO = ZoneInfo("America/Mexico_City")
# A Wednesday in mid-November, midday in Mexico City: an ordinary working day.
FECHA_POR_DEFECTO = "2026-11-18T12:00:00-06:00"


def pytest_addoption(parser):
    parser.addoption("--fecha", default=FECHA_POR_DEFECTO, type=_instante,
                     help="instante ISO 8601 con zona en que empieza cada prueba "
                          f"(por omisión {FECHA_POR_DEFECTO})")


def _instante(texto: str) -> datetime:
    instante = datetime.fromisoformat(texto)
    if instante.tzinfo is None:
        raise pytest.UsageError(f"--fecha necesita zona horaria: {texto}")
    return instante


def pytest_configure(config):
    """From collection on: module constants and session fixtures see the pinned day too."""
    config._viaje_reloj = time_machine.travel(config.getoption("--fecha"), tick=True)
    config._viaje_reloj.start()


def pytest_unconfigure(config):
    viaje = getattr(config, "_viaje_reloj", None)
    if viaje is not None:
        viaje.stop()


def pytest_report_header(config):
    return f"reloj de las pruebas: cada prueba empieza el {config.getoption('--fecha').isoformat()}"


@pytest.fixture(autouse=True)
def reloj_fijo(request):
    """Every test, and every fixture it uses, starts at the same instant."""
    with time_machine.travel(request.config.getoption("--fecha"), tick=True) as viaje:
        yield viaje


def hoy_en_mexico() -> date:
    """Today as the app sees it (`casos.bd.hoy_local`), without an app context. Never
    `date.today()`: that is the server's UTC date, tomorrow from 18:00 in Mexico City."""
    return datetime.now(MEXICO).date()
