"""Catalogues the law or the State define. Kept as data so a reform is a one-line change."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATOS = Path(__file__).resolve().parent / "datos"

ROLES = {
    "capturista": "Capturista",
    "supervisora": "Supervisora",
    "gestora": "Gestora",
    "admin": "Administración",
}

TIPOS_INSTITUCION = {
    "fiscalia": "Fiscalía",
    "cjm": "Centro de Justicia para las Mujeres",
    "semujer": "Secretaría de las Mujeres",
    "dif": "DIF / Procuraduría de Protección de NNA",
    "salud": "Secretaría de Salud",
    "refugio": "Refugio",
    "imm": "Instancia Municipal de las Mujeres",
    "seguridad": "Seguridad pública",
    "otra": "Otra",
}


@dataclass(frozen=True)
class Municipio:
    clave: str  # INEGI cvegeo, 32001..32058
    nombre: str
    poblacion: int
    mujeres: int


@cache
def municipios() -> dict[str, Municipio]:
    with open(DATOS / "municipios_zacatecas.csv", encoding="utf-8", newline="") as archivo:
        return {
            fila["cvegeo"]: Municipio(fila["cvegeo"], fila["municipio"],
                                      int(fila["poblacion_2020"]), int(fila["mujeres_2020"]))
            for fila in csv.DictReader(archivo)
        }


def opciones_municipio() -> list[tuple[str, str]]:
    return sorted(((m.clave, m.nombre) for m in municipios().values()), key=lambda o: o[1])
