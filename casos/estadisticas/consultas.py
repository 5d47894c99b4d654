"""Counts by SQL GROUP BY over plaintext categorical columns. Nothing else.

The tables are declared here as lightweight `sqlalchemy.table()` objects naming only the
columns statistics may read, instead of importing the ORM models: this package can't reach an
encrypted attribute, a data key or the key file even by mistake (tests/test_estadisticas.py
checks its imports and runs the dashboard with the key file unreadable).

Every query returns at most (categories x months) rows: the work is in the database, and
Python only adds up those few groups (months into quarters), never rows of cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from casos.bd import FechaUTC, ahora
from casos.extensiones import db

SIN_DATO = "sin_dato"

caso = sa.table(
    "caso", sa.column("id", sa.Uuid()), sa.column("institucion_id", sa.Uuid()),
    sa.column("municipio"), sa.column("rango_edad"), sa.column("nivel_riesgo"),
    sa.column("creado_en", FechaUTC()))
institucion = sa.table("institucion", sa.column("id", sa.Uuid()), sa.column("siglas"),
                       sa.column("nombre"))
nna = sa.table("nna", sa.column("caso_id", sa.Uuid()), sa.column("rango_edad"))
hecho = sa.table("hecho", sa.column("id", sa.Uuid()), sa.column("caso_id", sa.Uuid()),
                 sa.column("fecha", sa.Date()), sa.column("municipio"))
hecho_tipo = sa.table("hecho_tipo", sa.column("hecho_id", sa.Uuid()), sa.column("tipo"))
hecho_modalidad = sa.table("hecho_modalidad", sa.column("hecho_id", sa.Uuid()),
                           sa.column("modalidad"))
valoracion = sa.table("valoracion_riesgo", sa.column("caso_id", sa.Uuid()),
                      sa.column("creada_en", FechaUTC()),
                      sa.column("proxima_valoracion", FechaUTC()))


def zona() -> ZoneInfo:
    return ZoneInfo(current_app.config["ZONA_HORARIA"])


def limites_del_anio(anio: int) -> tuple[datetime, datetime]:
    """The year as lived in Zacatecas: local midnight of January 1st to the next one."""
    return datetime(anio, 1, 1, tzinfo=zona()), datetime(anio + 1, 1, 1, tzinfo=zona())


def _mes(columna, con_hora: bool, anio: int):
    """'YYYY-MM' of a column, in local time: the finest date statistics ever produce."""
    if db.engine.dialect.name == "postgresql":
        local = sa.func.timezone(current_app.config["ZONA_HORARIA"], columna) if con_hora else columna
        return sa.func.to_char(local, "YYYY-MM")
    if not con_hora:
        return sa.func.strftime("%Y-%m", columna)
    # SQLite has no time zones: the year's offset (Mexico City keeps one since 2022).
    horas = datetime(anio, 7, 1, tzinfo=zona()).utcoffset().total_seconds() / 3600
    return sa.func.strftime("%Y-%m", columna, f"{horas:+g} hours")


def _o_sin_dato(columna):
    return sa.func.coalesce(columna, SIN_DATO)


@dataclass(frozen=True)
class Origen:
    """Where one measure's rows come from: its FROM, the date that places a row in a month,
    and the SQL expression of each dimension it can be grouped by."""

    desde: object
    fecha: object
    con_hora: bool
    dimensiones: dict
    condiciones: tuple = ()


def _origenes() -> dict[str, Origen]:
    por_caso = caso.join(institucion, institucion.c.id == caso.c.institucion_id)
    comunes = {"municipio": _o_sin_dato(caso.c.municipio), "institucion": institucion.c.siglas}
    hechos = hecho.join(caso, caso.c.id == hecho.c.caso_id).join(
        institucion, institucion.c.id == caso.c.institucion_id)
    hechos_comunes = {"municipio": _o_sin_dato(hecho.c.municipio), "institucion": institucion.c.siglas}
    siguiente = valoracion.alias("siguiente")
    a_tiempo = sa.exists().where(
        siguiente.c.caso_id == valoracion.c.caso_id,
        siguiente.c.creada_en > valoracion.c.creada_en,
        siguiente.c.creada_en <= valoracion.c.proxima_valoracion)
    return {
        "casos": Origen(por_caso, caso.c.creado_en, True, {
            **comunes, "rango_edad": _o_sin_dato(caso.c.rango_edad),
            "nivel_riesgo": sa.func.coalesce(caso.c.nivel_riesgo, "sin_valorar")}),
        "nna": Origen(nna.join(caso, caso.c.id == nna.c.caso_id).join(
            institucion, institucion.c.id == caso.c.institucion_id), caso.c.creado_en, True, {
            **comunes, "rango_edad": _o_sin_dato(nna.c.rango_edad)}),
        "hechos": Origen(hechos, hecho.c.fecha, False, hechos_comunes),
        "hechos_tipo": Origen(hechos.join(hecho_tipo, hecho_tipo.c.hecho_id == hecho.c.id),
                              hecho.c.fecha, False, {**hechos_comunes, "tipo": hecho_tipo.c.tipo}),
        "hechos_modalidad": Origen(
            hechos.join(hecho_modalidad, hecho_modalidad.c.hecho_id == hecho.c.id), hecho.c.fecha,
            False, {**hechos_comunes, "modalidad": hecho_modalidad.c.modalidad}),
        # Each assessment's next date falls due in a month; it was kept if another assessment
        # of the same case came after it and no later than that date. Only dates already due.
        "revaloraciones": Origen(
            valoracion.join(caso, caso.c.id == valoracion.c.caso_id).join(
                institucion, institucion.c.id == caso.c.institucion_id),
            valoracion.c.proxima_valoracion, True,
            {**comunes, "cumplimiento": sa.case((a_tiempo, "a_tiempo"), else_="tardia")},
            condiciones=(valoracion.c.proxima_valoracion <= sa.bindparam("ahora", type_=FechaUTC()),)),
    }


def contar(medida: str, agrupar: tuple[str, ...], anio: int) -> dict[tuple, int]:
    """COUNT(*) of one measure in one year, grouped by dimensions and/or "mes" ('YYYY-MM')."""
    origen = _origenes()[medida]
    columnas = [(_mes(origen.fecha, origen.con_hora, anio) if nombre == "mes"
                 else origen.dimensiones[nombre]).label(nombre) for nombre in agrupar]
    if origen.con_hora:
        inicio, fin = limites_del_anio(anio)
    else:
        inicio, fin = date(anio, 1, 1), date(anio + 1, 1, 1)
    consulta = (sa.select(*columnas, sa.func.count().label("n")).select_from(origen.desde)
                .where(origen.fecha >= inicio, origen.fecha < fin, *origen.condiciones)
                .group_by(*columnas))
    filas = db.session.execute(consulta, {"ahora": ahora()}).all()
    return {tuple(fila[:-1]): fila[-1] for fila in filas}


def instituciones() -> dict[str, str]:
    """Siglas -> name of every institution: public bodies, named in published tables."""
    return dict(db.session.execute(sa.select(institucion.c.siglas, institucion.c.nombre)).all())


def anios_con_datos() -> list[int]:
    """Years that have cases, newest first (for the period selector)."""
    primero = db.session.scalar(sa.select(sa.func.min(caso.c.creado_en)))
    actual = ahora().astimezone(zona()).year
    if primero is None:
        return [actual]
    return list(range(actual, primero.astimezone(zona()).year - 1, -1))
