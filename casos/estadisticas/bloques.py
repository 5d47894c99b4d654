"""What an edition computes from the database: each new closed month, protected on its own,
and the medians of each year it covers.

A month is counted once, in the first edition that covers it, and protected by the same chain
of tables and final review as a year (`publicacion.Calculo.revisado`) fed with that month's
counts only: the other eleven months are zeros, which are published and add nothing, so the
month's total, each dimension and each cross table are protected together as a year's are
(the tables of the quarters without the month are not even built: `Calculo` leaves out what
can change nothing, see docs/DESIGN.md, "Cost").
Only what a reader gets is kept (`Bloque`): each cell as published — a count, "<k", "s", or
None when withheld — never the count under a mark.

Months never share a published equation. A quarter or a year is only ever shown as the sum of
published month cells (ensamblado.py), so what one month hides stays hidden whatever the
others publish, and an edition that adds a month adds that month's tables and nothing else a
reader could subtract. See docs/DESIGN.md, "Statistics: editions".
"""

from __future__ import annotations

from datetime import datetime

from casos.catalogos import municipios
from casos.estadisticas import consultas
from casos.estadisticas.publicacion import (
    MEDIANAS,
    MEDIDAS,
    Calculo,
    Medida,
    Periodos,
    _categorias_dimension,
    sin_recolector_de_ciclos,
)
from casos.estadisticas.supresion import NO_DISPONIBLE

# Part of every edition: how a month is stored. A change of the stored form needs a new
# number, and ensamblado.py must go on reading the editions already published.
FORMATO = 1


def agrupaciones(medida: Medida) -> list[tuple[str, ...]]:
    """Every grouping a `Calculo` of the measure counts, each with the month: the months
    (by municipality, which never is NULL, when the measure has it), each dimension by
    month, and each cross table by month."""
    grupos: list[tuple[str, ...]] = [] if "municipio" in medida.dimensiones else [("mes",)]
    grupos += [(d, "mes") for d in medida.dimensiones]
    grupos += [(a, b, "mes") for a, b in Calculo(medida, Periodos(2000, "mes"), 2).cruces()]
    return grupos


def contar_meses(anio: int, meses: list[str], momento: datetime) -> dict[str, dict[str, dict]]:
    """{month: {measure: the counts a `Calculo` asks for}} of some months of one year. Each
    statement runs once for all of them (from the first to the last, grouped by month); a
    month in between that is not asked for is left out."""
    pedidos = sorted(meses)
    por_mes: dict[str, dict[str, dict]] = {mes: {clave: {} for clave in MEDIDAS} for mes in pedidos}
    for clave, medida in MEDIDAS.items():
        for grupo in agrupaciones(medida):
            filas = consultas.contar(clave, grupo, anio, meses=(pedidos[0], pedidos[-1]), momento=momento)
            # What `Calculo._contar` is asked for: a cross table without its month.
            propio = grupo if len(grupo) < 3 else grupo[:2]
            for mes in pedidos:
                por_mes[mes][clave][propio] = {}
            for fila, n in filas.items():
                mes = fila[-1]
                if mes in por_mes:
                    por_mes[mes][clave][propio][fila if len(grupo) < 3 else fila[:2]] = n
    return por_mes


def proteger_mes(mes: str, conteos: dict[str, dict], umbral: int, instituciones: dict[str, str]) -> dict:
    """{measure: its block} of one month (the form ensamblado.py reads):
    - "total": the month's total as published (None for a measure of mentions);
    - "retenida": true when the total is under k, and nothing else of the measure is shown;
    - "lineas": {dimension: {category: cell}} for every row the table shows whose cell is not a
      published 0 (a missing row is a published 0);
    - "cruces": {"a|b": [[row, column, cell], …] likewise, or None when withheld whole}.
    A measure with nothing that month is {"total": 0}."""
    periodos = Periodos(int(mes[:4]), "mes")
    bloque = {}
    with sin_recolector_de_ciclos():
        for clave, medida in MEDIDAS.items():
            contados = conteos[clave]
            antes = set(contados)
            calculo = Calculo.revisado(medida, periodos, umbral, instituciones, conteos=contados)
            bloque[clave] = _publicado(calculo, umbral)
            if set(contados) != antes:  # it counted the whole year itself: a grouping is missing
                raise RuntimeError(f"{clave}: el cálculo del mes pidió agrupaciones no contadas.")
    return bloque


def _publicado(calculo: Calculo, k: int) -> dict:
    medida = calculo.medida
    total = None if calculo.total is None else calculo.total.publicar(k)
    if calculo.retenida:
        return {"total": total, "retenida": True}
    if total == 0:
        return {"total": 0}
    lineas = {}
    for dimension in medida.dimensiones:
        anual = calculo.anual(dimension)
        lineas[dimension] = {c: valor for c, celda in anual.celdas.items()
                             if (valor := celda.publicar(k)) != 0 and calculo.mostrar(dimension, celda.valor, c)}
    cruces = {}
    for a, b in calculo.cruces():
        tabla = calculo.cruce(a, b)
        cruces[f"{a}|{b}"] = None if tabla.retenida else [
            [f, c, valor] for (f, c), celda in tabla.celdas.items() if (valor := celda.publicar(k)) != 0]
    return {"total": total, "lineas": lineas, "cruces": cruces}


# ---- medians: of a year, up to its last month published ---------------------------------------

def _mediana(grupo: tuple[int, float] | None, umbral: int, unidad: str):
    """A median is published only over at least k rows; under k it is "n.d." (the group's
    size itself is never published)."""
    if grupo is None:
        return None
    n, horas = grupo
    if n < umbral:
        return NO_DISPONIBLE
    return round(horas / 24 if unidad == "días" else horas, 1)


def medianas_del_anio(anio: int, hasta: str, umbral: int, instituciones: dict[str, str]) -> dict[str, dict]:
    """{scope: {median key: {row: value}}} of one year's rows up to `hasta` ('YYYY-MM'), for
    the State ("estado"), every municipality ("municipio:32010") and every institution
    ("institucion:FGJEZ"). A scope's page shows the groups its own view allows (a
    municipality's never lists institutions). Grouped by the scope's dimension, a handful of
    statements answers every scope."""
    ambitos = {"estado": {}} | {f"municipio:{m}": {} for m in municipios()} | {
        f"institucion:{s}": {} for s in instituciones}
    for clave, (_titulo, unidad, dimensiones, _nota) in MEDIANAS.items():
        valores = consultas.medianas_por(clave, (), anio, hasta=hasta)
        ambitos["estado"][f"{clave}.total"] = {"total": _mediana(valores.get(("total",)), umbral, unidad)}
        for dimension in dimensiones:
            grupos = consultas.medianas_por(clave, (dimension,), anio, hasta=hasta)
            ambitos["estado"][f"{clave}.{dimension}"] = _en_orden(
                dimension, {g[0]: v for g, v in grupos.items()}, umbral, unidad, instituciones)
        for tipo in ("municipio", "institucion"):
            totales = consultas.medianas_por(clave, (tipo,), anio, hasta=hasta)
            por_grupo = {dimension: consultas.medianas_por(clave, (tipo, dimension), anio, hasta=hasta)
                         for dimension in dimensiones if dimension not in ("municipio", "institucion")}
            for ambito, medianas in ambitos.items():
                if not ambito.startswith(tipo + ":"):
                    continue
                propia = ambito.split(":", 1)[1]
                medianas[f"{clave}.total"] = {"total": _mediana(totales.get((propia,)), umbral, unidad)}
                for dimension, grupos in por_grupo.items():
                    medianas[f"{clave}.{dimension}"] = _en_orden(
                        dimension, {g[1]: v for g, v in grupos.items() if g[0] == propia}, umbral, unidad,
                        instituciones)
    return ambitos


def _en_orden(dimension: str, grupos: dict, umbral: int, unidad: str, instituciones: dict[str, str]) -> dict:
    categorias = _categorias_dimension(dimension, instituciones)
    return {c: _mediana(grupos[c], umbral, unidad) for c in categorias if c in grupos}
