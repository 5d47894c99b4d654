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
# A median or a rate that can't be published (a median over fewer than k rows, the rate of a
# count shown "<k" or "s"): "no disponible". Never "<k": beside a median or a rate it reads as
# a value ("under 10 days") rather than as a count withheld.
NO_DISPONIBLE = "n.d."


def marca_primaria(umbral: int) -> str:
    return f"<{umbral}"


@dataclass(eq=False, slots=True)
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


@dataclass(eq=False, slots=True)
class _Arista:
    u: Hashable
    v: Hashable
    signo: int  # +1: an inner cell; -1: a total (it leaves the line instead of entering it)
    celda: Celda
    iu: int = 0  # the lines' numbers in their network, for the searches
    iv: int = 0


@dataclass
class Red:
    """The cells of one table as edges between its lines.

    While a network is protected its cells only ever become suppressed, never published
    again, and their counts never change. So the residual arcs are built once and then kept
    up to date: those of the suppressed cells (`_suprimidas`) gain a cell's arcs when it is
    suppressed; those of suppressed and candidate cells (`_con_candidatas`, for `_liberar`)
    never change at all, only a cell's cost drops to 0 once suppressed. That is why every
    change of a state in here goes through `_suprimir`."""

    umbral: int
    aristas: list[_Arista] = field(default_factory=list)
    # Lines whose suppressed totals must stay connected through inner cells: (line, lines a
    # connecting path may not cross).
    familias: list[tuple[Hashable, frozenset]] = field(default_factory=list)
    _numeros: dict = field(default_factory=dict, repr=False)  # line -> its number
    _suprimidas_: list | None = field(default=None, repr=False)
    _candidatas_: list | None = field(default=None, repr=False)
    _lineas_: dict | None = field(default=None, repr=False)

    def agregar(self, u, v, signo: int, celda: Celda) -> None:
        self._agregar(u, v, self.linea(u), self.linea(v), signo, celda)

    def linea(self, linea: Hashable) -> int:
        """The number of a line (a vertex), given in order of appearance."""
        numeros = self._numeros
        return numeros.setdefault(linea, len(numeros))

    def _agregar(self, u, v, iu: int, iv: int, signo: int, celda: Celda) -> None:
        self.aristas.append(_Arista(u, v, signo, celda, iu, iv))
        self._suprimidas_ = self._candidatas_ = self._lineas_ = None

    def _suprimir(self, arista: _Arista, estado: str) -> None:
        arista.celda.estado = estado
        if self._suprimidas_ is not None:
            self._agregar_arcos(self._suprimidas_, arista, None)

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

    def _agregar_arcos(self, arcos: list[list], arista: _Arista, estado: str | None, costo: int = 0) -> None:
        adelante, atras = self._movimientos(arista, estado)
        if adelante:
            arcos[arista.iu].append((arista.iv, costo, arista))
        if atras:
            arcos[arista.iv].append((arista.iu, costo, arista))

    def _suprimidas(self) -> list[list]:
        """line number -> [(next line, 0, edge)]: the arcs of the suppressed cells."""
        if self._suprimidas_ is None:
            arcos: list[list] = [[] for _ in self._numeros]
            for arista in self.aristas:
                if arista.celda.estado in SUPRIMIDAS:
                    self._agregar_arcos(arcos, arista, None)
            self._suprimidas_ = arcos
        return self._suprimidas_

    def _con_candidatas(self) -> list[list]:
        """line number -> [(next line, cost if published, edge)]: the arcs of the suppressed
        cells and of the candidates (as complements), in the order of the cells. Built after
        the primary cells are marked: from then on, only candidates are suppressed."""
        if self._candidatas_ is None:
            arcos: list[list] = [[] for _ in self._numeros]
            for arista in self.aristas:
                if arista.celda.estado in SUPRIMIDAS:
                    self._agregar_arcos(arcos, arista, None)
                elif self._es_candidata(arista):
                    self._agregar_arcos(arcos, arista, COMPLEMENTARIA, self._costo(arista.celda))
            self._candidatas_ = arcos
        return self._candidatas_

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

    @staticmethod
    def _camino_mas_barato(arcos: list[list], origen: int, destino: int,
                           excluida: _Arista) -> list[_Arista] | None:
        """`_camino` over `_con_candidatas`, without one edge; a suppressed cell costs 0.
        The same pops, pushes and ties as `_camino` on the arcs `_arcos` built."""
        distancia = [math.inf] * len(arcos)
        distancia[origen] = 0
        previo: list = [None] * len(arcos)
        orden = 0
        cola = [(0, orden, origen)]
        sacar, poner, suprimidas = heapq.heappop, heapq.heappush, SUPRIMIDAS
        while cola:
            costo, _, vertice = sacar(cola)
            if vertice == destino:
                camino = []
                while vertice != origen:
                    vertice, arista = previo[vertice]
                    camino.append(arista)
                return camino[::-1]
            if costo > distancia[vertice]:
                continue
            for siguiente, peso, arista in arcos[vertice]:
                if arista is excluida:
                    continue
                nuevo = costo if arista.celda.estado in suprimidas else costo + peso
                if nuevo < distancia[siguiente]:
                    distancia[siguiente] = nuevo
                    previo[siguiente] = (vertice, arista)
                    orden += 1
                    poner(cola, (nuevo, orden, siguiente))
        return None

    @staticmethod
    def _camino_sin_costo(arcos: list[list], origen: int, destino: int,
                          excluida: _Arista) -> list[_Arista] | None:
        """A path over arcs that all cost nothing, avoiding one edge. Any path will do (see
        `proteger`): the last line found is followed first, which reaches the other end of
        a cell sooner than breadth-first search in tables of many rows."""
        if origen == destino:
            return []
        previo: list = [None] * len(arcos)
        previo[origen] = (origen, None)
        pila = [origen]
        while pila:
            vertice = pila.pop()
            for siguiente, _peso, arista in arcos[vertice]:
                if previo[siguiente] is not None or arista is excluida:
                    continue
                previo[siguiente] = (vertice, arista)
                if siguiente == destino:
                    camino = []
                    while siguiente != origen:
                        siguiente, paso = previo[siguiente]
                        camino.append(paso)
                    return camino[::-1]
                pila.append(siguiente)
        return None

    # ---- the algorithm ---------------------------------------------------------------------

    def movible(self, arista: _Arista) -> list[_Arista] | None:
        """A directed cycle of suppressed cells through this one, or None if it is pinned."""
        arcos = self._suprimidas()
        adelante, atras = self._movimientos(arista)
        for puede, origen, destino in ((adelante, arista.iv, arista.iu), (atras, arista.iu, arista.iv)):
            if puede:
                camino = self._camino_sin_costo(arcos, origen, destino, arista)
                if camino is not None:
                    return [arista, *camino]
        return None

    def _liberar(self, arista: _Arista) -> list[_Arista] | None:
        """Suppress the cheapest published cells that put this one on a cycle; that cycle,
        or None if there is none."""
        arcos = self._con_candidatas()
        adelante, atras = self._movimientos(arista)
        mejor, mejor_costo = None, math.inf
        for puede, origen, destino in ((adelante, arista.iv, arista.iu), (atras, arista.iu, arista.iv)):
            if not puede:
                continue
            camino = self._camino_mas_barato(arcos, origen, destino, arista)
            if camino is not None:
                costo = sum(self._costo(a.celda) for a in camino if not a.celda.suprimida)
                if costo < mejor_costo:
                    mejor, mejor_costo = camino, costo
        if mejor is None:
            return None
        for a in mejor:
            if not a.celda.suprimida:
                self._suprimir(a, COMPLEMENTARIA)
        return [arista, *mejor]

    def _conectar(self) -> bool | None:
        """Join the suppressed totals of each family through inner cells. True if it
        suppressed something, False if nothing was needed, None if impossible."""
        for linea, prohibidos in self.familias:
            de_la_linea = self._de_la_linea(linea)
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
                    self._suprimir(a, COMPLEMENTARIA)
            return True
        return False

    def _de_la_linea(self, linea) -> list[_Arista]:
        """The cells of a line, in order (the cells of a network never change)."""
        if self._lineas_ is None:
            lineas: dict = {}
            for a in self.aristas:
                lineas.setdefault(a.u, []).append(a)
                if a.v != a.u:
                    lineas.setdefault(a.v, []).append(a)
            self._lineas_ = lineas
        return self._lineas_.get(linea, [])

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
                self._suprimir(arista, PRIMARIA)
        if not any(a.celda.estado in PROTEGIDAS for a in self.aristas):
            return None  # nothing hidden, nothing to protect (and `_conectar` finds nothing)
        verificadas: set[int] = self._movibles()
        while True:
            cambio = False
            for arista in self.aristas:
                if arista.celda.estado not in PROTEGIDAS or id(arista) in verificadas:
                    continue
                ciclo = self.movible(arista)
                if ciclo is None:
                    # The cycle the new cells close (`movible` would find one too; which
                    # one is checked changes nothing, see below).
                    ciclo = self._liberar(arista)
                    if ciclo is None:
                        return arista
                    cambio = True
                # Every cell on a feasible cycle moves with it: all of them are safe. And a
                # cell only ever becomes suppressed here, never published again, so a cell
                # that can move now can move at the end: it is not checked again. (So the
                # cells suppressed, and in which order, depend only on which cells can move
                # when checked, never on the cycle found for them.)
                verificadas.update(id(a) for a in ciclo)
            conectado = self._conectar()
            if conectado is None:
                return next(a for a in self.aristas if a.celda.suprimida)
            if not (cambio or conectado):
                return None

    def _movibles(self) -> set[int]:
        """Ids of suppressed cells that can move now, found all at once (most of them, at
        the start, before any search): in the strongly connected components of the arcs of
        the suppressed cells,
        - a cell that moves one way only (u -> v) can move iff u and v are in the same
          component: a shortest path back from v to u never leaves u, so it never uses the
          cell's own arc;
        - a cell that moves both ways can if it lies on a cycle of such cells (it is not a
          bridge of their undirected graph): that cycle, walked one way, moves it.
        Cells not found here (a two-way cell that is such a bridge) are searched one by one
        by `proteger`, so which cells can move is decided exactly either way."""
        n = len(self._numeros)
        arcos: list[list] = [[] for _ in range(n)]
        dobles: list[list] = [[] for _ in range(n)]
        unico: list[_Arista] = []
        k = self.umbral
        for arista in self.aristas:  # `_movimientos` of each suppressed cell, inlined
            celda = arista.celda
            estado = celda.estado
            if estado not in SUPRIMIDAS:
                continue
            x = celda.valor
            if estado == PRIMARIA:
                sube, baja = x + 1 <= k - 1, x - 1 >= 1
            elif estado == COMPLEMENTARIA:
                sube, baja = True, x - 1 >= k
            else:
                sube, baja = True, x - 1 >= 0
            adelante, atras = (sube, baja) if arista.signo > 0 else (baja, sube)
            iu, iv = arista.iu, arista.iv
            if adelante:
                arcos[iu].append((iv, 0, arista))
            if atras:
                arcos[iv].append((iu, 0, arista))
            if adelante and atras:
                dobles[iu].append((iv, arista))
                dobles[iv].append((iu, arista))
            elif adelante or atras:
                unico.append(arista)
        self._suprimidas_ = arcos
        componente = _componentes_fuertes(arcos)
        movibles = {id(a) for a in unico if componente[a.iu] == componente[a.iv]}
        puentes = _puentes(dobles)
        for vecinos in dobles:
            for _, arista in vecinos:
                if id(arista) not in puentes:
                    movibles.add(id(arista))
        return movibles

    def fijadas(self) -> list[_Arista]:
        """Suppressed cells that are still pinned (an audit; empty after `proteger`)."""
        return [a for a in self.aristas if a.celda.estado in PROTEGIDAS and self.movible(a) is None]


def _componentes_fuertes(arcos: list[list]) -> list[int]:
    """Line number -> number of its strongly connected component (Tarjan, iterative)."""
    n = len(arcos)
    indice = [-1] * n
    bajo = [0] * n
    componente = [-1] * n
    en_pila = [False] * n
    pila: list[int] = []
    contador = 0
    for raiz in range(n):
        if indice[raiz] >= 0:
            continue
        indice[raiz] = bajo[raiz] = contador
        contador += 1
        pila.append(raiz)
        en_pila[raiz] = True
        trabajo = [(raiz, iter(arcos[raiz]))]
        while trabajo:
            vertice, salidas = trabajo[-1]
            for siguiente, _peso, _arista in salidas:
                if indice[siguiente] < 0:
                    indice[siguiente] = bajo[siguiente] = contador
                    contador += 1
                    pila.append(siguiente)
                    en_pila[siguiente] = True
                    trabajo.append((siguiente, iter(arcos[siguiente])))
                    break
                if en_pila[siguiente] and indice[siguiente] < bajo[vertice]:
                    bajo[vertice] = indice[siguiente]
            else:
                trabajo.pop()
                if trabajo:
                    padre = trabajo[-1][0]
                    if bajo[vertice] < bajo[padre]:
                        bajo[padre] = bajo[vertice]
                if bajo[vertice] == indice[vertice]:
                    while True:
                        miembro = pila.pop()
                        en_pila[miembro] = False
                        componente[miembro] = vertice
                        if miembro == vertice:
                            break
    return componente


def _puentes(vecinos: list[list]) -> set[int]:
    """Ids of the edges that are bridges of an undirected multigraph given as line number
    -> [(line number, edge)]; of two parallel edges neither is a bridge. Iterative."""
    n = len(vecinos)
    indice = [-1] * n
    bajo = [0] * n
    puentes: set[int] = set()
    contador = 0
    for raiz in range(n):
        if indice[raiz] >= 0 or not vecinos[raiz]:
            continue
        indice[raiz] = bajo[raiz] = contador
        contador += 1
        trabajo = [(raiz, None, iter(vecinos[raiz]))]
        while trabajo:
            vertice, llegada, salidas = trabajo[-1]
            for siguiente, arista in salidas:
                if arista is llegada:
                    continue
                if indice[siguiente] < 0:
                    indice[siguiente] = bajo[siguiente] = contador
                    contador += 1
                    trabajo.append((siguiente, arista, iter(vecinos[siguiente])))
                    break
                if indice[siguiente] < bajo[vertice]:
                    bajo[vertice] = indice[siguiente]
            else:
                trabajo.pop()
                if trabajo:
                    padre = trabajo[-1][0]
                    if bajo[vertice] < bajo[padre]:
                        bajo[padre] = bajo[vertice]
                    if bajo[vertice] > indice[padre]:
                        puentes.add(id(llegada))
    return puentes


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
        elif _algo_que_proteger(tabla.celdas.values(), (total,), umbral) and tabla.red().proteger() is not None:
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


def _algo_que_proteger(celdas: Iterable[Celda], totales: Iterable[Celda], umbral: int) -> bool:
    """Whether `Red.proteger` would have anything to do: a small count to mark, or a cell
    already hidden. Without either it changes nothing, so its network is not even built
    (most tables of a year at State scale)."""
    for celda in celdas:
        if celda.estado in PROTEGIDAS or (celda.candidata and celda.estado == PUBLICADA
                                          and 0 < celda.valor < umbral):
            return True
    return any(celda.estado in PROTEGIDAS for celda in totales)


def _inerte(celda: Celda) -> bool:
    """A published cell that stays published: a 0 (a complement is never 0) or a fixed
    total. Most cells of a month's tables are such zeros."""
    return celda.estado == PUBLICADA and (not celda.valor or not celda.candidata)


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
        if not _algo_que_proteger(self.celdas.values(), (*self.totales_fila.values(),
                                  *self.totales_columna.values(), self.total), self.umbral):
            return
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
        """Without the cells `Red.proteger` can never suppress (`_inerte`): they give no arc
        to any search, so the network protects alike without them."""
        red = Red(self.umbral)
        # Each line's key and number made once, not once per cell: tables have thousands.
        filas = {f: ("fila", f) for f in self.filas}
        columnas = {c: ("columna", c) for c in self.columnas}
        numero = {}
        for (f, c), celda in self.celdas.items():
            if celda.estado == PUBLICADA and (not celda.valor or not celda.candidata):
                continue  # `_inerte`, inlined
            u, v = filas[f], columnas[c]
            iu = numero.get(u)
            if iu is None:
                iu = numero[u] = red.linea(u)
            iv = numero.get(v)
            if iv is None:
                iv = numero[v] = red.linea(v)
            red._agregar(u, v, iu, iv, +1, celda)
        for f, celda in self.totales_fila.items():
            if not _inerte(celda):
                red.agregar(filas.get(f, ("fila", f)), COLUMNA_TOTAL, -1, celda)
        for c, celda in self.totales_columna.items():
            if not _inerte(celda):
                red.agregar(FILA_TOTAL, columnas.get(c, ("columna", c)), -1, celda)
        if not _inerte(self.total):
            red.agregar(FILA_TOTAL, COLUMNA_TOTAL, +1, self.total)
        bordes = frozenset({FILA_TOTAL, COLUMNA_TOTAL})
        red.familias = [(COLUMNA_TOTAL, bordes), (FILA_TOTAL, bordes)]
        return red

    def retener(self) -> None:
        self.retenida = True
        for celda in self.celdas.values():
            celda.estado = RETENIDA
