"""The calendar of días hábiles the ARCO terms are counted on: the federal law's holidays
(flujos/dias_habiles.py, from the `holidays` library) plus the rules of a CSV file.

The file shipped, casos/datos/dias_inhabiles_zacatecas.csv, holds DEFAULTS: the days federal
and state bodies usually stop that the Ley Federal del Trabajo does not list (Holy Thursday
and Friday, 2 November, 12 December) and the State's own (23 June, the Toma de Zacatecas).
Each institution's transparency committee publishes its calendar every year, often with
vacation periods: an administrator copies the file, adds those rules (a day, a `--MM-DD`
every year, `pascua±N`, or a period `inicio/fin`) and points DIAS_INHABILES_ARCHIVO at it.
A term already computed keeps the calendar of the step that computed it.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from flask import current_app

from casos.catalogos import DATOS
from flujos.dias_habiles import Calendario, reglas

POR_DEFECTO = DATOS / "dias_inhabiles_zacatecas.csv"


@cache
def _de_archivo(ruta: str, _modificado: float) -> Calendario:
    with open(ruta, encoding="utf-8", newline="") as archivo:
        filas = [(fila["regla"], f"{fila['descripcion']} ({fila['ambito']})")
                 for fila in csv.DictReader(archivo) if (fila.get("regla") or "").strip()]
    return Calendario(reglas(filas))


def calendario() -> Calendario:
    """The calendar in force: read again when its file changes."""
    ruta = Path(current_app.config.get("DIAS_INHABILES_ARCHIVO") or POR_DEFECTO)
    return _de_archivo(str(ruta), ruta.stat().st_mtime)
