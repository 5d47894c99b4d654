"""Revising a published month: when it may change, and what its tables become. Pure: no
Flask, no SQL.

A month is published once, protected on its own (bloques.py). Cases registered late,
referrals answered since, cases assessed later change its counts; showing the month again,
protected anew, would let a reader put the two versions side by side: what a cell hides in
one, the other's margins and the rule itself could pin (issue 15). So a revision never
re-protects a month. It publishes the *difference* between today's counts and the counts the
month was published with, and the difference must be a table that needs no suppression at
all: every cell of every table of the measure — the total, each row of each dimension, each
cell of each cross table — changed by 0 or by at least k, up or down. The revised month is
then the old one shifted by that public difference, cell by cell: a count stays a count (if
it does not land between 1 and k-1), "<k" plus at least k becomes "s", "s" minus at least k
becomes "—". A hidden cell stays exactly as uncertain as it was; what the reader learns is the
difference, which holds no small number.

Otherwise the measure stays as first published in that month, and the edition says so (a
month "con cambios pendientes"); its counts are kept, so later changes add up until the
difference passes. Per measure and month: a small change in one table holds back that
measure's whole month (docs/DESIGN.md, "Statistics: revisions").
"""

from __future__ import annotations

from casos.estadisticas.bloques import agrupaciones
from casos.estadisticas.publicacion import Medida
from casos.estadisticas.supresion import MARCA_COMPLEMENTARIA, marca_primaria


class NoRevisable(ValueError):
    """A change that can't be published as a difference (a cell moved by 1 to k-1, or would
    land there)."""


# ---- the counts kept for each month -----------------------------------------------------------

def conteos_a_json(conteos: dict[str, dict]) -> dict:
    """{measure: {grouping: {row: n}}} (tuples as keys, bloques.contar_meses) as JSON."""
    return {clave: [[list(grupo), [[list(fila), n] for fila, n in filas.items()]]
                    for grupo, filas in grupos.items()] for clave, grupos in conteos.items()}


def conteos_de_json(datos: dict) -> dict[str, dict]:
    return {clave: {tuple(grupo): {tuple(fila): n for fila, n in filas} for grupo, filas in grupos}
            for clave, grupos in datos.items()}


def celdas(conteos: dict, multiple: bool) -> dict[tuple, int]:
    """Every published cell of one measure in one month, by its place in a block: ("total",),
    ("linea", dimension, category), ("cruce", "a|b", row, column)."""
    resultado: dict[tuple, int] = {}
    for grupo, filas in conteos.items():
        if grupo == ("mes",) or grupo == ("municipio", "mes"):
            if not multiple:
                resultado[("total",)] = resultado.get(("total",), 0) + sum(filas.values())
        if len(grupo) == 2 and grupo[1] == "mes":
            for (categoria, _mes), n in filas.items():
                clave = ("linea", grupo[0], categoria)
                resultado[clave] = resultado.get(clave, 0) + n
        elif len(grupo) == 2:
            for (fila, columna), n in filas.items():
                resultado[("cruce", f"{grupo[0]}|{grupo[1]}", fila, columna)] = n
    return resultado


def diferencia(viejos: dict, nuevos: dict, multiple: bool) -> dict[tuple, int]:
    """Today's counts minus the published ones, cell by cell (nonzero only)."""
    antes, ahora = celdas(viejos, multiple), celdas(nuevos, multiple)
    return {c: d for c in antes.keys() | ahora.keys() if (d := ahora.get(c, 0) - antes.get(c, 0))}


# ---- the revised month ----------------------------------------------------------------------------

def desplazar(valor, d: int, k: int):
    """A published cell moved by a public difference `d` (0 or at least k either way); a
    withheld one (None) stays withheld."""
    if d == 0 or valor is None:
        return valor
    if isinstance(valor, int):
        nuevo = valor + d
        if nuevo < 0 or 0 < nuevo < k:
            raise NoRevisable(f"una cifra publicada quedaría en {nuevo}")
        return nuevo
    if valor == marca_primaria(k):  # 1 to k-1
        if d < 0:
            raise NoRevisable("una cifra menor que el umbral no puede bajar en k o más")
        return MARCA_COMPLEMENTARIA  # at least k+1
    if valor == MARCA_COMPLEMENTARIA:  # at least k
        return valor if d > 0 else None  # k or more, minus k or more: 0 or more
    raise NoRevisable(f"marca desconocida: {valor!r}")


def revisar_bloque(bloque: dict, viejos: dict, nuevos: dict, medida: Medida, k: int) -> dict | None:
    """The measure's block of a month revised to today's counts, or None when the difference
    can't be published. A block with no difference is returned as it is."""
    d = diferencia(viejos, nuevos, medida.multiple)
    if not d:
        return bloque
    if any(abs(v) < k for v in d.values()):
        return None
    try:
        return _desplazado(bloque, d, medida, k)
    except NoRevisable:
        return None


def _desplazado(bloque: dict, d: dict[tuple, int], medida: Medida, k: int) -> dict:
    total = desplazar(bloque["total"], d.get(("total",), 0), k)
    if bloque.get("retenida"):
        return {"total": total, "retenida": True}
    vacio = "lineas" not in bloque  # nothing that month: every cell a published 0
    lineas = {}
    for dimension in medida.dimensiones:
        propias = {} if vacio else dict(bloque["lineas"][dimension])
        propias.update({c[2]: 0 for c in d if c[:2] == ("linea", dimension) and c[2] not in propias})
        lineas[dimension] = {c: n for c, v in propias.items()
                             if (n := desplazar(v, d.get(("linea", dimension, c), 0), k)) != 0}
    cruces = {}
    for grupo in agrupaciones(medida):
        if len(grupo) < 3:
            continue
        par = f"{grupo[0]}|{grupo[1]}"
        viejas = [] if vacio else bloque["cruces"][par]
        if viejas is None:  # withheld whole: stays so
            cruces[par] = None
            continue
        propias = {(f, c): v for f, c, v in viejas}
        propias.update({c[2:]: 0 for c in d if c[:2] == ("cruce", par) and c[2:] not in propias})
        cruces[par] = [[f, c, n] for (f, c), v in propias.items()
                       if (n := desplazar(v, d.get(("cruce", par, f, c), 0), k)) != 0]
    if total == 0 and not any(lineas.values()) and not any(cruces.values()):
        return {"total": 0}
    return {"total": total, "lineas": lineas, "cruces": cruces}
