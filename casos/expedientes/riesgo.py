"""Risk assessment (valoración de riesgo): the instrument is data, the scoring is pure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from casos.catalogos import DATOS, HORAS_REVALORACION, ORDEN_NIVEL

RESPUESTAS = {"si": "Sí", "no": "No", "no_sabe": "No sabe"}


@dataclass(frozen=True)
class Indicador:
    clave: str
    texto: str
    peso: int


@dataclass(frozen=True)
class Instrumento:
    version: int
    indicadores: tuple[Indicador, ...]
    umbrales: dict[str, int]

    def puntaje(self, respuestas: dict[str, str]) -> int:
        return sum(i.peso for i in self.indicadores if respuestas.get(i.clave) == "si")

    def nivel(self, puntaje: int) -> str:
        alcanzados = [n for n, minimo in self.umbrales.items() if puntaje >= minimo]
        return max(alcanzados, key=ORDEN_NIVEL.__getitem__, default="bajo")


@cache
def instrumento() -> Instrumento:
    datos = json.loads((DATOS / "valoracion_riesgo.json").read_text(encoding="utf-8"))
    return Instrumento(
        version=datos["version"],
        indicadores=tuple(Indicador(**i) for i in datos["indicadores"]),
        umbrales=datos["umbrales"],
    )


def es_menor(nivel: str, referencia: str) -> bool:
    return ORDEN_NIVEL[nivel] < ORDEN_NIVEL[referencia]


def proxima_valoracion(nivel: str, desde: datetime) -> datetime:
    return desde + timedelta(hours=HORAS_REVALORACION[nivel])
