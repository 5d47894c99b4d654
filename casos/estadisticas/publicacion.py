"""The tables of one measure protected together (`Calculo`), and what a page serialises
(`Publicacion`, `Cuadro`).

Each edition (ediciones.py) protects every closed month on its own with `Calculo`
(bloques.py), and a page is assembled from those months (ensamblado.py); the dashboard, the
CSV and JSON downloads and the API all serialise that one `Publicacion`, so they can't
disagree.

Order of protection (see supresion.py and docs/DESIGN.md, "Statistics"), per measure:
1. the year's total; under k the measure is withheld whole;
2. the quarters (line with the year's total), then the months of each quarter (line with the
   quarter's published or suppressed value);
3. each dimension for the year (line with the year's total);
4. dimension x quarter (totals from 2 and 3), then dimension x month of each quarter (totals:
   that quarter's column of 4, and the months of 2);
5. municipality x dimension and institution x dimension for the year (totals from 3), of
   which a municipality's or an institution's view shows one row.
Later tables only take totals already protected, as they were published. A municipality's or
an institution's page is a row of state tables, never a table of its own, so two pages can't
be subtracted to isolate anything the state tables hide. Both filters at once would need a
three-way table and are refused.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property

from casos.catalogos import (
    MODALIDADES,
    NIVELES_RIESGO,
    RANGOS_EDAD,
    TIPOS_INSTITUCION,
    TIPOS_ORDEN,
    TIPOS_VIOLENCIA,
    municipios,
)
from casos.estadisticas import consultas
from casos.estadisticas.revision import Sistema
from casos.estadisticas.supresion import PUBLICADA, RETENIDA, Celda, Tabla1D, Tabla2D, fija
from flujos.canalizacion import CANCELADA, EN_ESPERA_DE_RESPUESTA, FLUJO_CANALIZACION, NO_ENVIADAS
from flujos.orden_proteccion import NEGADA

GRANULARIDADES = {"mes": "Mes", "trimestre": "Trimestre", "anio": "Año"}
MESES = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
TRIMESTRES = ("T1", "T2", "T3", "T4")
SIN_DATO = {consultas.SIN_DATO: "Sin dato"}


@cache
def _categorias_fijas(nombre: str) -> dict[str, str]:
    if nombre == "municipio":
        return {m.clave: m.nombre for m in sorted(municipios().values(), key=lambda m: m.clave)} | SIN_DATO
    if nombre == "rango_edad":
        return {etiqueta: etiqueta for *_, etiqueta in RANGOS_EDAD} | SIN_DATO
    if nombre == "nivel_riesgo":
        return {**NIVELES_RIESGO, "sin_valorar": "Sin valorar"}
    if nombre == "tipo":
        return dict(TIPOS_VIOLENCIA)
    if nombre == "modalidad":
        return dict(MODALIDADES)
    if nombre == "cumplimiento":
        return {"a_tiempo": "A tiempo", "tardia": "Tarde o pendiente"}
    if nombre == "tipo_orden":
        return dict(TIPOS_ORDEN)
    if nombre == "emision":
        return {"en_4_horas": "Emitida en 4 horas o menos", "fuera_de_plazo": "Emitida después de 4 horas",
                NEGADA: "Negada", "sin_emitir": "Sin emitir"}
    if nombre in ("tipo_origen", "tipo_destino"):
        return dict(TIPOS_INSTITUCION)
    if nombre == "resultado":
        # Every state a sent referral can be in, as the machine names it (without its
        # parenthesis); still waiting for an answer is "Sin respuesta".
        return {"sin_respuesta": "Sin respuesta", **{
            estado: etiqueta.split(" (")[0] for estado, etiqueta in FLUJO_CANALIZACION.estados.items()
            if estado not in NO_ENVIADAS | EN_ESPERA_DE_RESPUESTA}}
    if nombre == "respuesta":
        return {"en_plazo": "Respondida dentro del plazo", "fuera_de_plazo": "Respondida fuera del plazo",
                "vencida": "Sin respuesta, plazo vencido", "en_espera": "Sin respuesta, aún en plazo",
                CANCELADA: "Cancelada sin respuesta"}
    raise KeyError(nombre)


def _categorias_dimension(nombre: str, instituciones: dict[str, str] | None = None) -> dict[str, str]:
    if nombre == "institucion":  # from the database: admins add institutions
        return dict(sorted((consultas.instituciones() if instituciones is None else instituciones).items()))
    return _categorias_fijas(nombre)


DIMENSIONES = {"municipio": "Municipio", "institucion": "Institución", "rango_edad": "Rango de edad",
               "nivel_riesgo": "Nivel de riesgo", "tipo": "Tipo de violencia",
               "modalidad": "Modalidad", "cumplimiento": "Cumplimiento", "tipo_orden": "Tipo de orden",
               "emision": "Emisión", "tipo_origen": "Tipo de institución que canaliza",
               "tipo_destino": "Tipo de institución que recibe", "resultado": "Resultado",
               "respuesta": "Respuesta"}


@dataclass(frozen=True)
class Medida:
    clave: str
    titulo: str
    dimensiones: tuple[str, ...]
    # An incident with two types counts once under each: the cells are mentions, and their
    # sums (over types) are not published, so nothing can be subtracted from them.
    multiple: bool = False
    nota: str = ""


MEDIDAS = {m.clave: m for m in (
    Medida("casos", "Casos (mujeres atendidas)", ("municipio", "institucion", "rango_edad", "nivel_riesgo"),
           nota="Una mujer atendida en dos instituciones cuenta una vez en cada una. Periodo: mes de registro. "
                "Municipio de residencia."),
    Medida("nna", "Hijas e hijos", ("municipio", "institucion", "rango_edad"),
           nota="Por mes de registro del caso y municipio de residencia de la madre."),
    Medida("hechos", "Hechos de violencia", ("municipio", "institucion"),
           nota="Por mes y municipio donde ocurrieron."),
    Medida("hechos_tipo", "Hechos por tipo de violencia", ("tipo",), multiple=True,
           nota="Un hecho con varios tipos cuenta en cada uno: las columnas no suman hechos."),
    Medida("hechos_modalidad", "Hechos por modalidad", ("modalidad",), multiple=True,
           nota="Un hecho con varias modalidades cuenta en cada una."),
    Medida("revaloraciones", "Revaloraciones de riesgo vencidas", ("cumplimiento", "municipio", "institucion"),
           nota="Por mes en que vencía la revaloración; «a tiempo» si hubo una nueva valoración "
                "antes de esa fecha."),
    Medida("ordenes", "Órdenes de protección solicitadas", ("emision", "tipo_orden", "municipio", "institucion"),
           nota="Por mes de la solicitud; institución que la registró; municipio de residencia. "
                "«En 4 horas o menos»: emitida a más tardar 4 horas después de la solicitud "
                "(LGAMVLV). Emitidas = en 4 horas o menos + después de 4 horas."),
    Medida("canalizaciones", "Canalizaciones enviadas",
           ("resultado", "respuesta", "tipo_origen", "tipo_destino", "municipio", "institucion"),
           nota="Por mes de envío; institución = la que canaliza. «Dentro del plazo»: aceptada o "
                "rechazada antes de su plazo de respuesta (72 horas; 24 si es urgente; 12 si es "
                "atención médica por violencia sexual). Resultado: estado actual."),
)}

# Medians of durations (consultas.medianas): which groups each publishes, beside the total.
MEDIANAS = {
    "horas_respuesta": ("Mediana de horas del envío a la respuesta de la canalización", "horas",
                        ("tipo_origen", "tipo_destino"),
                        "Canalizaciones enviadas en el año y ya aceptadas o rechazadas."),
    "dias_primera_atencion": ("Mediana de días del registro a la primera atención", "días",
                              ("institucion",),
                              "Casos registrados en el año que ya recibieron una primera atención: "
                              "la primera atención registrada, canalización atendida "
                              "(contrarreferencia) u orden de protección emitida, lo que ocurra "
                              "antes (0 si fue antes del registro)."),
}


@dataclass(frozen=True)
class Ambito:
    tipo: str  # "estado", "municipio" or "institucion"
    clave: str | None = None
    nombre: str = "Estado de Zacatecas"


@dataclass
class Cuadro:
    """A published table: rows x columns of counts or marks ("<10", "s"), with totals."""

    clave: str
    titulo: str
    dimension: str | None
    filas: list[tuple[str, str]]
    columnas: list[tuple[str, str]]
    celdas: list[list]
    totales_fila: list | None = None
    totales_columna: list | None = None
    total: object = None
    retenido: bool = False
    nota: str = ""
    tasas: list | None = None  # per 100,000 women, beside municipality rows

    def como_dict(self) -> dict:
        return {
            "clave": self.clave, "titulo": self.titulo, "dimension": self.dimension,
            "filas": [{"clave": c, "nombre": n} for c, n in self.filas],
            "columnas": [{"clave": c, "nombre": n} for c, n in self.columnas],
            "celdas": None if self.retenido else self.celdas,
            "totales_fila": self.totales_fila, "totales_columna": self.totales_columna,
            "total": self.total, "retenido": self.retenido, "nota": self.nota,
            **({"tasas_por_100000_mujeres": self.tasas} if self.tasas is not None else {}),
        }


@dataclass
class Periodos:
    anio: int
    granularidad: str

    @cached_property
    def meses(self) -> tuple[str, ...]:
        return tuple(f"{self.anio}-{m:02d}" for m in range(1, 13))

    def meses_de(self, trimestre: int) -> tuple[str, ...]:
        return self.meses[3 * trimestre: 3 * trimestre + 3]

    @cached_property
    def trimestres(self) -> tuple[str, ...]:
        return tuple(f"{self.anio}-{t}" for t in TRIMESTRES)

    def columnas(self) -> list[tuple[str, str]]:
        if self.granularidad == "mes":
            return [(m, f"{MESES[i]} {self.anio}") for i, m in enumerate(self.meses)]
        if self.granularidad == "trimestre":
            return [(t, t.replace("-", " ")) for t in self.trimestres]
        return [(str(self.anio), str(self.anio))]


def _fija(celda: Celda) -> Celda:
    return fija(celda.valor, celda.estado)


class Calculo:
    """The protected tables of one measure in one year, built lazily in the fixed order."""

    # Detail withheld at each level, from none (0) to everything but the year's total (5).
    NIVELES = ("todo", "sin meses por dimensión", "sin trimestres por dimensión", "sin cruces",
               "sin series de meses y trimestres", "solo el total")

    def __init__(self, medida: Medida, periodos: Periodos, umbral: int, nivel: int = 0,
                 instituciones: dict[str, str] | None = None):
        self.medida, self.p, self.k, self.nivel = medida, periodos, umbral, nivel
        # Siglas -> name, read once per publication (None: read when first needed).
        self.instituciones = instituciones

    @classmethod
    def revisado(cls, medida: Medida, periodos: Periodos, umbral: int,
                 instituciones: dict[str, str] | None = None, conteos: dict | None = None) -> Calculo:
        """The most detailed level whose tables, all together, pin no small count
        (revision.py). Every level computes every table of the year, whatever the page
        shows, so the same year always gets the same suppression. `conteos`: the counts
        already made, by grouping (bloques.py counts a month's rows this way)."""
        conteos = {} if conteos is None else conteos
        for nivel in range(len(cls.NIVELES)):
            calculo = cls(medida, periodos, umbral, nivel, instituciones)
            calculo._conteos = conteos  # the SQL runs once for all levels
            if calculo.retenida or calculo._vacia or not calculo.sistema().fijadas():
                return calculo
            instituciones = calculo.instituciones
        return calculo

    def _retener_si(self, nivel: int, tabla):
        if self.nivel >= nivel:
            if isinstance(tabla, Tabla2D):
                tabla.retener()
            else:
                tabla.retenida = True
                for celda in tabla.celdas.values():
                    celda.estado = RETENIDA
        return tabla

    _conteos: dict

    def _contar(self, *agrupar):
        if "_conteos" not in self.__dict__:
            self._conteos = {}
        if agrupar not in self._conteos:
            self._conteos[agrupar] = consultas.contar(self.medida.clave, agrupar, self.p.anio)
        return self._conteos[agrupar]

    @cached_property
    def por_mes(self) -> dict[str, int]:
        """Counts by month. The municipality (never NULL: "sin dato") splits every row, so
        its months add up to these: the same statement serves both, and no other runs."""
        if "municipio" not in self.medida.dimensiones:
            return {mes: n for (mes,), n in self._contar("mes").items()}
        por_mes: dict[str, int] = {}
        for (_, mes), n in self._por_dimension_mes("municipio").items():
            por_mes[mes] = por_mes.get(mes, 0) + n
        return por_mes

    @cached_property
    def total(self) -> Celda | None:
        """The year's total; None for measures of mentions, whose sum is not a count."""
        if self.medida.multiple:
            return None
        valor = sum(self.por_mes.values())
        return fija(valor, "primaria" if 0 < valor < self.k else "publicada")

    @property
    def retenida(self) -> bool:
        return self.total is not None and self.total.suprimida

    @property
    def _vacia(self) -> bool:
        """A count of 0 in the year: every cell of every table is 0, none hidden, so the
        review has nothing to pin (a month's measure with nothing in it)."""
        return self.total is not None and self.total.valor == 0

    @cached_property
    def serie_trimestres(self) -> Tabla1D | None:
        if self.medida.multiple:
            return None
        valores = {t: sum(self.por_mes.get(m, 0) for m in self.p.meses_de(i))
                   for i, t in enumerate(self.p.trimestres)}
        return self._retener_si(4, Tabla1D.crear(valores, self.total, self.k))

    @cached_property
    def series_meses(self) -> list[Tabla1D] | None:
        if self.medida.multiple:
            return None
        return [self._retener_si(4, Tabla1D.crear({m: self.por_mes.get(m, 0) for m in self.p.meses_de(i)},
                                                  _fija(self.serie_trimestres.celdas[t]), self.k))
                for i, t in enumerate(self.p.trimestres)]

    def categorias(self, dimension: str) -> dict[str, str]:
        """The catalogue's categories plus any other value found (an old catalogue entry)."""
        clave = f"_cat_{dimension}"
        if clave not in self.__dict__:
            if dimension == "institucion" and self.instituciones is None:
                self.instituciones = consultas.instituciones()
            categorias = self.__dict__[f"_base_{dimension}"] = _categorias_dimension(
                dimension, self.instituciones)
            extra = {c for c in self._valores_hallados(dimension) if c not in categorias}
            self.__dict__[clave] = categorias | {c: c for c in sorted(extra, key=str)}
        return self.__dict__[clave]

    def _valores_hallados(self, dimension: str) -> set:
        """The values of a dimension present in the year's rows, from a statement the tables
        run anyway: by month for a dimension of the measure; for the municipality or the
        institution of a measure of mentions (only in its cross tables), its cross table."""
        if dimension in self.medida.dimensiones:
            return {c for (c, _) in self._por_dimension_mes(dimension)}
        otra = self.medida.dimensiones[0]
        a, b = sorted((dimension, otra), key=ORDEN_CRUCE.index)
        posicion = 0 if a == dimension else 1
        return {fila[posicion] for fila in self._contar(a, b)}

    def mostrar(self, dimension: str, valor: int, categoria: str) -> bool:
        """Rows shown: the catalogue's, and "sin dato" or unknown values only when present."""
        self.categorias(dimension)
        return bool(valor) or (categoria != consultas.SIN_DATO
                               and categoria in self.__dict__[f"_base_{dimension}"])

    def _por_dimension_mes(self, dimension: str) -> dict:
        clave = f"_dm_{dimension}"
        if clave not in self.__dict__:
            self.__dict__[clave] = self._contar(dimension, "mes")
        return self.__dict__[clave]

    def anual(self, dimension: str) -> Tabla1D:
        clave = f"_anual_{dimension}"
        if clave not in self.__dict__:
            valores = dict.fromkeys(self.categorias(dimension), 0)
            for (categoria, _), n in self._por_dimension_mes(dimension).items():
                valores[categoria] += n
            self.__dict__[clave] = self._retener_si(5, Tabla1D.crear(valores, self.total, self.k))
        return self.__dict__[clave]

    def por_trimestre(self, dimension: str) -> Tabla2D:
        clave = f"_trim_{dimension}"
        if clave not in self.__dict__:
            categorias = list(self.categorias(dimension))
            valores: dict = {}
            for (categoria, mes), n in self._por_dimension_mes(dimension).items():
                t = self.p.trimestres[(int(mes[5:7]) - 1) // 3]
                valores[categoria, t] = valores.get((categoria, t), 0) + n
            anual = self.anual(dimension)
            serie = self.serie_trimestres
            self.__dict__[clave] = Tabla2D.crear(
                categorias, self.p.trimestres, valores, self.k,
                totales_fila={c: _fija(anual.celdas[c]) for c in categorias},
                totales_columna=None if serie is None else {
                    t: _fija(serie.celdas[t]) for t in self.p.trimestres},
                total=self.total)
            self._retener_si(2, self.__dict__[clave])
        return self.__dict__[clave]

    def por_mes_de_trimestre(self, dimension: str, i: int) -> Tabla2D:
        clave = f"_mes_{dimension}_{i}"
        if clave not in self.__dict__:
            categorias = list(self.categorias(dimension))
            meses = self.p.meses_de(i)
            valores = {(c, m): n for (c, m), n in self._por_dimension_mes(dimension).items() if m in meses}
            trimestral = self.por_trimestre(dimension)
            t = self.p.trimestres[i]
            self.__dict__[clave] = Tabla2D.crear(
                categorias, meses, valores, self.k,
                totales_fila={c: _fija(trimestral.celdas[c, t]) for c in categorias},
                totales_columna=None if self.series_meses is None else {
                    m: _fija(self.series_meses[i].celdas[m]) for m in meses},
                total=None if self.serie_trimestres is None else _fija(self.serie_trimestres.celdas[t]))
            self._retener_si(1, self.__dict__[clave])
        return self.__dict__[clave]

    def _sin_nada_que_revisar(self, dimension: str, i: int) -> bool:
        """Whether dimension x months of quarter i adds nothing to the review, so it need not
        be built: no count in those months, and every total it takes from other tables
        published (a 0). Then its cells are zeros published (withheld, from level 1), each
        in this table only, and its equations tie them to published zeros and to sums of its
        own that are never published (mentions): narrowing them moves no bound of any other
        table and pins no small count. A month's edition leaves three quarters so."""
        meses = self.p.meses_de(i)
        if any(n for (_, mes), n in self._por_dimension_mes(dimension).items() if mes in meses):
            return False
        t = self.p.trimestres[i]
        trimestral = self.por_trimestre(dimension)
        totales = [trimestral.celdas[c, t] for c in self.categorias(dimension)]
        if self.serie_trimestres is not None:
            totales += [self.serie_trimestres.celdas[t], *self.series_meses[i].celdas.values()]
        return all(celda.estado == PUBLICADA for celda in totales)

    def _margen_publicado(self, dimension: str) -> bool:
        # For mentions, only the dimension of mentions has published totals (types); a
        # municipality's sum of mentions is not a count of anything.
        return not self.medida.multiple or dimension in self.medida.dimensiones

    def cruce(self, a: str, b: str) -> Tabla2D:
        """a x b for the year, always built in one orientation (ORDEN_CRUCE): a municipality's
        or an institution's view is one row or one column of it, never a second table."""
        if ORDEN_CRUCE.index(a) > ORDEN_CRUCE.index(b):
            a, b = b, a
        clave = f"_cruce_{a}_{b}"
        if clave not in self.__dict__:
            cat_f, cat_c = list(self.categorias(a)), list(self.categorias(b))
            valores = self._contar(a, b)
            self.__dict__[clave] = Tabla2D.crear(
                cat_f, cat_c, valores, self.k,
                totales_fila={f: _fija(self.anual(a).celdas[f]) for f in cat_f}
                if self._margen_publicado(a) else None,
                totales_columna={c: _fija(self.anual(b).celdas[c]) for c in cat_c}
                if self._margen_publicado(b) else None,
                total=self.total)
            self._retener_si(3, self.__dict__[clave])
        return self.__dict__[clave]

    def en_cruce(self, ambito: str, clave: str, dimension: str):
        """(cells of the scope's category along `dimension`, the scope's total cell, withheld)."""
        tabla = self.cruce(ambito, dimension)
        categorias = list(self.categorias(dimension))
        if ORDEN_CRUCE.index(ambito) < ORDEN_CRUCE.index(dimension):
            celdas = {c: tabla.celdas[clave, c] for c in categorias}
            total = tabla.totales_fila[clave]
        else:
            celdas = {c: tabla.celdas[c, clave] for c in categorias}
            total = tabla.totales_columna[clave]
        return celdas, total, tabla.retenida

    def cruces(self) -> list[tuple[str, str]]:
        """Every cross table a scope can show: municipality or institution x each dimension."""
        pares = set()
        for ambito in ("municipio", "institucion"):
            if ambito not in self.medida.dimensiones and not self.medida.multiple:
                continue
            for dimension in self.medida.dimensiones:
                if dimension != ambito:
                    pares.add(tuple(sorted((ambito, dimension), key=ORDEN_CRUCE.index)))
        return sorted(pares)

    def sistema(self) -> Sistema:
        """Every table of the year as one system of equations, keyed by meaning."""
        sistema = Sistema(self.k)
        p, anio = self.p, str(self.p.anio)
        todo = ("*", "*", anio)

        # A published 0 adds nothing to an equation (and a cell is alike in every table that
        # shows it): left out, as most cells of a month's tables are.
        def linea(tabla, clave_de, total_clave):
            partes = []
            for categoria, celda in tabla.celdas.items():
                if celda.valor or celda.estado != PUBLICADA:
                    partes.append(clave := clave_de(categoria))
                    sistema.ver(clave, celda)
            if tabla.total is not None:
                sistema.ver(total_clave, tabla.total)
                sistema.suma(partes, total_clave)

        def cuadro(tabla, celda_de, fila_de, columna_de, total_clave):
            por_fila: dict = {}
            por_columna: dict = {}
            for (f, c), celda in tabla.celdas.items():
                if celda.valor or celda.estado != PUBLICADA:
                    clave = celda_de(f, c)
                    sistema.ver(clave, celda)
                    por_fila.setdefault(f, []).append(clave)
                    por_columna.setdefault(c, []).append(clave)
            for f, celda in tabla.totales_fila.items():
                clave = fila_de(f)
                sistema.ver(clave, celda)
                sistema.suma(por_fila.get(f, ()), clave)
            for c, celda in tabla.totales_columna.items():
                clave = columna_de(c)
                sistema.ver(clave, celda)
                sistema.suma(por_columna.get(c, ()), clave)
            sistema.ver(total_clave, tabla.total)

        def libre(dimension, periodo):
            # A sum of mentions is not published: a key of its own per table, so that two
            # tables never tie it together.
            return lambda x, d=dimension, q=periodo: ("libre", d, x, q)

        if self.total is not None:
            sistema.ver(todo, self.total)
            linea(self.serie_trimestres, lambda t: ("*", "*", t), todo)
            for i, serie in enumerate(self.series_meses):
                linea(serie, lambda m: ("*", "*", m), ("*", "*", p.trimestres[i]))
        for d in self.medida.dimensiones:
            linea(self.anual(d), lambda c, d=d: (d, c, anio), todo if self.total is not None else ("libre", d))
            columna_t = ((lambda t: ("*", "*", t)) if self.total is not None else libre(d, "trim"))
            total_t = todo if self.total is not None else ("libre", d, "trim", "*")
            cuadro(self.por_trimestre(d), lambda c, t, d=d: (d, c, t), lambda c, d=d: (d, c, anio),
                   columna_t, total_t)
            for i in range(4):
                if self._sin_nada_que_revisar(d, i):
                    continue
                t = p.trimestres[i]
                columna_m = ((lambda m: ("*", "*", m)) if self.total is not None else libre(d, t))
                total_m = ("*", "*", t) if self.total is not None else ("libre", d, t, "*")
                cuadro(self.por_mes_de_trimestre(d, i), lambda c, m, d=d: (d, c, m),
                       lambda c, d=d, t=t: (d, c, t), columna_m, total_m)
        for a, b in self.cruces():
            fila_de = ((lambda f, a=a: (a, f, anio)) if self._margen_publicado(a)
                       else (lambda f, a=a, b=b: ("libre", a, b, f)))
            columna_de = ((lambda c, b=b: (b, c, anio)) if self._margen_publicado(b)
                          else (lambda c, a=a, b=b: ("libre", b, a, c)))
            cuadro(self.cruce(a, b), lambda f, c, a=a, b=b: ("cruce", a, f, b, c), fila_de, columna_de,
                   todo if self.total is not None else ("libre", a, b, "*"))
        return sistema


ORDEN_CRUCE = ("municipio", "institucion", "rango_edad", "nivel_riesgo", "cumplimiento", "tipo",
               "modalidad", "emision", "tipo_orden", "resultado", "respuesta", "tipo_origen",
               "tipo_destino")


@dataclass
class Publicacion:
    anio: int
    granularidad: str
    ambito: Ambito
    umbral: int
    columnas: list[tuple[str, str]]
    resumen: dict = field(default_factory=dict)
    cuadros: dict[str, list[Cuadro]] = field(default_factory=dict)
    indicadores: list[dict] = field(default_factory=list)
    pendientes: list[dict] = field(default_factory=list)
    medianas: list[dict] = field(default_factory=list)
    # The edition these figures come from (ediciones.py): its number, the day it was
    # published, the months it covers and, of them, this year's.
    edicion: dict = field(default_factory=dict)
    # The last revision up to this edition (ediciones.revisar): {"edicion": N, "revisadas":
    # {month: [measures]}, "pendientes": {month: [measures]}}, or None.
    revision: dict | None = None

    def como_dict(self) -> dict:
        return {
            "edicion": self.edicion,
            "revision": self.revision,
            "anio": self.anio, "granularidad": self.granularidad,
            "ambito": {"tipo": self.ambito.tipo, "clave": self.ambito.clave, "nombre": self.ambito.nombre},
            "umbral_supresion": self.umbral,
            "periodos": [{"clave": c, "nombre": n} for c, n in self.columnas],
            "resumen": self.resumen,
            "medidas": [{"clave": clave, "titulo": MEDIDAS[clave].titulo, "nota": MEDIDAS[clave].nota,
                         "cuadros": [c.como_dict() for c in cuadros]}
                        for clave, cuadros in self.cuadros.items()],
            "medianas": self.medianas,
            "indicadores": self.indicadores,
            "pendientes": self.pendientes,
        }


def _valor(celda: Celda | None, k: int):
    return None if celda is None else celda.publicar(k)


@contextmanager
def sin_recolector_de_ciclos():
    """The tables of a year are some hundred thousand small objects that hold no reference
    cycles (reference counting frees them): while they are built, Python's cycle collector
    would walk them, and every other object of the process, again and again for nothing
    (up to a third of the Python time of a year, measured, depending on when it happens
    to run). The same for the dashboard's page (vistas.py). It runs again right after; a
    cycle made meanwhile waits for its next pass."""
    activo = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if activo:
            gc.enable()
