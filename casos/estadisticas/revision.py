"""The last check before publishing a year: every table of a measure together, attacked as a
reader with a spreadsheet would.

Each table is protected on its own (supresion.py), and tables that share totals agree on
them, so no suppressed cell follows *linearly* from all of them together. But bounds add up
across tables: ten cases, one per cell, each shown "<10", in a month table whose total is
10, are all 1 — a month table says each month holds at least two cells of at least 1, and
the year table says they add up to 10. So the whole year is attacked here by interval
narrowing (each cell starts in what its mark says, every equation narrows every cell in it,
until nothing changes); if a small count ends pinned, publicacion.py withholds the finest
tables and tries again (months, then quarters, then cross tables...).
"""

from __future__ import annotations

import math

from casos.estadisticas.supresion import COMPLEMENTARIA, PRIMARIA, PUBLICADA, RETENIDA, Celda

MAX_PASADAS = 200


class Sistema:
    """Cells by meaning (a hashable key) and the equations a reader knows between them."""

    def __init__(self, umbral: int):
        self.k = umbral
        self.publicado: dict = {}
        self.cotas: dict = {}
        self.sensibles: set = set()
        self.ecuaciones: list[tuple[tuple, object]] = []

    def ver(self, clave, celda: Celda) -> None:
        estado = celda.estado
        if estado == PUBLICADA:
            if celda.valor:  # a published 0 adds nothing to any equation
                self.publicado[clave] = celda.valor
            return
        if estado == PRIMARIA:
            cota = (1, self.k - 1)
        elif estado == COMPLEMENTARIA:
            cota = (self.k, math.inf)
        else:
            cota = (0, math.inf)
        previa = self.cotas.get(clave, (0, math.inf))
        self.cotas[clave] = (max(previa[0], cota[0]), min(previa[1], cota[1]))
        if estado in (PRIMARIA, COMPLEMENTARIA) or (estado == RETENIDA and 0 < celda.valor < self.k):
            self.sensibles.add(clave)

    def suma(self, partes, total) -> None:
        self.ecuaciones.append((tuple(partes), total))

    def fijadas(self) -> set:
        """Sensitive cells whose interval narrows to a single value."""
        numero: dict = {}  # unknown -> its index in `bajos` and `altos`
        bajos: list = []
        altos: list = []
        for clave, (bajo, alto) in self.cotas.items():
            numero[clave] = len(bajos)
            bajos.append(bajo)
            altos.append(alto)
        publicado = self.publicado
        # sum(partes) - total == constante over the unknowns: the published terms move to
        # the right-hand side; -1 when the total is published.
        ecuaciones: list[tuple[list[int], int, int]] = []
        for partes, total in self.ecuaciones:
            constante = 0
            libres = []
            for p in partes:
                if p in publicado:
                    constante -= publicado[p]
                if p in numero:
                    libres.append(numero[p])
            if total in publicado:
                constante += publicado[total]
            t = numero.get(total, -1)
            if libres or t >= 0:
                ecuaciones.append((libres, t, constante))
        # An equation is evaluated again only once a bound in it has changed since its last
        # evaluation (by another equation or by itself): otherwise it would narrow nothing,
        # so skipping it changes neither the result nor the passes it takes.
        de_la_incognita: list[list[int]] = [[] for _ in bajos]
        for i, (libres, t, _) in enumerate(ecuaciones):
            for p in libres:
                de_la_incognita[p].append(i)
            if t >= 0:
                de_la_incognita[t].append(i)
        pendiente = [True] * len(ecuaciones)
        for _ in range(MAX_PASADAS):
            cambio = False
            for i, (libres, t, constante) in enumerate(ecuaciones):
                if pendiente[i]:
                    pendiente[i] = False
                    if _acotar(libres, t, constante, bajos, altos, de_la_incognita, pendiente):
                        cambio = True
            if not cambio:
                break
        return {p for p in self.sensibles if bajos[numero[p]] >= altos[numero[p]]}


def _acotar(libres: list[int], t: int, constante: int, bajos: list, altos: list,
            de_la_incognita: list[list[int]], pendiente: list[bool]) -> bool:
    """Narrow the unknowns of sum(x[libres]) - x[t] == constante (no x[t] when t < 0), each
    from the others' bounds as they were before this equation; True if a bound changed. A
    lower bound is never infinite, an upper one may be."""
    inf = math.inf
    # Over the terms as they enter the sum: the lows and the finite highs, and how many
    # highs (or, of the total, lows) are infinite.
    suma_bajo = suma_alto = infinitos = 0
    for p in libres:
        suma_bajo += bajos[p]
        alto = altos[p]
        if alto == inf:
            infinitos += 1
        else:
            suma_alto += alto
    total_sin_alto = False
    if t >= 0:
        # -x[t] runs from -altos[t] to -bajos[t].
        total_sin_alto = altos[t] == inf
        if not total_sin_alto:
            suma_bajo -= altos[t]
        suma_alto -= bajos[t]
    cambio = False
    for p in libres:
        lo, hi = bajos[p], altos[p]
        # x[p] == constante - (the others): its bounds from the others' bounds.
        nuevo_lo = (lo if infinitos - (hi == inf) > 0
                    else max(lo, math.ceil(constante - (suma_alto - (hi if hi != inf else 0)))))
        nuevo_hi = hi if total_sin_alto else min(hi, math.floor(constante - (suma_bajo - lo)))
        if nuevo_lo != lo or nuevo_hi != hi:
            bajos[p], altos[p] = nuevo_lo, nuevo_hi
            cambio = True
            for j in de_la_incognita[p]:
                pendiente[j] = True
    if t >= 0:
        lo, hi = bajos[t], altos[t]
        # x[t] == (the others) - constante: its low from their lows, its high from their
        # highs when none is infinite.
        nuevo_lo = max(lo, math.ceil(suma_bajo + (hi if hi != inf else 0) - constante))
        nuevo_hi = min(hi, math.floor(suma_alto + lo - constante)) if infinitos <= 0 else hi
        if nuevo_lo != lo or nuevo_hi != hi:
            bajos[t], altos[t] = nuevo_lo, nuevo_hi
            cambio = True
            for j in de_la_incognita[t]:
                pendiente[j] = True
    return cambio
