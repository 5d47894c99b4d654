"""The periods of the schedule, in data (casos/datos/conservacion.csv): for each institution,
by its acronym, else by its kind, else the default row. They stand in for each institution's
*catálogo de disposición documental*; the values shipped are defaults, documented as such in
docs/DESIGN.md, for each institution to replace with its own."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from casos.catalogos import DATOS

PREDETERMINADO = "predeterminado"


@dataclass(frozen=True)
class Plazos:
    anios_tras_cierre: int  # closed this long: blocked
    anios_bloqueado: int  # blocked this long: her personal data are destroyed


@cache
def tabla() -> dict[str, Plazos]:
    with open(DATOS / "conservacion.csv", encoding="utf-8", newline="") as archivo:
        filas = {f["aplica_a"].strip(): Plazos(int(f["anios_tras_cierre"]), int(f["anios_bloqueado"]))
                 for f in csv.DictReader(archivo)}
    if PREDETERMINADO not in filas:
        raise ValueError("casos/datos/conservacion.csv necesita una fila «predeterminado»")
    if any(p.anios_tras_cierre < 1 or p.anios_bloqueado < 1 for p in filas.values()):
        raise ValueError("casos/datos/conservacion.csv: cada plazo es de al menos un año")
    return filas


def de(institucion) -> Plazos:
    filas = tabla()
    return filas.get(institucion.siglas) or filas.get(institucion.tipo) or filas[PREDETERMINADO]
