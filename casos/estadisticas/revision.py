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
        ecuaciones = []
        for partes, total in self.ecuaciones:
            # sum(partes) - total == 0: the published terms move to the right-hand side.
            constante = 0
            libres = []
            for p in partes:
                if p in publicado:
                    constante -= publicado[p]
                if p in numero:
                    libres.append((numero[p], 1))
            if total in publicado:
                constante += publicado[total]
            if total in numero:
                libres.append((numero[total], -1))
            if libres:
                ecuaciones.append((libres, constante))
        # An equation is evaluated again only once a bound in it has changed since its last
        # evaluation (by another equation or by itself): otherwise it would narrow nothing,
        # so skipping it changes neither the result nor the passes it takes.
        de_la_incognita: list[list[int]] = [[] for _ in bajos]
        for i, (libres, _) in enumerate(ecuaciones):
            for p, _c in libres:
                de_la_incognita[p].append(i)
        pendiente = [True] * len(ecuaciones)
        inf, ceil, floor = math.inf, math.ceil, math.floor
        for _ in range(MAX_PASADAS):
            cambio = False
            for i, (libres, constante) in enumerate(ecuaciones):
                if not pendiente[i]:
                    continue
                pendiente[i] = False
                # sum(c * x) over the unknowns == constante; the range of each c * x:
                rangos = [(bajos[p], altos[p]) if c > 0 else (-altos[p], -bajos[p]) for p, c in libres]
                inf_bajo = inf_alto = 0
                suma_bajo = suma_alto = 0
                for lo_c, hi_c in rangos:
                    if lo_c == -inf:
                        inf_bajo += 1
                    else:
                        suma_bajo += lo_c
                    if hi_c == inf:
                        inf_alto += 1
                    else:
                        suma_alto += hi_c
                for (p, c), (lo_c, hi_c) in zip(libres, rangos):
                    # c*x_p == constante - (the others): bounds from the others' bounds.
                    otros_alto = (inf if inf_alto - (hi_c == inf) > 0
                                  else suma_alto - (hi_c if hi_c != inf else 0))
                    otros_bajo = (-inf if inf_bajo - (lo_c == -inf) > 0
                                  else suma_bajo - (lo_c if lo_c != -inf else 0))
                    bajo, alto = constante - otros_alto, constante - otros_bajo
                    if c < 0:
                        bajo, alto = -alto, -bajo
                    lo, hi = bajos[p], altos[p]
                    nuevo_lo = max(lo, ceil(bajo)) if bajo != -inf else lo
                    nuevo_hi = min(hi, floor(alto)) if alto != inf else hi
                    if nuevo_lo != lo or nuevo_hi != hi:
                        bajos[p], altos[p] = nuevo_lo, nuevo_hi
                        cambio = True
                        for j in de_la_incognita[p]:
                            pendiente[j] = True
            if not cambio:
                break
        return {p for p in self.sensibles if bajos[numero[p]] >= altos[numero[p]]}
