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
        if celda.estado == PUBLICADA:
            self.publicado[clave] = celda.valor
            return
        if celda.estado == PRIMARIA:
            cota = (1, self.k - 1)
        elif celda.estado == COMPLEMENTARIA:
            cota = (self.k, math.inf)
        else:
            cota = (0, math.inf)
        previa = self.cotas.get(clave, (0, math.inf))
        self.cotas[clave] = (max(previa[0], cota[0]), min(previa[1], cota[1]))
        if celda.estado in (PRIMARIA, COMPLEMENTARIA) or (
                celda.estado == RETENIDA and 0 < celda.valor < self.k):
            self.sensibles.add(clave)

    def suma(self, partes, total) -> None:
        self.ecuaciones.append((tuple(partes), total))

    def fijadas(self) -> set:
        """Sensitive cells whose interval narrows to a single value."""
        cotas = dict(self.cotas)
        ecuaciones = []
        for partes, total in self.ecuaciones:
            terminos = [(p, 1) for p in partes] + [(total, -1)]
            constante = -sum(c * self.publicado[p] for p, c in terminos if p in self.publicado)
            libres = [(p, c) for p, c in terminos if p in cotas]
            if libres:
                ecuaciones.append((libres, constante))
        for _ in range(MAX_PASADAS):
            cambio = False
            for libres, constante in ecuaciones:
                # sum(c * x) over the unknowns == constante; the range of each c * x:
                rangos = []
                for p, c in libres:
                    lo, hi = cotas[p]
                    rangos.append((lo, hi) if c > 0 else (-hi, -lo))
                bajos = [r[0] for r in rangos]
                altos = [r[1] for r in rangos]
                inf_bajo = sum(1 for b in bajos if b == -math.inf)
                inf_alto = sum(1 for a in altos if a == math.inf)
                suma_bajo = sum(b for b in bajos if b != -math.inf)
                suma_alto = sum(a for a in altos if a != math.inf)
                for (p, c), (lo_c, hi_c) in zip(libres, rangos):
                    # c*x_p == constante - (the others): bounds from the others' bounds.
                    otros_alto = (math.inf if inf_alto - (hi_c == math.inf) > 0
                                  else suma_alto - (hi_c if hi_c != math.inf else 0))
                    otros_bajo = (-math.inf if inf_bajo - (lo_c == -math.inf) > 0
                                  else suma_bajo - (lo_c if lo_c != -math.inf else 0))
                    bajo, alto = constante - otros_alto, constante - otros_bajo
                    if c < 0:
                        bajo, alto = -alto, -bajo
                    lo, hi = cotas[p]
                    nuevo = (max(lo, math.ceil(bajo)) if bajo != -math.inf else lo,
                             min(hi, math.floor(alto)) if alto != math.inf else hi)
                    if nuevo != (lo, hi):
                        cotas[p] = nuevo
                        cambio = True
            if not cambio:
                break
        return {p for p in self.sensibles if cotas[p][0] >= cotas[p][1]}
