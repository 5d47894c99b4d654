"""Small-cell suppression for published tables. Pure: no Flask, no SQL, no keys.

A table is seen as a network. Every line (a row, a column, or a one-way table) is a vertex
whose cells add up to its total; a cell is an edge between the two lines it belongs to, and
its total is one more edge of the same line, with the opposite sign. Then every vertex
"conserves flow", and the tables that agree with everything published differ from the true
one by a circulation over the suppressed cells. So a suppressed cell can be recovered exactly
if and only if no circulation can move it, and a circulation can move it by one unit if and
only if it lies on a directed cycle of the *residual* network: an arc where the cell can grow
by one, the reverse arc where it can shrink by one, within what a reader knows of it:

- a primary cell (shown "<k") is between 1 and k-1;
- a complementary cell (shown "s") is never 1..k-1 (those are all primary) and never 0 (zeros
  are never chosen): at least k;
- an unpublished total (a sum that is not a count of people: incidents by type) is >= 0.

`proteger` marks primary cells, then, while some suppressed cell lies on no such cycle,
suppresses the cheapest published cells (smallest counts) that close one (Dijkstra). This is
stronger than "two suppressed cells per line": a line with two suppressed cells can still pin
both (a bridge between two cycles; two "<10" cells adding up to 2).

Tables that share totals (cases by municipality, cases by municipality and month, cases by
municipality and age band) are protected one after another: totals are protected in their
own table first and arrive fixed ("fijas") in the larger one, which may only suppress inner
cells. Each larger table also keeps its suppressed totals of one kind (row totals, column
totals) connected through suppressed inner cells, so that it adds no equation about those
totals beyond their sum, which their own table already publishes; several tables together
then can't pin a total either. See docs/DESIGN.md, "Statistics".
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

PUBLICADA = "publicada"
PRIMARIA = "primaria"
COMPLEMENTARIA = "complementaria"
# Withheld ("—"): a cell that no suppression could protect. A reader knows only that it is
# >= 0, and it must stay unrecoverable like a suppressed one.
RETENIDA = "retenida"
# Not published because it is not a count of anyone (a sum of mentions): >= 0, and nothing
# to protect.
LIBRE = "libre"
SUPRIMIDAS = frozenset({PRIMARIA, COMPLEMENTARIA, RETENIDA, LIBRE})
PROTEGIDAS = frozenset({PRIMARIA, COMPLEMENTARIA, RETENIDA})
MARCA_COMPLEMENTARIA = "s"


def marca_primaria(umbral: int) -> str:
    return f"<{umbral}"


@dataclass(eq=False)
class Celda:
    valor: int
    estado: str = PUBLICADA
    candidata: bool = True  # may still be suppressed to protect another cell

    @property
    def suprimida(self) -> bool:
        return self.estado in SUPRIMIDAS

    def publicar(self, umbral: int) -> int | str | None:
        """What a reader sees: the count, "<k", "s", or nothing."""
        if self.estado == PUBLICADA:
            return self.valor
        if self.estado == PRIMARIA:
            return marca_primaria(umbral)
        if self.estado == COMPLEMENTARIA:
            return MARCA_COMPLEMENTARIA
        return None


def fija(valor: int, estado: str = PUBLICADA) -> Celda:
    """A total already protected in its own table: published or suppressed there, never here."""
    return Celda(valor, estado, candidata=False)


def primaria(valor: int, umbral: int) -> Celda:
    return Celda(valor, PRIMARIA if 0 < valor < umbral else PUBLICADA)


@dataclass(eq=False)
class _Arista:
    u: Hashable
    v: Hashable
    signo: int  # +1: an inner cell; -1: a total (it leaves the line instead of entering it)
    celda: Celda


@dataclass
class Red:
    """The cells of one table as edges between its lines."""

    umbral: int
    aristas: list[_Arista] = field(default_factory=list)
    # Lines whose suppressed totals must stay connected through inner cells: (line, lines a
    # connecting path may not cross).
    familias: list[tuple[Hashable, frozenset]] = field(default_factory=list)

    def agregar(self, u, v, signo: int, celda: Celda) -> None:
        self.aristas.append(_Arista(u, v, signo, celda))

    # ---- bounds and residual arcs ----------------------------------------------------------

    def _cotas(self, celda: Celda, estado: str | None = None) -> tuple[float, float]:
        estado = estado or celda.estado
        if estado == PRIMARIA:
            return 1, self.umbral - 1
        if estado == COMPLEMENTARIA:
            return self.umbral, math.inf
        return 0, math.inf  # withheld or unpublished

    def _movimientos(self, arista: _Arista, estado: str | None = None) -> tuple[bool, bool]:
        """(may the edge's flow grow by one, may it shrink by one) within the reader's bounds."""
        minimo, maximo = self._cotas(arista.celda, estado)
        x = arista.celda.valor
        sube, baja = x + 1 <= maximo, x - 1 >= minimo
        return (sube, baja) if arista.signo > 0 else (baja, sube)

    def _costo(self, celda: Celda) -> int:
        """Suppressing small counts loses least; but a complement of exactly k leaves a
        reader only k, k+1... and pins its partners. Counts under 2k-1 cost extra, so cells
        with room to move below (k-1 of slack) come first among similar sizes."""
        return celda.valor + 2 * max(0, 2 * self.umbral - 1 - celda.valor)

    def _es_candidata(self, arista: _Arista) -> bool:
        celda = arista.celda
        return celda.candidata and celda.estado == PUBLICADA and celda.valor >= self.umbral

    def _arcos(self, con_candidatas: bool, excluida: _Arista | None = None):
        """Adjacency: vertex -> [(next vertex, cost, edge)]. Suppressed cells cost nothing;
        a published candidate costs about its count (see `_costo`)."""
        arcos: dict = {}
        for arista in self.aristas:
            if arista is excluida:
                continue
            if arista.celda.suprimida:
                costo, estado = 0, None
            elif con_candidatas and self._es_candidata(arista):
                costo, estado = self._costo(arista.celda), COMPLEMENTARIA
            else:
                continue
            adelante, atras = self._movimientos(arista, estado)
            if adelante:
                arcos.setdefault(arista.u, []).append((arista.v, costo, arista))
            if atras:
                arcos.setdefault(arista.v, []).append((arista.u, costo, arista))
        return arcos

    @staticmethod
    def _camino(arcos, origen, destino, prohibidos=frozenset()) -> list[_Arista] | None:
        """Cheapest path (Dijkstra) to `destino`, a vertex or a set of them; ties are broken
        by insertion order, so the same table always gets the same suppression."""
        destinos = destino if isinstance(destino, (set, frozenset)) else {destino}
        if origen in prohibidos:
            return None
        distancia = {origen: 0}
        previo: dict = {}
        orden = 0
        cola = [(0, orden, origen)]
        while cola:
            costo, _, vertice = heapq.heappop(cola)
            if vertice in destinos:
                camino = []
                while vertice != origen:
                    vertice, arista = previo[vertice]
                    camino.append(arista)
                return camino[::-1]
            if costo > distancia.get(vertice, math.inf):
                continue
            for siguiente, peso, arista in arcos.get(vertice, ()):
                if siguiente in prohibidos:
                    continue
                nuevo = costo + peso
                if nuevo < distancia.get(siguiente, math.inf):
                    distancia[siguiente] = nuevo
                    previo[siguiente] = (vertice, arista)
                    orden += 1
                    heapq.heappush(cola, (nuevo, orden, siguiente))
        return None

    # ---- the algorithm ---------------------------------------------------------------------

    def movible(self, arista: _Arista) -> list[_Arista] | None:
        """A directed cycle of suppressed cells through this one, or None if it is pinned."""
        arcos = self._arcos(False, excluida=arista)
        adelante, atras = self._movimientos(arista)
        for puede, origen, destino in ((adelante, arista.v, arista.u), (atras, arista.u, arista.v)):
            if puede:
                camino = self._camino(arcos, origen, destino)
                if camino is not None:
                    return [arista, *camino]
        return None

    def _liberar(self, arista: _Arista) -> bool:
        """Suppress the cheapest published cells that put this one on a cycle."""
        arcos = self._arcos(True, excluida=arista)
        adelante, atras = self._movimientos(arista)
        mejor, mejor_costo = None, math.inf
        for puede, origen, destino in ((adelante, arista.v, arista.u), (atras, arista.u, arista.v)):
            if not puede:
                continue
            camino = self._camino(arcos, origen, destino)
            if camino is not None:
                costo = sum(self._costo(a.celda) for a in camino if not a.celda.suprimida)
                if costo < mejor_costo:
                    mejor, mejor_costo = camino, costo
        if mejor is None:
            return False
        for a in mejor:
            if not a.celda.suprimida:
                a.celda.estado = COMPLEMENTARIA
        return True

    def _conectar(self) -> bool | None:
        """Join the suppressed totals of each family through inner cells. True if it
        suppressed something, False if nothing was needed, None if impossible."""
        for linea, prohibidos in self.familias:
            de_la_linea = [a for a in self.aristas if linea in (a.u, a.v)]
            if any(a.celda.estado == LIBRE for a in de_la_linea):
                continue  # a line with an unpublished cell states no equation to protect
            # The grand total is left out: paths through it would move the other family too.
            totales = [a for a in de_la_linea if a.celda.suprimida and not {a.u, a.v} <= prohibidos]
            if len(totales) < 2:
                continue
            extremos = [a.v if a.u == linea else a.u for a in totales]
            grupo = self._componente(extremos[0], prohibidos)
            fuera = [e for e in extremos if e not in grupo]
            if not fuera:
                continue
            # One missing member at a time, from it to the group; the caller's loop comes back.
            mejor = self._camino(self._arcos_no_dirigidos(prohibidos), fuera[0], grupo, prohibidos)
            if mejor is None:
                return None
            for a in mejor:
                if not a.celda.suprimida:
                    a.celda.estado = COMPLEMENTARIA
            return True
        return False

    def _componente(self, inicio, prohibidos) -> set:
        vecinos: dict = {}
        for a in self.aristas:
            if a.celda.suprimida and a.u not in prohibidos and a.v not in prohibidos:
                vecinos.setdefault(a.u, []).append(a.v)
                vecinos.setdefault(a.v, []).append(a.u)
        visto, pila = {inicio}, [inicio]
        while pila:
            for siguiente in vecinos.get(pila.pop(), ()):
                if siguiente not in visto:
                    visto.add(siguiente)
                    pila.append(siguiente)
        return visto

    def _arcos_no_dirigidos(self, prohibidos):
        arcos: dict = {}
        for a in self.aristas:
            if a.u in prohibidos or a.v in prohibidos:
                continue
            if a.celda.suprimida:
                costo = 0
            elif self._es_candidata(a):
                costo = self._costo(a.celda)
            else:
                continue
            arcos.setdefault(a.u, []).append((a.v, costo, a))
            arcos.setdefault(a.v, []).append((a.u, costo, a))
        return arcos

    def proteger(self) -> _Arista | None:
        """Suppress until no marked cell is pinned. Returns None when done, or a cell that no
        suppression can protect (its table must then withhold a line: see Tabla2D)."""
        for arista in self.aristas:
            celda = arista.celda
            if celda.candidata and celda.estado == PUBLICADA and 0 < celda.valor < self.umbral:
                celda.estado = PRIMARIA
        verificadas: set[int] = set()
        while True:
            cambio = False
            for arista in self.aristas:
                if arista.celda.estado not in PROTEGIDAS or id(arista) in verificadas:
                    continue
                ciclo = self.movible(arista)
                if ciclo is None:
                    if not self._liberar(arista):
                        return arista
                    cambio = True
                    ciclo = self.movible(arista)
                    if ciclo is None:  # cannot happen: the new cells close a cycle
                        return arista
                # Every cell on a feasible cycle moves with it: all of them are safe.
                verificadas.update(id(a) for a in ciclo)
            conectado = self._conectar()
            if conectado is None:
                return next(a for a in self.aristas if a.celda.suprimida)
            if not (cambio or conectado):
                return None

    def fijadas(self) -> list[_Arista]:
        """Suppressed cells that are still pinned (an audit; empty after `proteger`)."""
        return [a for a in self.aristas if a.celda.estado in PROTEGIDAS and self.movible(a) is None]


# ---- tables --------------------------------------------------------------------------------


@dataclass
class Tabla1D:
    """A line of counts and, optionally, its total (fixed: protected upstream). Without a
    total the cells share no equation and only the primary rule applies. If no suppression
    can protect the line, its cells are withheld whole (`retenida`)."""

    celdas: dict[Hashable, Celda]
    total: Celda | None
    umbral: int
    retenida: bool = False

    @classmethod
    def crear(cls, valores: dict[Hashable, int], total: Celda | None, umbral: int) -> Tabla1D:
        tabla = cls({clave: Celda(valor) for clave, valor in valores.items()}, total, umbral)
        if total is None:
            for celda in tabla.celdas.values():
                if 0 < celda.valor < umbral:
                    celda.estado = PRIMARIA
        elif tabla.red().proteger() is not None:
            tabla.retenida = True
            for celda in tabla.celdas.values():
                celda.estado = RETENIDA
        return tabla

    def red(self) -> Red:
        red = Red(self.umbral)
        for celda in self.celdas.values():
            red.agregar("linea", "resto", +1, celda)
        if self.total is not None:
            red.agregar("linea", "resto", -1, self.total)
        return red


FILA_TOTAL, COLUMNA_TOTAL = ("fila", "*total*"), ("columna", "*total*")


@dataclass
class Tabla2D:
    """Rows x columns with their totals. A missing total (None) is not published (a sum of
    mentions, not of people): it is a free unknown here. Fixed totals come protected from
    their own tables and are never suppressed here.

    Inner cells that no suppression can protect are withheld by lines (`RETENIDA`, shown
    "—"), or the whole table when nothing else works: `retenida`.
    """

    filas: list[Hashable]
    columnas: list[Hashable]
    celdas: dict[tuple[Hashable, Hashable], Celda]
    totales_fila: dict[Hashable, Celda]
    totales_columna: dict[Hashable, Celda]
    total: Celda
    umbral: int
    retenida: bool = False

    @classmethod
    def crear(cls, filas: Iterable, columnas: Iterable, valores: dict, umbral: int, *,
              totales_fila: dict[Hashable, Celda] | None = None,
              totales_columna: dict[Hashable, Celda] | None = None,
              total: Celda | None = None) -> Tabla2D:
        filas, columnas = list(filas), list(columnas)
        celdas = {(f, c): Celda(valores.get((f, c), 0)) for f in filas for c in columnas}

        def libre(valor):
            return Celda(valor, LIBRE, candidata=False)

        tabla = cls(
            filas, columnas, celdas,
            totales_fila if totales_fila is not None else {
                f: libre(sum(celdas[f, c].valor for c in columnas)) for f in filas},
            totales_columna if totales_columna is not None else {
                c: libre(sum(celdas[f, c].valor for f in filas)) for c in columnas},
            total if total is not None else libre(sum(c.valor for c in celdas.values())),
            umbral,
        )
        tabla.proteger()
        return tabla

    def proteger(self) -> None:
        """Suppress; where a cell can't be protected even so (two "<10" adding up to a
        published 18 are both 9), withhold the inner cells of one of its lines ("—") and go
        on. Withholding only removes information, so what was protected stays protected."""
        while (fallida := self.red().proteger()) is not None:
            fila, columna = fallida.u, fallida.v
            en_fila = [] if fila == FILA_TOTAL else [self.celdas[fila[1], c] for c in self.columnas]
            en_columna = [] if columna == COLUMNA_TOTAL else [self.celdas[f, columna[1]] for f in self.filas]
            lineas = sorted((linea for linea in (en_fila, en_columna)
                             if any(c.estado != RETENIDA for c in linea)), key=len)
            if not lineas:
                # Every inner cell withheld: what is left is what other tables publish.
                return self.retener()
            for celda in lineas[0]:
                celda.estado = RETENIDA
            if all(c.estado == RETENIDA for c in self.celdas.values()):
                return self.retener()

    def red(self) -> Red:
        red = Red(self.umbral)
        for (f, c), celda in self.celdas.items():
            red.agregar(("fila", f), ("columna", c), +1, celda)
        for f, celda in self.totales_fila.items():
            red.agregar(("fila", f), COLUMNA_TOTAL, -1, celda)
        for c, celda in self.totales_columna.items():
            red.agregar(FILA_TOTAL, ("columna", c), -1, celda)
        red.agregar(FILA_TOTAL, COLUMNA_TOTAL, +1, self.total)
        bordes = frozenset({FILA_TOTAL, COLUMNA_TOTAL})
        red.familias = [(COLUMNA_TOTAL, bordes), (FILA_TOTAL, bordes)]
        return red

    def retener(self) -> None:
        self.retenida = True
        for celda in self.celdas.values():
            celda.estado = RETENIDA
