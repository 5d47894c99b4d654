"""A page of an edition: the tables of one year, granularity and scope, assembled from the
edition's months (bloques.py). Pure: no Flask, no SQL.

A month's cell is shown as its month published it. Anything longer — a quarter, the year, the
year of a municipality, of a cross table — is only ever a function of what the months
published (`sumar`): a count when every month published its part, else a mark that says no
more than those parts already say. So no sum adds an equation a reader could solve for a
hidden month cell, and a later edition, which only adds months, changes a sum by exactly the
new months' published cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from casos.catalogos import municipios
from casos.estadisticas import indicadores
from casos.estadisticas.publicacion import (
    DIMENSIONES,
    MEDIANAS,
    MEDIDAS,
    MESES,
    ORDEN_CRUCE,
    TRIMESTRES,
    Ambito,
    Cuadro,
    Medida,
    Publicacion,
    _categorias_dimension,
)
from casos.estadisticas.supresion import MARCA_COMPLEMENTARIA, NO_DISPONIBLE, marca_primaria

MESES_COMPLETOS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                   "septiembre", "octubre", "noviembre", "diciembre")
NOTA_RETENIDAS = ("«—»: no publicable: una cifra de ese periodo se retuvo, o la suma incluye cifras "
                  "suprimidas de varios meses.")


def nombre_del_mes(mes: str) -> str:
    """'2026-10' -> 'octubre de 2026'."""
    return f"{MESES_COMPLETOS[int(mes[5:7]) - 1]} de {mes[:4]}"


def sumar(partes: list, umbral: int):
    """The sum of published cells as a reader could work it out, and nothing more: a count
    when every part is a count; the part's own mark when it is the only part not a published
    0; "s" when the parts' marks alone already say the sum is at least k ("<k" is 1 to k-1,
    "s" at least k, None at least 0); else None ("—")."""
    conocido, ocultas = 0, []
    for parte in partes:
        if isinstance(parte, int):
            conocido += parte
        else:
            ocultas.append(parte)
    if not ocultas:
        return conocido
    if len(ocultas) == 1 and conocido == 0:
        return ocultas[0]
    minimo = conocido + sum(1 if p == marca_primaria(umbral) else umbral if p == MARCA_COMPLEMENTARIA else 0
                            for p in ocultas)
    return MARCA_COMPLEMENTARIA if minimo >= umbral else None


@dataclass(frozen=True)
class Contenido:
    """An edition's stored content, parsed once (ediciones.py keeps it while it is served)."""

    umbral: int
    gracia_dias: int
    instituciones: dict[str, str]
    meses: dict[str, dict[str, dict]]  # month -> measure -> block (cross tables as dicts)
    medianas: dict[str, dict[str, dict]]  # year -> scope -> median key -> {row: value}
    revision: dict | None = None  # the last revision (ediciones.revisar), if any

    @classmethod
    def de_json(cls, datos: dict) -> Contenido:
        meses = {}
        for mes, medidas in datos["meses"].items():
            meses[mes] = {}
            for clave, bloque in medidas.items():
                if "cruces" in bloque:
                    bloque = {**bloque, "cruces": {
                        par: None if celdas is None else {(f, c): v for f, c, v in celdas}
                        for par, celdas in bloque["cruces"].items()}}
                meses[mes][clave] = bloque
        return cls(datos["umbral"], datos["gracia_dias"], datos["instituciones"], meses, datos["medianas"],
                   datos.get("revision"))

    @cached_property
    def anios(self) -> list[int]:
        """The years with a month in this edition, newest first."""
        return sorted({int(m[:4]) for m in self.meses}, reverse=True)

    def meses_de(self, anio: int) -> list[str]:
        return sorted(m for m in self.meses if m.startswith(f"{anio}-"))


# ---- one month's cell ----------------------------------------------------------------------------

def _total(bloque: dict):
    return bloque["total"]


def _linea(bloque: dict, dimension: str, categoria: str):
    if bloque.get("retenida"):
        return None
    if "lineas" not in bloque:  # nothing that month
        return 0
    return bloque["lineas"][dimension].get(categoria, 0)


def _cruce(bloque: dict, a: str, fila: str, b: str, columna: str):
    """The cell of the cross table of `a` by `b`, whatever the order it is kept in."""
    if bloque.get("retenida"):
        return None
    if "lineas" not in bloque:
        return 0
    if ORDEN_CRUCE.index(a) > ORDEN_CRUCE.index(b):
        a, fila, b, columna = b, columna, a, fila
    celdas = bloque["cruces"][f"{a}|{b}"]
    return None if celdas is None else celdas.get((fila, columna), 0)


# ---- a page --------------------------------------------------------------------------------------

class _Anio:
    """One measure's months of one year in an edition, and sums over them."""

    def __init__(self, contenido: Contenido, anio: int, medida: Medida):
        self.c, self.anio, self.medida, self.k = contenido, anio, medida, contenido.umbral
        self.meses = contenido.meses_de(anio)
        self.bloques = {m: contenido.meses[m][medida.clave] for m in self.meses}

    def periodos(self, granularidad: str) -> list[tuple[str, list[str]]]:
        """(key, its months in the edition) of each period shown: the months published; each
        quarter with at least one; the year."""
        if granularidad == "mes":
            return [(m, [m]) for m in self.meses]
        if granularidad == "trimestre":
            return [(f"{self.anio}-{t}", propios) for i, t in enumerate(TRIMESTRES)
                    if (propios := [m for m in self.meses if (int(m[5:7]) - 1) // 3 == i])]
        return [(str(self.anio), self.meses)]

    def columnas(self, granularidad: str) -> list[tuple[str, str]]:
        columnas = []
        for clave, propios in self.periodos(granularidad):
            if granularidad == "mes":
                nombre = f"{MESES[int(clave[5:7]) - 1]} {self.anio}"
            elif granularidad == "trimestre":
                nombre = f"{clave[5:]} {self.anio}" + _parcial(propios, 3)
            else:
                nombre = str(self.anio) + _parcial(propios, 12)
            columnas.append((clave, nombre))
        return columnas

    def sobre(self, meses: list[str], celda) -> object:
        return sumar([celda(self.bloques[m]) for m in meses], self.k)

    def serie(self, granularidad: str, celda) -> list:
        return [self.sobre(propios, celda) for _, propios in self.periodos(granularidad)]

    def del_anio(self, celda):
        return self.sobre(self.meses, celda)

    def categorias(self, dimension: str, presentes) -> list[tuple[str, str]]:
        """The catalogue's rows, and any other value some month shows (`presentes`)."""
        base = _categorias_dimension(dimension, self.c.instituciones)
        extra = sorted({c for c in presentes if c not in base}, key=str)
        return list(base.items()) + [(c, c) for c in extra]

    def en_lineas(self, dimension: str) -> set:
        return {c for b in self.bloques.values() for c in b.get("lineas", {}).get(dimension, {})}

    def en_cruces(self, a: str, clave: str, b: str) -> set:
        """Values of `b` some month shows beside the scope's category `clave` of `a`."""
        par, propia = ((a, b), 0) if ORDEN_CRUCE.index(a) < ORDEN_CRUCE.index(b) else ((b, a), 1)
        valores = set()
        for bloque in self.bloques.values():
            celdas = bloque.get("cruces", {}).get(f"{par[0]}|{par[1]}") or {}
            valores |= {par_celda[1 - propia] for par_celda in celdas if par_celda[propia] == clave}
        return valores


def _parcial(meses: list[str], todos: int) -> str:
    if len(meses) == todos:
        return ""
    primero, ultimo = (MESES_COMPLETOS[int(m[5:7]) - 1] for m in (meses[0], meses[-1]))
    return f" ({primero})" if len(meses) == 1 else f" ({primero} a {ultimo})"


def _tasa(valor, mujeres: int):
    """The rate of a published count; of a withheld one, "n.d." (and "—" stays "—")."""
    if isinstance(valor, int) and mujeres:
        return round(valor * 100_000 / mujeres, 1)
    return None if valor is None else NO_DISPONIBLE


def _cuadro(clave, titulo, dimension, filas, columnas, celdas, **otros) -> Cuadro:
    cuadro = Cuadro(clave, titulo, dimension, filas, columnas, celdas, **otros)
    vacias = [v is None for fila in celdas for v in fila]
    cuadro.retenido = bool(vacias) and all(vacias)
    if any(vacias) and not cuadro.retenido:
        cuadro.nota = " ".join(filter(None, (cuadro.nota, NOTA_RETENIDAS)))
    return cuadro


NOTA_TASA = "Tasa anual por cada 100 000 mujeres del municipio (Censo 2020)."


def _cuadros_estado(anio: _Anio, granularidad: str) -> list[Cuadro]:
    medida = anio.medida
    columnas = anio.columnas(granularidad)
    cuadros = []
    if not medida.multiple:
        cuadros.append(_cuadro(f"{medida.clave}.periodo", f"{medida.titulo} por periodo", None,
                               [("total", "Total")], columnas, [anio.serie(granularidad, _total)],
                               totales_fila=[anio.del_anio(_total)]))
    for dimension in medida.dimensiones:
        filas = anio.categorias(dimension, anio.en_lineas(dimension))
        celdas = [anio.serie(granularidad, lambda b, d=dimension, c=c: _linea(b, d, c)) for c, _ in filas]
        del_anio = [anio.del_anio(lambda b, d=dimension, c=c: _linea(b, d, c)) for c, _ in filas]
        if medida.multiple:
            totales_columna = total = None
        elif granularidad == "anio":
            totales_columna, total = [anio.del_anio(_total)], None
        else:
            totales_columna, total = anio.serie(granularidad, _total), anio.del_anio(_total)
        cuadro = _cuadro(f"{medida.clave}.{dimension}", f"{medida.titulo} por {DIMENSIONES[dimension].lower()}",
                         dimension, filas, columnas, celdas,
                         totales_fila=None if granularidad == "anio" else del_anio,
                         totales_columna=totales_columna, total=total)
        if dimension == "municipio" and medida.clave == "casos":
            cuadro.tasas = [_tasa(v, municipios()[c].mujeres) if c in municipios() else None
                            for (c, _), v in zip(filas, del_anio)]
            cuadro.nota = " ".join(filter(None, (cuadro.nota, NOTA_TASA)))
        cuadros.append(cuadro)
    return cuadros


def _cuadros_ambito(anio: _Anio, ambito: Ambito, granularidad: str) -> list[Cuadro]:
    """A municipality's or an institution's view: its row of each state table, and its row of
    each cross table for the year."""
    medida, tipo, clave = anio.medida, ambito.tipo, ambito.clave
    if tipo not in medida.dimensiones and not medida.multiple:
        return []
    cuadros = []
    if not medida.multiple:
        def propia(b):
            return _linea(b, tipo, clave)

        total = anio.del_anio(propia)
        cuadro = _cuadro(f"{medida.clave}.periodo", f"{medida.titulo} por periodo", None,
                         [(clave, ambito.nombre)], anio.columnas(granularidad),
                         [anio.serie(granularidad, propia)], totales_fila=[total])
        if tipo == "municipio" and medida.clave == "casos" and clave in municipios():
            cuadro.tasas = [_tasa(total, municipios()[clave].mujeres)]
            cuadro.nota = " ".join(filter(None, (cuadro.nota, NOTA_TASA)))
        cuadros.append(cuadro)
    for dimension in medida.dimensiones:
        if dimension == tipo:
            continue
        filas = anio.categorias(dimension, anio.en_cruces(tipo, clave, dimension))
        celdas = [[anio.del_anio(lambda b, d=dimension, c=c: _cruce(b, tipo, clave, d, c))] for c, _ in filas]
        cuadros.append(_cuadro(
            f"{medida.clave}.{dimension}", f"{medida.titulo} por {DIMENSIONES[dimension].lower()}",
            dimension, filas, anio.columnas("anio"), celdas,
            totales_columna=None if medida.multiple else [anio.del_anio(lambda b: _linea(b, tipo, clave))]))
    return cuadros


def _medianas(contenido: Contenido, anio: int, ambito: Ambito) -> list[dict]:
    propias = contenido.medianas.get(str(anio), {}).get(
        "estado" if ambito.tipo == "estado" else f"{ambito.tipo}:{ambito.clave}", {})
    resultado = []
    for clave, (titulo, unidad, dimensiones, nota) in MEDIANAS.items():
        for dimension in (None, *dimensiones):
            valores = propias.get(f"{clave}.{dimension or 'total'}")
            if valores is None:
                continue
            categorias = {"total": "Total"} if dimension is None else _categorias_dimension(
                dimension, contenido.instituciones)
            resultado.append({
                "clave": f"{clave}.{dimension or 'total'}",
                "titulo": titulo if dimension is None else f"{titulo} por {DIMENSIONES[dimension].lower()}",
                "unidad": unidad, "dimension": dimension,
                "filas": [{"clave": c, "nombre": categorias.get(c, c)} for c in valores],
                "valores": list(valores.values()), "nota": nota})
    return resultado


def publicacion(contenido: Contenido, anio: int, granularidad: str, ambito: Ambito) -> Publicacion:
    """The page of one year, granularity and scope of an edition (`edicion` is set by the
    caller, which knows the edition's number and date)."""
    k = contenido.umbral
    columnas = _Anio(contenido, anio, next(iter(MEDIDAS.values()))).columnas(granularidad)
    pagina = Publicacion(anio, granularidad, ambito, k, columnas)
    for clave, medida in MEDIDAS.items():
        del_anio = _Anio(contenido, anio, medida)
        total = None if medida.multiple else del_anio.del_anio(_total)
        if total == marca_primaria(k):
            # Under k in the whole year: only that is said (as a year always was).
            pagina.cuadros[clave] = []
            pagina.resumen[clave] = total
            continue
        if ambito.tipo == "estado":
            pagina.cuadros[clave] = _cuadros_estado(del_anio, granularidad)
        else:
            pagina.cuadros[clave] = _cuadros_ambito(del_anio, ambito, granularidad)
            total = (None if medida.multiple or ambito.tipo not in medida.dimensiones
                     else del_anio.del_anio(lambda b: _linea(b, ambito.tipo, ambito.clave)))
        if not medida.multiple:
            pagina.resumen[clave] = total
    pagina.medianas = _medianas(contenido, anio, ambito)
    pagina.indicadores = indicadores.disponibles(pagina)
    pagina.pendientes = indicadores.pendientes()
    return pagina
