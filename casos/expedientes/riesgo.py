"""Risk assessment (valoración de riesgo): the instrument is data, the scoring is pure, and so
is the rule that decides when a new level waits for a supervisora.

The data file keeps every version of the instrument that was ever used: an assessment stores
its answers (encrypted) and its version, and is explained with that version's weights,
thresholds and critical combinations, never with today's."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache

from casos.catalogos import DATOS, HORAS_REVALORACION, NIVELES_RIESGO, ORDEN_NIVEL

RESPUESTAS = {"si": "Sí", "no": "No", "no_sabe": "No sabe"}

# What the intake already records that answers a question (an indicator's "del_registro" in
# the data file names these). Only facts that say "yes": a fact the intake did not record is
# not a "no", so nothing is ever prefilled with "no". Not her disability: it is free text
# ("Ninguna" is a common answer), and whether it adds to her vulnerability is hers to say.
HECHOS_DEL_REGISTRO = {
    "agresor.acceso_armas": "en el registro, una persona agresora tiene acceso a armas",
    "agresor.vive_con_ella": "en el registro, una persona agresora vive con ella",
    "nna.violencia_directa": "en el registro, una hija o un hijo también vivió violencia",
    "hechos.sexual": "los hechos registrados incluyen violencia sexual",
    "hechos.economica": "los hechos registrados incluyen violencia económica",
    "hechos.vicaria": "los hechos registrados incluyen violencia vicaria",
}


@dataclass(frozen=True)
class Indicador:
    clave: str
    texto: str
    peso: int
    fuentes: tuple[str, ...] = ()
    del_registro: tuple[str, ...] = ()


@dataclass(frozen=True)
class Combinacion:
    """Answers that together set a minimum level whatever the score: every group of
    `condiciones` needs at least one of its indicators answered "si"."""

    clave: str
    texto: str
    condiciones: tuple[tuple[str, ...], ...]
    nivel_minimo: str
    razon: str = ""
    fuentes: tuple[str, ...] = ()

    def se_cumple(self, respuestas: dict[str, str]) -> bool:
        return all(any(respuestas.get(c) == "si" for c in grupo) for grupo in self.condiciones)


@dataclass(frozen=True)
class Resultado:
    puntaje: int
    nivel_por_puntaje: str
    combinaciones: tuple[Combinacion, ...]  # the ones that hold
    nivel: str  # the computed level: the score's, raised to the highest minimum that holds


@dataclass(frozen=True)
class Explicacion:
    """Why an assessment computed its level, for the page: which answers counted and how
    much, the thresholds and the combinations, all from the assessment's own version.
    `conocida` is False when that version is no longer in the data file: then only the
    answers are listed, without weights (the stored score still says what it was)."""

    version: int | None
    conocida: bool
    cuentan: tuple[tuple[str, int | None], ...]  # (question, weight) of each "si"
    no_sabe: tuple[str, ...]
    puntaje: int | None
    rangos: tuple[tuple[str, int, int | None], ...]  # (level, from, to inclusive or None)
    nivel_por_puntaje: str | None
    combinaciones: tuple[Combinacion, ...]
    nivel: str | None
    # The level today's instrument would compute from the same answers, when it is higher.
    con_la_vigente: str | None = None
    version_vigente: int | None = None


@dataclass(frozen=True)
class Instrumento:
    version: int
    indicadores: tuple[Indicador, ...]
    umbrales: dict[str, int]
    combinaciones: tuple[Combinacion, ...] = ()
    fuentes: dict[str, dict] = field(default_factory=dict, compare=False)

    def puntaje(self, respuestas: dict[str, str]) -> int:
        return sum(i.peso for i in self.indicadores if respuestas.get(i.clave) == "si")

    def nivel(self, puntaje: int) -> str:
        """The level of a score alone, by the thresholds."""
        alcanzados = [n for n, minimo in self.umbrales.items() if puntaje >= minimo]
        return max(alcanzados, key=ORDEN_NIVEL.__getitem__, default="bajo")

    def calcular(self, respuestas: dict[str, str]) -> Resultado:
        puntaje = self.puntaje(respuestas)
        por_puntaje = self.nivel(puntaje)
        cumplidas = tuple(c for c in self.combinaciones if c.se_cumple(respuestas))
        nivel = max([por_puntaje, *(c.nivel_minimo for c in cumplidas)], key=ORDEN_NIVEL.__getitem__)
        return Resultado(puntaje, por_puntaje, cumplidas, nivel)

    def rangos(self) -> tuple[tuple[str, int, int | None], ...]:
        desde = {"bajo": 0, **self.umbrales}
        orden = sorted(desde, key=ORDEN_NIVEL.__getitem__)
        return tuple((n, desde[n], desde[s] - 1 if s else None)
                     for n, s in zip(orden, [*orden[1:], None]))

    def explicar(self, respuestas: dict[str, str]) -> Explicacion:
        resultado = self.calcular(respuestas)
        return Explicacion(
            version=self.version, conocida=True,
            cuentan=tuple((i.texto, i.peso) for i in self.indicadores if respuestas.get(i.clave) == "si"),
            no_sabe=tuple(i.texto for i in self.indicadores if respuestas.get(i.clave) == "no_sabe"),
            puntaje=resultado.puntaje, rangos=self.rangos(),
            nivel_por_puntaje=resultado.nivel_por_puntaje, combinaciones=resultado.combinaciones,
            nivel=resultado.nivel)


def _instrumento_de(datos: dict, fuentes: dict) -> Instrumento:
    return Instrumento(
        version=datos["version"],
        indicadores=tuple(Indicador(i["clave"], i["texto"], i["peso"], tuple(i.get("fuentes", ())),
                                    tuple(i.get("del_registro", ())))
                          for i in datos["indicadores"]),
        umbrales=datos["umbrales"],
        combinaciones=tuple(Combinacion(c["clave"], c["texto"], tuple(map(tuple, c["condiciones"])),
                                        c["nivel_minimo"], c.get("razon", ""), tuple(c.get("fuentes", ())))
                            for c in datos.get("combinaciones_criticas", ())),
        fuentes=fuentes)


@cache
def instrumentos() -> dict[int, Instrumento]:
    """Every version in the data file, by number; the current one is `instrumento()`."""
    datos = json.loads((DATOS / "valoracion_riesgo.json").read_text(encoding="utf-8"))
    fuentes = datos.get("fuentes", {})
    todos = {v["version"]: _instrumento_de(v, fuentes) for v in datos.get("versiones_anteriores", ())}
    todos[datos["version"]] = _instrumento_de(datos, fuentes)
    return todos


@cache
def instrumento() -> Instrumento:
    return instrumentos()[max(instrumentos())]


def explicar(version: int | None, respuestas: dict[str, str] | None, *, nivel_guardado: str | None = None,
             vigente: bool = False) -> Explicacion:
    """Explain an assessment with the instrument version it was scored with. `vigente`: this
    is the case's latest assessment, so say so if today's instrument would rate the same
    answers higher than it did (`nivel_guardado`, its stored computed level): re-assess."""
    respuestas = respuestas or {}
    actual = instrumento()
    suyo = instrumentos().get(version)
    if suyo is None:
        # A version missing from the file: list her "yes" answers with any known wording.
        textos = {i.clave: i.texto for v in sorted(instrumentos()) for i in instrumentos()[v].indicadores}
        explicacion = Explicacion(
            version=version, conocida=False,
            cuentan=tuple((textos.get(c, c), None) for c, r in respuestas.items() if r == "si"),
            no_sabe=tuple(textos.get(c, c) for c, r in respuestas.items() if r == "no_sabe"),
            puntaje=None, rangos=(), nivel_por_puntaje=None, combinaciones=(), nivel=None)
    else:
        explicacion = suyo.explicar(respuestas)
    if vigente and version != actual.version:
        hoy = actual.calcular(respuestas).nivel
        entonces = explicacion.nivel or nivel_guardado
        if entonces is not None and es_menor(entonces, hoy):
            explicacion = replace(explicacion, con_la_vigente=hoy, version_vigente=actual.version)
    return explicacion


def del_registro(caso) -> dict[str, str]:
    """The facts of HECHOS_DEL_REGISTRO the case's intake recorded: key -> what to tell her.
    Reads the case's aggressors, children and incidents: only for the owning institution's
    questionnaire."""
    presentes = {
        "agresor.acceso_armas": any(a.acceso_armas for a in caso.agresores),
        "agresor.vive_con_ella": any(a.vive_con_ella for a in caso.agresores),
        "nna.violencia_directa": any(n.violencia_directa for n in caso.nna),
    }
    tipos = {t for h in caso.hechos for t in h.tipos}
    for tipo in ("sexual", "economica", "vicaria"):
        presentes[f"hechos.{tipo}"] = tipo in tipos
    return {clave: HECHOS_DEL_REGISTRO[clave] for clave, hay in presentes.items() if hay}


def prellenado(instrumento_: Instrumento, hechos: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Indicator -> the recorded facts that answer it "si" (the questionnaire comes with
    those checked and says where each came from; she can still change it)."""
    return {i.clave: motivos for i in instrumento_.indicadores
            if (motivos := tuple(hechos[h] for h in i.del_registro if h in hechos))}


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
