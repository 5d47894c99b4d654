"""Risk assessment (valoración de riesgo): the instrument is data, the scoring is pure, and so
is the rule that decides when a new level waits for a supervisora."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from casos.catalogos import DATOS, HORAS_REVALORACION, NIVELES_RIESGO, ORDEN_NIVEL

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


def mayor(nivel: str, otro: str | None) -> str:
    """The higher of two levels; `otro` is None for a case never assessed."""
    return nivel if otro is None or not es_menor(nivel, otro) else otro


def requiere_aprobacion(nivel: str, calculado: str, actual: str | None) -> bool:
    """Every way of lowering a risk level needs a supervisora (DOMAIN.md): a level chosen below
    the computed one, and a re-assessment whose level (computed or chosen) is below the one the
    case carries now. A first assessment (`actual` None) lowers nothing but an override."""
    return es_menor(nivel, calculado) or (actual is not None and es_menor(nivel, actual))


def nivel_en_espera(calculado: str, actual: str | None) -> str:
    """What the case carries while a lower level waits for approval: never less than it had,
    nor less than the instrument computed now (raising applies at once)."""
    return mayor(calculado, actual)


def motivo_de_la_propuesta(nivel: str, calculado: str, actual: str | None, motivo: str | None) -> str:
    """What the supervisora reads in the approval request: the levels, then the reason the
    professional typed (required only when she chose a level other than the computed one)."""
    antes = f"el caso estaba en {NIVELES_RIESGO[actual]}" if actual else "primera valoración del caso"
    texto = f"Nivel propuesto: {NIVELES_RIESGO[nivel]} (calculado: {NIVELES_RIESGO[calculado]}; {antes})."
    return f"{texto} Motivo: {motivo}" if motivo else texto


def proxima_valoracion(nivel: str, desde: datetime) -> datetime:
    return desde + timedelta(hours=HORAS_REVALORACION[nivel])
