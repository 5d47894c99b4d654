"""Property tests of small-cell suppression (casos/estadisticas/supresion.py and the order in
which casos/estadisticas/publicacion.py chains tables), on random tables.

Two attacks that do not share code with the algorithm:
- linear algebra: every equation a reader knows (rows and columns add up to their totals,
  months to quarters, quarters to the year, the same cell in two tables is one unknown),
  solved exactly (reduced row echelon form over the rationals): a cell is recovered iff the
  unit vector of its unknown lies in the row space;
- interval narrowing, as a person with a spreadsheet would: each suppressed cell starts in
  what its mark says ("<10": 1..9; "s": 10 or more; "—" or unpublished: 0 or more) and every
  equation narrows every cell in it until nothing changes; a cell narrowed to one value is
  recovered.
"""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casos.estadisticas import publicacion
from casos.estadisticas.supresion import (
    COMPLEMENTARIA,
    LIBRE,
    PRIMARIA,
    PUBLICADA,
    RETENIDA,
    Celda,
    Tabla1D,
    Tabla2D,
    fija,
)

K = 10
VALORES = st.sampled_from([0, 0, 0, 1, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 15, 19, 20, 25, 40, 90])
AJUSTES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- the attacker -----------------------------------------------------------------------------

class Lector:
    """What a reader knows: cells by a meaning (a key), and equations between them."""

    def __init__(self, umbral=K):
        self.k = umbral
        self.publicado: dict = {}   # key -> int
        self.marcas: dict = {}      # key -> PRIMARIA / COMPLEMENTARIA / LIBRE
        self.verdad: dict = {}      # key -> true value (to check the tables, never to attack)
        self.ecuaciones: list[tuple[list, object]] = []  # (keys adding up, key of their total)

    def ver(self, clave, celda: Celda):
        assert self.verdad.setdefault(clave, celda.valor) == celda.valor, clave
        if celda.estado == PUBLICADA:
            assert self.marcas.get(clave) in (None,), f"{clave} publicada aquí y suprimida en otro cuadro"
            self.publicado[clave] = celda.valor
        else:
            assert clave not in self.publicado, f"{clave} suprimida aquí y publicada en otro cuadro"
            previa = self.marcas.get(clave)
            # The same meaning may be withheld in one table and marked in another: the
            # reader keeps the more telling mark.
            self.marcas[clave] = celda.estado if previa in (None, LIBRE, RETENIDA) else previa

    def suma(self, partes, total):
        self.ecuaciones.append((list(partes), total))

    def incognitas(self):
        return [c for c in self.marcas]

    def recuperables_por_algebra(self) -> set:
        """Unknowns whose value follows from the equations (exact sparse RREF)."""
        filas = []
        for partes, total in self.ecuaciones:
            fila: dict = {}
            for clave, coef in [(p, 1) for p in partes] + [(total, -1)]:
                if clave in self.marcas:
                    fila[clave] = fila.get(clave, 0) + coef
            fila = {c: Fraction(v) for c, v in fila.items() if v}
            if fila:
                filas.append(fila)
        pivotes: dict = {}  # column -> row (dict) with 1 at the column
        for fila in filas:
            for col, base in pivotes.items():
                if col in fila:
                    factor = fila[col]
                    for c, v in base.items():
                        nuevo = fila.get(c, 0) - factor * v
                        if nuevo:
                            fila[c] = nuevo
                        else:
                            fila.pop(c, None)
            if not fila:
                continue
            col = min(fila, key=repr)
            factor = fila[col]
            fila = {c: v / factor for c, v in fila.items()}
            for otra in pivotes.values():
                if col in otra:
                    f = otra[col]
                    for c, v in fila.items():
                        nuevo = otra.get(c, 0) - f * v
                        if nuevo:
                            otra[c] = nuevo
                        else:
                            otra.pop(c, None)
            pivotes[col] = fila
        return {col for col, fila in pivotes.items() if len(fila) == 1}

    def recuperables_por_intervalos(self) -> set:
        cotas = {}
        for clave, marca in self.marcas.items():
            cotas[clave] = ((1, self.k - 1) if marca == PRIMARIA else
                            (self.k, math.inf) if marca == COMPLEMENTARIA else (0, math.inf))
        cambio = True
        while cambio:
            cambio = False
            for partes, total in self.ecuaciones:
                terminos = [(p, 1) for p in partes] + [(total, -1)]
                constante = -sum(c * self.publicado[p] for p, c in terminos if p in self.publicado)
                libres = [(p, c) for p, c in terminos if p in cotas]
                for p, c in libres:
                    # c*x_p = constante - sum(others)
                    bajo = alto = Fraction(constante)
                    for q, d in libres:
                        if q is p:
                            continue
                        lo, hi = cotas[q]
                        bajo -= d * (hi if d > 0 else lo)
                        alto -= d * (lo if d > 0 else hi)
                    if c < 0:
                        bajo, alto = -alto, -bajo
                    lo, hi = cotas[p]
                    nuevo = (max(lo, math.ceil(bajo)) if bajo != -math.inf else lo,
                             min(hi, math.floor(alto)) if alto != math.inf else hi)
                    if nuevo != cotas[p]:
                        cotas[p] = nuevo
                        cambio = True
        verdad_fuera = [p for p, (lo, hi) in cotas.items() if not lo <= self.verdad[p] <= hi]
        assert not verdad_fuera, f"las cotas excluyen el valor real: {verdad_fuera}"
        return {p for p, (lo, hi) in cotas.items() if lo == hi}

    def comprobar(self):
        # A withheld cell matters if it hides a small count: a zero (all its line is zero) or
        # a count >= k could have been published anyway.
        protegidas = {c for c, m in self.marcas.items() if m in (PRIMARIA, COMPLEMENTARIA)
                      or (m == RETENIDA and 0 < self.verdad[c] < self.k)}
        assert not protegidas & self.recuperables_por_algebra(), "una celda suprimida se despeja"
        assert not protegidas & self.recuperables_por_intervalos(), "una celda suprimida queda fija"


def _ver_1d(lector, tabla: Tabla1D, clave_de, total_clave):
    for categoria, celda in tabla.celdas.items():
        lector.ver(clave_de(categoria), celda)
    if tabla.total is not None:
        lector.ver(total_clave, tabla.total)
        lector.suma([clave_de(c) for c in tabla.celdas], total_clave)


def _ver_2d(lector, tabla: Tabla2D, clave_celda, clave_fila, clave_columna, clave_total,
            suma_filas=True, suma_columnas=True):
    for (f, c), celda in tabla.celdas.items():
        lector.ver(clave_celda(f, c), celda)
    for f, celda in tabla.totales_fila.items():
        lector.ver(clave_fila(f), celda)
        if suma_filas:
            lector.suma([clave_celda(f, c) for c in tabla.columnas], clave_fila(f))
    for c, celda in tabla.totales_columna.items():
        lector.ver(clave_columna(c), celda)
        if suma_columnas:
            lector.suma([clave_celda(f, c) for f in tabla.filas], clave_columna(c))
    lector.ver(clave_total, tabla.total)


def _publicadas_validas(celdas):
    for celda in celdas:
        if celda.estado == PUBLICADA:
            assert celda.valor == 0 or celda.valor >= K, celda
        else:
            assert celda.estado in (PRIMARIA, COMPLEMENTARIA, RETENIDA, LIBRE)
        if celda.estado == PRIMARIA:
            assert 0 < celda.valor < K
        if celda.estado == COMPLEMENTARIA:
            assert celda.valor >= K


# ---- one table and its totals -----------------------------------------------------------------

tablas = st.integers(1, 5).flatmap(lambda filas: st.integers(1, 5).flatmap(
    lambda columnas: st.lists(st.lists(VALORES, min_size=columnas, max_size=columnas),
                              min_size=filas, max_size=filas)))


def _proteger_tabla(matriz):
    filas, columnas = range(len(matriz)), range(len(matriz[0]))
    valores = {(f, c): matriz[f][c] for f in filas for c in columnas}
    total = sum(valores.values())
    grande = fija(total, PRIMARIA if 0 < total < K else PUBLICADA)
    por_fila = Tabla1D.crear({f: sum(matriz[f]) for f in filas}, grande, K)
    por_columna = Tabla1D.crear({c: sum(matriz[f][c] for f in filas) for c in columnas}, grande, K)
    tabla = Tabla2D.crear(filas, columnas, valores, K,
                          totales_fila={f: fija(x.valor, x.estado) for f, x in por_fila.celdas.items()},
                          totales_columna={c: fija(x.valor, x.estado) for c, x in por_columna.celdas.items()},
                          total=grande)
    return por_fila, por_columna, tabla


@AJUSTES
@given(tablas)
def test_una_tabla_con_sus_totales(matriz):
    por_fila, por_columna, tabla = _proteger_tabla(matriz)
    todas = [*tabla.celdas.values(), *tabla.totales_fila.values(), *tabla.totales_columna.values()]
    _publicadas_validas(todas)
    _publicadas_validas([*por_fila.celdas.values(), *por_columna.celdas.values()])

    # No line with a published total has exactly one hidden cell.
    for f in tabla.filas:
        linea = [tabla.celdas[f, c] for c in tabla.columnas] + [tabla.totales_fila[f]]
        assert sum(c.estado != PUBLICADA for c in linea) != 1, f"fila {f}"
    for c in tabla.columnas:
        linea = [tabla.celdas[f, c] for f in tabla.filas] + [tabla.totales_columna[c]]
        assert sum(x.estado != PUBLICADA for x in linea) != 1, f"columna {c}"

    lector = Lector()
    _ver_1d(lector, por_fila, lambda f: ("fila", f), "total")
    _ver_1d(lector, por_columna, lambda c: ("columna", c), "total")
    _ver_2d(lector, tabla, lambda f, c: ("celda", f, c), lambda f: ("fila", f),
            lambda c: ("columna", c), "total")
    lector.comprobar()
    # The algorithm's own audit agrees: nothing it marked is pinned (a withheld zero may be).
    assert not [a for a in tabla.red().fijadas() if a.celda.estado != RETENIDA or a.celda.valor]


@AJUSTES
@given(tablas)
def test_la_misma_tabla_se_suprime_igual(matriz):
    """Two requests must never show two different patterns (their union would reveal more)."""
    uno, dos = _proteger_tabla(matriz)[2], _proteger_tabla(matriz)[2]
    assert [c.estado for c in uno.celdas.values()] == [c.estado for c in dos.celdas.values()]


@AJUSTES
@given(tablas)
def test_sin_totales_publicados_solo_se_ocultan_las_pequenas(matriz):
    """Mentions (incidents by type): unpublished sums tie nothing, so only "<10" is needed."""
    filas, columnas = range(len(matriz)), range(len(matriz[0]))
    tabla = Tabla2D.crear(filas, columnas, {(f, c): matriz[f][c] for f in filas for c in columnas}, K)
    for celda in tabla.celdas.values():
        assert celda.estado == (PRIMARIA if 0 < celda.valor < K else PUBLICADA)


def test_dos_menores_que_suman_un_total_publicado_no_quedan_a_la_vista():
    """[9, 9 | 18]: two "<10" adding up to a published 18 are both 9. Two cells per line is
    not enough; the row is withheld instead."""
    filas, columnas, tabla = _proteger_tabla([[9, 9], [30, 40]])
    assert {tabla.celdas[0, 0].estado, tabla.celdas[0, 1].estado} <= {RETENIDA, COMPLEMENTARIA}
    lector = Lector()
    _ver_1d(lector, filas, lambda f: ("fila", f), "total")
    _ver_1d(lector, columnas, lambda c: ("columna", c), "total")
    _ver_2d(lector, tabla, lambda f, c: ("celda", f, c), lambda f: ("fila", f),
            lambda c: ("columna", c), "total")
    lector.comprobar()


def test_un_complemento_de_exactamente_k_no_basta():
    """[1 | 10 | total 11]: "<10" + "s" (s >= 10) = 11 pins both; a third cell is needed."""
    linea = Tabla1D.crear({"a": 1, "b": 10, "c": 25}, fija(36), K)
    assert linea.celdas["a"].estado == PRIMARIA
    assert linea.celdas["c"].estado == COMPLEMENTARIA
    lector = Lector()
    _ver_1d(lector, linea, lambda c: c, "total")
    lector.comprobar()


def test_una_linea_que_no_se_puede_proteger_se_retiene():
    linea = Tabla1D.crear({"a": 1, "b": 10}, fija(11), K)
    assert linea.retenida and all(c.estado == RETENIDA for c in linea.celdas.values())


# ---- the chain of tables of one year (publicacion.Calculo), without a database ----------------

NIVELES = ["bajo", "medio", "alto", "extremo", "sin_valorar"]
REGISTROS = st.lists(st.tuples(st.sampled_from(["32001", "32017", "32056"]), st.sampled_from(NIVELES),
                               st.integers(1, 12)), min_size=0, max_size=220)
MEDIDA = publicacion.Medida("prueba", "Prueba", ("municipio", "nivel_riesgo"))


def calculo_de_prueba(registros):
    """The real chain of tables and its final review (Calculo.revisado), fed from a list
    instead of SQL."""

    class CalculoDePrueba(publicacion.Calculo):
        def _contar(self, *agrupar):
            conteo: dict = {}
            for municipio, nivel, mes in registros:
                valores = {"municipio": municipio, "nivel_riesgo": nivel, "mes": f"2025-{mes:02d}"}
                clave = tuple(valores[a] for a in agrupar)
                conteo[clave] = conteo.get(clave, 0) + 1
            return conteo

    return CalculoDePrueba.revisado(MEDIDA, publicacion.Periodos(2025, "mes"), K)


def _lector_de_calculo(calculo) -> Lector:
    """Every table a reader can download for the year, as one system of equations. A key is
    the meaning of a cell: (dimension, category, period); "*" is "all"."""
    p = calculo.p
    lector = Lector()
    anio = str(p.anio)
    if calculo.total is None or calculo.total.suprimida:
        return lector
    lector.ver(("*", "*", anio), calculo.total)
    _ver_1d(lector, calculo.serie_trimestres, lambda t: ("*", "*", t), ("*", "*", anio))
    for i, serie in enumerate(calculo.series_meses):
        _ver_1d(lector, serie, lambda m: ("*", "*", m), ("*", "*", p.trimestres[i]))
    for dimension in calculo.medida.dimensiones:
        _ver_1d(lector, calculo.anual(dimension), lambda c, d=dimension: (d, c, anio), ("*", "*", anio))
        _ver_2d(lector, calculo.por_trimestre(dimension), lambda c, t, d=dimension: (d, c, t),
                lambda c, d=dimension: (d, c, anio), lambda t: ("*", "*", t), ("*", "*", anio))
        for i in range(4):
            t = p.trimestres[i]
            _ver_2d(lector, calculo.por_mes_de_trimestre(dimension, i),
                    lambda c, m, d=dimension: (d, c, m), lambda c, d=dimension, t=t: (d, c, t),
                    lambda m: ("*", "*", m), ("*", "*", t))
    # What a municipality's page shows is a row of this table; from the other side too.
    cruce = calculo.cruce("nivel_riesgo", "municipio")
    _ver_2d(lector, cruce, lambda a, b: ("cruce", a, b), lambda a: ("municipio", a, anio),
            lambda b: ("nivel_riesgo", b, anio), ("*", "*", anio))
    return lector


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REGISTROS)
def test_todos_los_cuadros_del_anio_juntos(registros):
    """Months, quarters, the year, two dimensions and their cross table: the same meaning is
    suppressed alike everywhere, and the whole system recovers no suppressed cell."""
    lector = _lector_de_calculo(calculo_de_prueba(registros))
    for clave, valor in lector.publicado.items():
        assert valor == 0 or valor >= K, clave
    lector.comprobar()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REGISTROS, st.sampled_from(NIVELES), st.integers(1, 12))
def test_dos_publicaciones_que_difieren_en_un_caso(registros, nivel, mes):
    """A reader holds the year before and after one more case (the data change between two
    downloads). Each publication is safe on its own, and a count published in both moves by
    at most one. (A cell that goes from "<10" to 10 does tell that it was 9: every live
    publication has that limit; see DESIGN.md, "Statistics".)"""
    antes = _lector_de_calculo(calculo_de_prueba(registros))
    despues = _lector_de_calculo(calculo_de_prueba([*registros, ("32017", nivel, mes)]))
    antes.comprobar()
    despues.comprobar()
    # The new case changes exactly the cells it belongs to, by one: a cell published in both
    # publications changes by 0 or 1, so no published difference isolates more than it.
    for clave in antes.publicado.keys() & despues.publicado.keys():
        assert despues.publicado[clave] - antes.publicado[clave] in (0, 1), clave
