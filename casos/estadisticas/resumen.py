"""The dashboard's summary and its sections (issue 15, item 3). Pure: no Flask, no SQL.

The summary: the four indicators of strategy 2.10.3 — women attended, protection orders issued
within 4 hours, referrals answered in time, re-assessments on time — for the last period of
the page, each with its change from the period before, in the same edition.

Where every figure comes from. A period's value is `ensamblado.sumar` over the months the
edition published, the very function that makes every period column of every page: for a
whole month, quarter or year it is the cell its page shows; for a period still open (the year
so far, the quarter so far) the period before is the same months one period earlier ("enero a
octubre de 2025" beside "2026 (enero a octubre)"), which a reader gets by adding the month
columns of that year's page (sumar gives a mark whenever the months do not all publish a
count). A change is the difference of two such counts and nothing else: if either is a mark
("<10", "s", "—") the change is "n.d." — never worked out from a hidden count, so it says
nothing the two published figures don't. A measure whose year is under k (its page shows the
year's total only) has no period values; neither does a municipality's or an institution's
row of a cross table below the year, which no page publishes: there the summary shows the
year, and a change only between two whole years.
"""

from __future__ import annotations

from dataclasses import dataclass

from casos.estadisticas.ensamblado import (
    MESES_COMPLETOS,
    Contenido,
    _Anio,
    _cruce,
    _linea,
    _total,
    nombre_del_mes,
)
from casos.estadisticas.publicacion import MEDIDAS, TRIMESTRES, Ambito
from casos.estadisticas.supresion import NO_DISPONIBLE, marca_primaria

# Why a change is not shown (beside "n.d.", which is about the figures themselves).
SIN_ANTERIOR = "sin periodo anterior en esta edición"
SOLO_TOTAL = "menos de {k} en el año, se publica solo su total"
SOLO_ANIO = "en un municipio o una institución esta cifra se publica por año; se compara con el año anterior cuando el año está completo"


@dataclass(frozen=True)
class Indicador:
    clave: str
    titulo: str
    medida: str
    fila: tuple[str, str] | None  # (dimension, category); None: the measure's total
    de: str = ""  # what the measure's total counts ("solicitadas"), beside the share


INDICADORES = (
    Indicador("mujeres_atendidas", "Mujeres atendidas", "casos", None),
    Indicador("ordenes_en_4_horas", "Órdenes de protección emitidas en 4 horas o menos", "ordenes",
              ("emision", "en_4_horas"), "solicitadas"),
    Indicador("canalizaciones_en_plazo", "Canalizaciones respondidas a tiempo", "canalizaciones",
              ("respuesta", "en_plazo"), "enviadas"),
    Indicador("revaloraciones_a_tiempo", "Revaloraciones de riesgo hechas a tiempo", "revaloraciones",
              ("cumplimiento", "a_tiempo"), "que vencían"),
)


def es_conteo(valor) -> bool:
    return isinstance(valor, int) and not isinstance(valor, bool)


def cambio(actual, anterior):
    """The change between two published figures: their difference when both are counts, else
    "n.d." (a mark, "—" or a missing figure: nothing is worked out from what is hidden)."""
    if es_conteo(actual) and es_conteo(anterior):
        return actual - anterior
    return NO_DISPONIBLE


def porcentaje(parte, todo) -> float | None:
    """The share, only of two published counts."""
    if es_conteo(parte) and es_conteo(todo) and todo:
        return round(100 * parte / todo, 1)
    return None


# ---- periods -------------------------------------------------------------------------------------

def _atras(mes: str, meses: int) -> str:
    indice = int(mes[:4]) * 12 + int(mes[5:7]) - 1 - meses
    return f"{indice // 12}-{indice % 12 + 1:02d}"


PASO = {"mes": 1, "trimestre": 3, "anio": 12}


def periodos(meses_del_anio: list[str], granularidad: str) -> tuple[list[str], list[str]]:
    """The page's last period (its months in the edition) and the same months one period
    earlier: the last month and the month before; the last quarter (so far) and the quarter
    before (as many months); the year (so far) and the year before (the same months)."""
    if not meses_del_anio:
        return [], []
    ultimo = meses_del_anio[-1]
    if granularidad == "mes":
        actual = [ultimo]
    elif granularidad == "trimestre":
        trimestre = (int(ultimo[5:7]) - 1) // 3
        actual = [m for m in meses_del_anio if (int(m[5:7]) - 1) // 3 == trimestre]
    else:
        actual = list(meses_del_anio)
    return actual, [_atras(m, PASO[granularidad]) for m in actual]


def nombre_periodo(meses: list[str], *, abierto: bool = False) -> str:
    """'octubre de 2026', 'T3 2026', '2025'; a period still open as its page names its column
    ('T4 2026 (octubre)', '2026 (enero a octubre)'); other stretches as 'julio a agosto de 2026'."""
    anio, primero, ultimo = meses[0][:4], int(meses[0][5:7]), int(meses[-1][5:7])
    if len(meses) == 12:
        return anio
    if len(meses) == 3 and primero % 3 == 1:
        return f"{TRIMESTRES[primero // 3]} {anio}"
    if abierto and primero == 1 and len(meses) > 1:
        return f"{anio} ({MESES_COMPLETOS[0]} a {MESES_COMPLETOS[ultimo - 1]})"
    if abierto and primero % 3 == 1 and len(meses) == 2:
        return f"{TRIMESTRES[primero // 3]} {anio} ({MESES_COMPLETOS[primero - 1]} a {MESES_COMPLETOS[ultimo - 1]})"
    if len(meses) == 1:
        return nombre_del_mes(meses[0])
    return f"{MESES_COMPLETOS[primero - 1]} a {MESES_COMPLETOS[ultimo - 1]} de {anio}"


# ---- values --------------------------------------------------------------------------------------

def _celda(indicador: Indicador, ambito: Ambito, *, total: bool = False):
    """The month cell a page adds up for the indicator (or, with `total`, for its measure)."""
    if ambito.tipo == "estado":
        if total or indicador.fila is None:
            return _total
        dimension, categoria = indicador.fila
        return lambda b: _linea(b, dimension, categoria)
    if total or indicador.fila is None:
        return lambda b: _linea(b, ambito.tipo, ambito.clave)
    dimension, categoria = indicador.fila
    return lambda b: _cruce(b, ambito.tipo, ambito.clave, dimension, categoria)


def retenida(contenido: Contenido, anio: int, medida: str) -> bool:
    """Under k in the whole year: the year's page shows its total and no table."""
    return _Anio(contenido, anio, MEDIDAS[medida]).del_anio(_total) == marca_primaria(contenido.umbral)


def valor(contenido: Contenido, meses: list[str], medida: str, celda):
    """The published value of `celda` over `meses` (all of one year): None when the edition
    does not cover them or their year's page withholds the measure's tables."""
    if not meses or any(m not in contenido.meses for m in meses):
        return None
    if retenida(contenido, int(meses[0][:4]), medida):
        return None
    return _Anio(contenido, int(meses[0][:4]), MEDIDAS[medida]).sobre(meses, celda)


def resumen(contenido: Contenido, anio: int, granularidad: str, ambito: Ambito) -> list[dict]:
    """Each indicator of the summary: its period and value, its measure's total and the share,
    the period before and its value, and the change (int, "n.d.", or None with `sin_cambio`
    saying why there is no comparison)."""
    meses = contenido.meses_de(anio)
    resultado = []
    for indicador in INDICADORES:
        actual, anterior = periodos(meses, granularidad)
        sin_cambio = SIN_ANTERIOR
        if ambito.tipo != "estado" and indicador.fila is not None:
            # A cross table's row is published for the year only.
            actual = list(meses)
            anterior = [_atras(m, 12) for m in actual] if len(actual) == 12 else []
            sin_cambio = SIN_ANTERIOR if len(actual) == 12 else SOLO_ANIO
        if retenida(contenido, anio, indicador.medida):
            # The year's page says only the State's total (under k): so does the summary.
            resultado.append({
                "clave": indicador.clave, "titulo": indicador.titulo,
                "periodo": nombre_periodo(meses, abierto=True),
                "valor": _Anio(contenido, anio, MEDIDAS[indicador.medida]).del_anio(_total)
                if indicador.fila is None and ambito.tipo == "estado" else None,
                "de": None, "de_texto": indicador.de, "porcentaje": None,
                "anterior": None, "valor_anterior": None, "cambio": None,
                "sin_cambio": SOLO_TOTAL.format(k=contenido.umbral)})
            continue
        celda = _celda(indicador, ambito)
        propio = valor(contenido, actual, indicador.medida, celda)
        total = (valor(contenido, actual, indicador.medida, _celda(indicador, ambito, total=True))
                 if indicador.fila is not None else None)
        cubierto = bool(anterior) and all(m in contenido.meses for m in anterior)
        previo = valor(contenido, anterior, indicador.medida, celda) if cubierto else None
        resultado.append({
            "clave": indicador.clave, "titulo": indicador.titulo,
            "periodo": nombre_periodo(actual, abierto=True) if actual else None,
            "valor": propio, "de": total, "de_texto": indicador.de,
            "porcentaje": porcentaje(propio, total),
            "anterior": nombre_periodo(anterior) if cubierto else None,
            "valor_anterior": previo,
            "cambio": cambio(propio, previo) if cubierto else None,
            "sin_cambio": None if cubierto else sin_cambio,
        })
    return resultado


# ---- sections ------------------------------------------------------------------------------------

# The dashboard's sections, in order: which tables each holds, by the tables' dimension
# ("periodo": a measure's series). A table of a dimension not listed goes to "Otros cuadros".
SECCIONES = (
    ("tipo", "Por tipo y modalidad de violencia", ("tipo", "modalidad")),
    ("municipio", "Por municipio, con la tasa por 100 000 mujeres", ("municipio",)),
    ("institucion", "Por institución", ("institucion",)),
    ("edad", "Por edad", ("rango_edad",)),
    ("riesgo", "Por nivel de riesgo", ("nivel_riesgo",)),
    ("periodo", "Por mes, trimestre o año", ("periodo",)),
    ("ordenes", "Órdenes de protección", ("emision", "tipo_orden")),
    ("canalizaciones", "Canalizaciones", ("resultado", "respuesta", "tipo_origen", "tipo_destino")),
    ("revaloraciones", "Revaloraciones de riesgo", ("cumplimiento",)),
)
OTROS = ("otros", "Otros cuadros")


def secciones(publicacion) -> list[dict]:
    """The page's tables grouped into the dashboard's sections (empty ones left out), each
    table with its measure."""
    por_dimension = {d: clave for clave, _, dimensiones in SECCIONES for d in dimensiones}
    grupos = {clave: {"clave": clave, "titulo": titulo, "cuadros": []}
              for clave, titulo, _ in (*SECCIONES, (*OTROS, ()))}
    for medida, cuadros in publicacion.cuadros.items():
        for cuadro in cuadros:
            dimension = cuadro.clave.split(".", 1)[1]
            grupos[por_dimension.get(dimension, OTROS[0])]["cuadros"].append((MEDIDAS[medida], cuadro))
    return [g for g in grupos.values() if g["cuadros"]]


def sin_desglose(publicacion) -> list[str]:
    """The measures under k in the year: the page says only that (no table of theirs)."""
    return [MEDIDAS[medida].titulo for medida, cuadros in publicacion.cuadros.items() if not cuadros]
