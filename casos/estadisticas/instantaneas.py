"""Snapshots: a publication already protected, stored and served again while it is recent.

Computing a year (every GROUP BY of every measure, the suppression and the review) takes
about half a second at 10,000 cases and tens of seconds at a million, far too long for a
page. So the dashboard, its downloads and the API serve the publication stored for the same
question (year, granularity, scope, threshold) if it was computed less than
ESTADISTICAS_VIGENCIA_MINUTOS ago, and compute and store it otherwise;
`flask estadisticas actualizar` recomputes the usual ones ahead of time (a scheduled job),
so that nobody waits for them. The page says when its figures were computed.

What is stored is the published JSON: counts already suppressed, no row, id or date of a
case, nothing a reader of the API can't have. It is never invalidated by a write: a
snapshot is the figures as of its computation, for at most the configured period (see
docs/DESIGN.md, "Statistics"). 0 turns snapshots off: every request computes.

Two processes may compute the same snapshot at once: the write is an upsert that keeps the
most recent computation. On PostgreSQL an advisory lock per snapshot lets only one of them
compute; the others serve the previous figures meanwhile, or wait for the new ones when
there are none.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from casos.bd import ahora, escritura
from casos.estadisticas.modelos import InstantaneaEstadistica
from casos.estadisticas.publicacion import GRANULARIDADES, Ambito, Anio, Publicacion, publicar
from casos.extensiones import db

# Part of every key: a change to what a publication holds (a new measure, another table)
# makes the stored ones unusable at once instead of after they expire.
FORMATO = 2  # 2: a breakdown that cannot be published shows the year instead

log = logging.getLogger(__name__)
_TABLA = InstantaneaEstadistica.__table__


@dataclass(frozen=True)
class Instantanea:
    publicacion: Publicacion
    calculada_en: datetime  # when the computation began (UTC)
    duracion_ms: int  # how long it took
    # What a page derives from these figures (its charts), kept with them in this process
    # for as long as the snapshot is served.
    derivados: dict = field(default_factory=dict, compare=False, repr=False)


def vigencia() -> timedelta:
    return timedelta(minutes=max(0, int(current_app.config.get("ESTADISTICAS_VIGENCIA_MINUTOS", 0))))


def clave(anio: int, granularidad: str, ambito: Ambito, umbral: int) -> str:
    return f"v{FORMATO}|{anio}|{granularidad}|{ambito.tipo}|{ambito.clave or ''}|k{umbral}"


def obtener(anio: int, granularidad: str, ambito: Ambito, umbral: int) -> Instantanea:
    """The publication for this question: the stored one while recent, else computed now
    (and stored, when snapshots are on)."""
    if not vigencia():
        return _calcular(anio, granularidad, ambito, umbral, guardar=False)
    llave = clave(anio, granularidad, ambito, umbral)
    guardada = _leer(llave)
    if guardada is not None and _reciente(guardada):
        return guardada
    with _turno(llave, esperar=guardada is None) as propio:
        if not propio:
            # Another process is computing this snapshot right now: meanwhile, the figures
            # it replaces, with their date; with none stored, we waited for it to finish.
            if guardada is not None:
                return guardada
            guardada = _leer(llave)
            if guardada is not None and _reciente(guardada):
                return guardada
        return _calcular(anio, granularidad, ambito, umbral, guardar=True)


def actualizar(anio: int, umbral: int, ambitos: list[Ambito]) -> int:
    """Compute and store every granularity of each scope of a year from one computation of
    the year (the tables are the same for all of them). Returns how many were stored."""
    inicio, reloj = ahora(), time.perf_counter()
    calculado = Anio(anio, umbral)
    publicaciones = [publicar(anio, granularidad, ambito, umbral, calculado)
                     for ambito in ambitos for granularidad in GRANULARIDADES]
    duracion = _ms(reloj)
    for publicacion in publicaciones:
        _guardar(clave(anio, publicacion.granularidad, publicacion.ambito, umbral), anio,
                 _a_texto(publicacion), inicio, duracion)
    return len(publicaciones)


# ---- internals --------------------------------------------------------------------------------

def _ms(desde: float) -> int:
    return round(1000 * (time.perf_counter() - desde))


def _a_texto(publicacion: Publicacion) -> str:
    return json.dumps(publicacion.a_instantanea(), ensure_ascii=False, separators=(",", ":"))


def _de_texto(texto: str, calculada_en: datetime, duracion_ms: int) -> Instantanea:
    return Instantanea(Publicacion.de_instantanea(json.loads(texto)), calculada_en, duracion_ms)


def _reciente(instantanea: Instantanea) -> bool:
    return ahora() - instantanea.calculada_en < vigencia()


# Snapshots already read by this process, by database, key and computation time: a page
# served again from the same snapshot neither transfers nor parses its JSON (a state page's
# is about 300 KB, tens of thousands of objects per request otherwise, and the work of the
# cycle collector that follows them). A newer computation has another time, so another
# entry; the least recently served go first.
_LEIDAS: OrderedDict[tuple, Instantanea] = OrderedDict()
_LEIDAS_MAXIMO = 32
_CANDADO = threading.Lock()


def _leer(llave: str) -> Instantanea | None:
    fila = db.session.execute(sa.select(_TABLA.c.calculada_en, _TABLA.c.duracion_ms)
                              .where(_TABLA.c.clave == llave)).first()
    if fila is None:
        return None
    en_memoria = (str(db.engine.url), llave, fila.calculada_en)
    with _CANDADO:
        leida = _LEIDAS.get(en_memoria)
        if leida is not None:
            _LEIDAS.move_to_end(en_memoria)
            return leida
    contenido = db.session.scalar(sa.select(_TABLA.c.contenido).where(
        _TABLA.c.clave == llave, _TABLA.c.calculada_en == fila.calculada_en))
    if contenido is None:  # replaced by a newer computation in between: read that one
        return _leer(llave)
    leida = _de_texto(contenido, fila.calculada_en, fila.duracion_ms)
    with _CANDADO:
        _LEIDAS[en_memoria] = leida
        while len(_LEIDAS) > _LEIDAS_MAXIMO:
            _LEIDAS.popitem(last=False)
    return leida


def _calcular(anio: int, granularidad: str, ambito: Ambito, umbral: int, *, guardar: bool) -> Instantanea:
    inicio, reloj = ahora(), time.perf_counter()
    texto = _a_texto(publicar(anio, granularidad, ambito, umbral))
    duracion = _ms(reloj)
    if guardar:
        _guardar(clave(anio, granularidad, ambito, umbral), anio, texto, inicio, duracion)
    # What is served is always read back from the stored form, so a page computed now and
    # one served from a snapshot are built from the very same data.
    return _de_texto(texto, inicio, duracion)


def _guardar(llave: str, anio: int, texto: str, calculada_en: datetime, duracion_ms: int) -> None:
    """Upsert in a short write transaction of its own (BEGIN IMMEDIATE on SQLite), apart from
    the request's read transaction, keeping the most recent computation. A snapshot that
    can't be written (the database busy or read-only) is logged and the figures are served
    all the same: they were computed."""
    valores = {"clave": llave, "anio": anio, "contenido": texto, "calculada_en": calculada_en,
               "duracion_ms": duracion_ms}
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    sentencia = insert(_TABLA).values(**valores)
    sentencia = sentencia.on_conflict_do_update(
        index_elements=[_TABLA.c.clave],
        set_={c: sentencia.excluded[c] for c in ("anio", "contenido", "calculada_en", "duracion_ms")},
        where=_TABLA.c.calculada_en <= sentencia.excluded.calculada_en)
    try:
        with escritura(), db.engine.begin() as conexion:
            conexion.execute(sentencia)
    except sa.exc.DBAPIError as error:
        log.warning("No se pudo guardar la instantánea de estadística %s: %s", llave,
                    type(error.orig).__name__)


@contextmanager
def _turno(llave: str, *, esperar: bool) -> Iterator[bool]:
    """Whether this process computes the snapshot (True) or another one already is (False).
    On PostgreSQL, a session advisory lock on its own connection, released at the end (or
    when the connection drops); `esperar`: wait for the other process instead of returning
    False at once. SQLite has no such lock: every process computes (and upserts)."""
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    numero = int.from_bytes(hashlib.sha256(f"instantanea|{llave}".encode()).digest()[:8], "big", signed=True)
    with db.engine.connect() as conexion:
        propio = conexion.scalar(sa.select(sa.func.pg_try_advisory_lock(numero)))
        if not propio and esperar:
            conexion.scalar(sa.select(sa.func.pg_advisory_lock(numero)))
            conexion.commit()
            try:
                yield False
            finally:
                conexion.scalar(sa.select(sa.func.pg_advisory_unlock(numero)))
                conexion.commit()
            return
        conexion.commit()
        try:
            yield propio
        finally:
            if propio:
                conexion.scalar(sa.select(sa.func.pg_advisory_unlock(numero)))
                conexion.commit()
