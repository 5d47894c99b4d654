"""Insert the objects a session holds pending (`session.new`) table by table, in bulk, instead
of through the unit of work's per-object bookkeeping: COPY on PostgreSQL, a multi-row INSERT
elsewhere.

For the demo seed at scale. The rows are the very ORM objects the services build, so every
encrypted field was already sealed by its `Cifrado` descriptor and every blind index computed;
only the way they reach the database differs. What a flush would add is added here too:
foreign keys from relationships (both directions), the columns' Python-side defaults and
their types' conversions. What this cannot reproduce is refused, never guessed: a flush
listener or an insert event makes it flush instead; many-to-many relationships, multi-table
inheritance or a key the database generates for a row others point to raise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Mapper, RelationshipDirection, Session
from sqlalchemy.sql.schema import Table

from casos.bd import anotar_escritura


@dataclass(frozen=True)
class _Plan:
    """What a mapper's rows need: (column, attribute, default or None) per column, and its
    relationships as (attribute, many-to-one?, uselist, ((source column, destination column),…))."""

    tabla: Table
    columnas: tuple
    relaciones: tuple


@cache
def _plan(mapper: Mapper) -> _Plan:
    if len(mapper.tables) != 1:
        raise NotImplementedError(f"{mapper.class_.__name__}: herencia entre tablas")
    columnas = []
    for columna in mapper.local_table.columns:
        defecto = columna.default
        if defecto is None:
            valor = None
        elif defecto.is_scalar:
            valor = (lambda constante: lambda: constante)(defecto.arg)
        elif defecto.is_callable:
            valor = (lambda funcion: lambda: funcion(None))(defecto.arg)  # per row, as a flush
        else:
            raise NotImplementedError(f"{columna}: valor por defecto de la base de datos")
        columnas.append((columna.key, mapper.get_property_by_column(columna).key, valor))
    relaciones = []
    for relacion in mapper.relationships:
        if relacion.secondary is not None:
            raise NotImplementedError(f"{relacion}: relación muchos a muchos")
        pares = tuple((origen.key, destino.key) for origen, destino in relacion.synchronize_pairs)
        relaciones.append((relacion.key, relacion.direction is RelationshipDirection.MANYTOONE,
                           relacion.uselist, pares))
    return _Plan(mapper.local_table, tuple(columnas), tuple(relaciones))


def insertar_pendientes(sesion: Session) -> int:
    """INSERT every pending object, parents before children, and detach them from the session
    (what it held before stays). Returns how many rows it inserted; the caller commits.

    When a flush or insert listener exists (an audit hook, say), it flushes instead, leaving
    them persistent: a hook this path would skip must not be skipped silently."""
    pendientes = list(sesion.new)
    if not pendientes:
        return 0
    mappers = {inspect(o).mapper for o in pendientes}
    if (sesion.dispatch.before_flush or sesion.dispatch.after_flush
            or any(m.dispatch.before_insert or m.dispatch.after_insert for m in mappers)):
        sesion.flush()
        return len(pendientes)
    with sesion.no_autoflush:
        filas = _filas(pendientes)
        # Detached before any statement, so nothing is left pending to be flushed twice.
        if len(sesion.identity_map) == 0:
            sesion.expunge_all()  # only new objects here: the cheap way
        else:
            for objeto in pendientes:
                if objeto in sesion:
                    sesion.expunge(objeto)  # cascades: one call per case detaches its tree
        _escribir(sesion, filas)
    return len(pendientes)


def _filas(pendientes: list) -> dict[Table, list[dict]]:
    filas: dict[int, dict] = {}
    planes = {}
    for objeto in pendientes:
        estado = inspect(objeto)
        plan = planes[id(objeto)] = _plan(estado.mapper)
        valores = estado.dict
        fila = {}
        for columna, atributo, defecto in plan.columnas:
            if atributo in valores:
                fila[columna] = valores[atributo]
            elif defecto is not None:
                fila[columna] = defecto()
        filas[id(objeto)] = fila

    def clave(origen, columna):
        if id(origen) in filas:
            valor = filas[id(origen)].get(columna)
        else:  # already in the database (an author, an institution): read its key
            mapper = inspect(origen).mapper
            valor = getattr(origen, mapper.get_property_by_column(mapper.local_table.c[columna]).key)
        if valor is None:
            raise NotImplementedError(f"{type(origen).__name__}.{columna}: clave generada por la base")
        return valor

    for objeto in pendientes:
        valores = inspect(objeto).dict
        for atributo, muchos_a_uno, varios, pares in planes[id(objeto)].relaciones:
            valor = valores.get(atributo)
            if valor is None:
                continue
            if muchos_a_uno:
                for origen, destino in pares:
                    filas[id(objeto)][destino] = clave(valor, origen)
            else:  # one-to-many, or one-to-one from the "one" side: each child gets our key
                for hija in (valor if varios else [valor]):
                    if id(hija) in filas:
                        for origen, destino in pares:
                            filas[id(hija)][destino] = clave(objeto, origen)
    por_tabla: dict[Table, list[dict]] = defaultdict(list)
    for objeto in pendientes:
        por_tabla[planes[id(objeto)].tabla].append(filas[id(objeto)])
    return por_tabla


def _escribir(sesion: Session, por_tabla: dict[Table, list[dict]]) -> None:
    anotar_escritura(sesion)
    conexion = sesion.connection()
    dialecto = conexion.dialect
    orden = next(iter(por_tabla)).metadata.sorted_tables  # parents first
    for tabla in sorted(por_tabla, key=orden.index):
        grupos: dict[tuple, list[dict]] = defaultdict(list)
        for fila in por_tabla[tabla]:
            grupos[tuple(fila)].append(fila)
        for columnas, filas in grupos.items():
            if dialecto.name != "postgresql":
                conexion.execute(insert(tabla), filas)
                continue
            # COPY: one stream per table, values converted by each column's type as an
            # INSERT would convert them (FechaUTC to UTC, JSON to text…).
            procesadores = [tabla.c[c].type._cached_bind_processor(dialecto) for c in columnas]
            nombres = ", ".join(dialecto.identifier_preparer.quote(c) for c in columnas)
            cursor = conexion.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {dialecto.identifier_preparer.format_table(tabla)} "
                             f"({nombres}) FROM STDIN") as copia:
                for fila in filas:
                    copia.write_row([v if p is None or v is None else p(v)
                                     for v, p in zip(fila.values(), procesadores)])
